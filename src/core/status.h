#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cdp {

// What went wrong, in the terms a client of the HTTP API understands. Every
// code maps to exactly one HTTP status (see HttpStatusOf).
enum class ErrorCode {
  kOk,
  kBadRequest,            // 400: malformed or invalid input
  kUnauthorized,          // 401: missing or unknown credentials
  kForbidden,             // 403: authenticated, but not allowed
  kNotFound,              // 404
  kMethodNotAllowed,      // 405
  kRequestTimeout,        // 408: the client was too slow to send its request
  kConflict,              // 409: the resource already exists or changed meanwhile
  kPayloadTooLarge,       // 413
  kHeadersTooLarge,       // 431: request header fields too large
  kUnsupportedMediaType,  // 415: e.g. an unknown Content-Encoding
  kUnprocessableEntity,   // 422: well-formed but semantically refused
  kTooManyRequests,       // 429: carries a retry-after
  kInternal,              // 500: a bug or an unexpected backend failure
  kUnavailable,           // 503: temporarily unable; carries a retry-after
};

int HttpStatusOf(ErrorCode code);
std::string_view ErrorCodeName(ErrorCode code);

// The result of an operation that returns nothing else. Cheap when ok (one
// null pointer); an error carries:
//  - message: safe to show to the client ("event is required");
//  - field: the offending request field as a path ("batch[3].event"), or empty;
//  - cause: internal detail for the log only (driver errors, errno text);
//  - retry_after: for kTooManyRequests and kUnavailable;
//  - allowed_methods: for kMethodNotAllowed ("GET, POST").
// Thread safety: a Status is a value; distinct objects may be used concurrently.
class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message);
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;
  ~Status() = default;

  static Status Ok() { return Status(); }
  static Status BadRequest(std::string message, std::string field = {});
  static Status Unauthorized(std::string message);
  static Status Forbidden(std::string message);
  static Status NotFound(std::string message);
  static Status MethodNotAllowed(std::string message, std::string allowed_methods);
  static Status RequestTimeout(std::string message);
  static Status Conflict(std::string message, std::string field = {});
  static Status PayloadTooLarge(std::string message, std::string field = {});
  static Status HeadersTooLarge(std::string message);
  static Status UnsupportedMediaType(std::string message);
  static Status UnprocessableEntity(std::string message, std::string field = {});
  static Status TooManyRequests(std::string message, std::chrono::seconds retry_after);
  static Status Unavailable(std::string message, std::chrono::seconds retry_after);
  // `cause` goes to the log; clients only ever see "internal error".
  static Status Internal(std::string cause);

  bool ok() const { return rep_ == nullptr; }
  ErrorCode code() const { return rep_ ? rep_->code : ErrorCode::kOk; }
  int http_status() const { return HttpStatusOf(code()); }
  const std::string& message() const;
  const std::string& field() const;
  const std::string& cause() const;
  std::optional<std::chrono::seconds> retry_after() const;
  const std::string& allowed_methods() const;

  // Builders for the optional parts; each returns *this for chaining.
  // REQUIRES: !ok().
  Status& WithField(std::string field);
  Status& WithCause(std::string cause);
  // Prefixes the field path, e.g. "event" becomes "batch[3].event".
  Status& PrefixField(std::string_view prefix);

  // "BadRequest: event is required (field: event; cause: ...)" for logs and tests.
  std::string ToString() const;

 private:
  struct Rep {
    ErrorCode code;
    std::string message;
    std::string field;
    std::string cause;
    std::optional<std::chrono::seconds> retry_after;
    std::string allowed_methods;
  };
  std::unique_ptr<Rep> rep_;
};

}  // namespace cdp
