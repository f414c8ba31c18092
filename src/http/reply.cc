#include "http/reply.h"

#include "http/error_response.h"

namespace cdp::http {

Reply& Reply::operator=(Reply&& other) noexcept {
  if (this != &other) {
    if (target_) Fail(Status::Internal("reply replaced before it was sent"));
    target_ = std::move(other.target_);
  }
  return *this;
}

Reply::~Reply() {
  if (target_) Fail(Status::Internal("handler returned without replying"));
}

void Reply::Send(Response response) {
  if (!target_) return;
  auto target = std::move(target_);
  target->Complete(std::move(response));
}

void Reply::Fail(const Status& status) {
  if (!target_) return;
  Send(ErrorResponse(status, target_->RequestIdForReply()));
}

}  // namespace cdp::http
