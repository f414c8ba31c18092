#include "core/status.h"

#include <cassert>

namespace cdp {

namespace {
const std::string kEmpty;
}  // namespace

int HttpStatusOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return 200;
    case ErrorCode::kBadRequest:
      return 400;
    case ErrorCode::kUnauthorized:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kMethodNotAllowed:
      return 405;
    case ErrorCode::kRequestTimeout:
      return 408;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kHeadersTooLarge:
      return 431;
    case ErrorCode::kUnsupportedMediaType:
      return 415;
    case ErrorCode::kUnprocessableEntity:
      return 422;
    case ErrorCode::kTooManyRequests:
      return 429;
    case ErrorCode::kInternal:
      return 500;
    case ErrorCode::kUnavailable:
      return 503;
  }
  return 500;
}

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "Ok";
    case ErrorCode::kBadRequest:
      return "BadRequest";
    case ErrorCode::kUnauthorized:
      return "Unauthorized";
    case ErrorCode::kForbidden:
      return "Forbidden";
    case ErrorCode::kNotFound:
      return "NotFound";
    case ErrorCode::kMethodNotAllowed:
      return "MethodNotAllowed";
    case ErrorCode::kRequestTimeout:
      return "RequestTimeout";
    case ErrorCode::kConflict:
      return "Conflict";
    case ErrorCode::kPayloadTooLarge:
      return "PayloadTooLarge";
    case ErrorCode::kHeadersTooLarge:
      return "HeadersTooLarge";
    case ErrorCode::kUnsupportedMediaType:
      return "UnsupportedMediaType";
    case ErrorCode::kUnprocessableEntity:
      return "UnprocessableEntity";
    case ErrorCode::kTooManyRequests:
      return "TooManyRequests";
    case ErrorCode::kInternal:
      return "Internal";
    case ErrorCode::kUnavailable:
      return "Unavailable";
  }
  return "Unknown";
}

Status::Status(ErrorCode code, std::string message) {
  assert(code != ErrorCode::kOk);
  rep_ = std::make_unique<Rep>();
  rep_->code = code;
  rep_->message = std::move(message);
}

Status::Status(const Status& other)
    : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
  return *this;
}

Status Status::BadRequest(std::string message, std::string field) {
  Status s(ErrorCode::kBadRequest, std::move(message));
  s.rep_->field = std::move(field);
  return s;
}
Status Status::Unauthorized(std::string message) {
  return Status(ErrorCode::kUnauthorized, std::move(message));
}
Status Status::Forbidden(std::string message) {
  return Status(ErrorCode::kForbidden, std::move(message));
}
Status Status::NotFound(std::string message) {
  return Status(ErrorCode::kNotFound, std::move(message));
}
Status Status::MethodNotAllowed(std::string message, std::string allowed_methods) {
  Status s(ErrorCode::kMethodNotAllowed, std::move(message));
  s.rep_->allowed_methods = std::move(allowed_methods);
  return s;
}
Status Status::RequestTimeout(std::string message) {
  return Status(ErrorCode::kRequestTimeout, std::move(message));
}
Status Status::Conflict(std::string message, std::string field) {
  Status s(ErrorCode::kConflict, std::move(message));
  s.rep_->field = std::move(field);
  return s;
}
Status Status::PayloadTooLarge(std::string message, std::string field) {
  Status s(ErrorCode::kPayloadTooLarge, std::move(message));
  s.rep_->field = std::move(field);
  return s;
}
Status Status::HeadersTooLarge(std::string message) {
  return Status(ErrorCode::kHeadersTooLarge, std::move(message));
}
Status Status::UnsupportedMediaType(std::string message) {
  return Status(ErrorCode::kUnsupportedMediaType, std::move(message));
}
Status Status::UnprocessableEntity(std::string message, std::string field) {
  Status s(ErrorCode::kUnprocessableEntity, std::move(message));
  s.rep_->field = std::move(field);
  return s;
}
Status Status::TooManyRequests(std::string message, std::chrono::seconds retry_after) {
  Status s(ErrorCode::kTooManyRequests, std::move(message));
  s.rep_->retry_after = retry_after;
  return s;
}
Status Status::Unavailable(std::string message, std::chrono::seconds retry_after) {
  Status s(ErrorCode::kUnavailable, std::move(message));
  s.rep_->retry_after = retry_after;
  return s;
}
Status Status::Internal(std::string cause) {
  Status s(ErrorCode::kInternal, "internal error");
  s.rep_->cause = std::move(cause);
  return s;
}

const std::string& Status::message() const { return rep_ ? rep_->message : kEmpty; }
const std::string& Status::field() const { return rep_ ? rep_->field : kEmpty; }
const std::string& Status::cause() const { return rep_ ? rep_->cause : kEmpty; }
const std::string& Status::allowed_methods() const { return rep_ ? rep_->allowed_methods : kEmpty; }
std::optional<std::chrono::seconds> Status::retry_after() const {
  return rep_ ? rep_->retry_after : std::nullopt;
}

Status& Status::WithField(std::string field) {
  assert(rep_);
  rep_->field = std::move(field);
  return *this;
}

Status& Status::WithCause(std::string cause) {
  assert(rep_);
  rep_->cause = std::move(cause);
  return *this;
}

Status& Status::PrefixField(std::string_view prefix) {
  assert(rep_);
  if (rep_->field.empty()) {
    rep_->field = std::string(prefix);
  } else if (rep_->field.front() == '[') {
    rep_->field = std::string(prefix) + rep_->field;
  } else {
    rep_->field = std::string(prefix) + "." + rep_->field;
  }
  return *this;
}

std::string Status::ToString() const {
  if (ok()) return "Ok";
  std::string out(ErrorCodeName(rep_->code));
  out += ": ";
  out += rep_->message;
  if (!rep_->field.empty() || !rep_->cause.empty()) {
    out += " (";
    if (!rep_->field.empty()) out += "field: " + rep_->field;
    if (!rep_->field.empty() && !rep_->cause.empty()) out += "; ";
    if (!rep_->cause.empty()) out += "cause: " + rep_->cause;
    out += ")";
  }
  return out;
}

}  // namespace cdp
