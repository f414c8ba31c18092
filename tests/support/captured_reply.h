#pragma once

#include <memory>
#include <optional>
#include <string>

#include "http/reply.h"

namespace cdp::testing {

// A ReplyTarget that keeps the response, for calling handlers and the
// request pipeline directly.
class CapturedReply final : public http::ReplyTarget {
 public:
  explicit CapturedReply(std::string request_id = "test-request") : request_id_(request_id) {}
  void Complete(http::Response response) override { response_ = std::move(response); }
  const std::string& RequestIdForReply() const override { return request_id_; }
  const std::optional<http::Response>& response() const { return response_; }

 private:
  std::string request_id_;
  std::optional<http::Response> response_;
};

// Makes a Reply that writes into `target`.
inline http::Reply ReplyTo(const std::shared_ptr<CapturedReply>& target) {
  return http::Reply(target);
}

}  // namespace cdp::testing
