#pragma once

#include <memory>

#include "core/status.h"
#include "http/response.h"

namespace cdp::http {

// Where a Reply delivers its response: the connection that read the request.
class ReplyTarget {
 public:
  virtual ~ReplyTarget() = default;
  // Called exactly once per request, from any thread.
  virtual void Complete(Response response) = 0;
  // The id of the request being answered, for error bodies.
  virtual const std::string& RequestIdForReply() const = 0;
};

// The one-shot completion of a request. A handler answers at once or keeps
// the Reply (it is move-only) and answers later from any thread, so a slow
// operation never blocks the event loop.
// A Reply destroyed without an answer sends 500: a handler bug never leaves a
// client hanging.
// REQUIRES: every Reply is sent or destroyed before the HttpServer is
// destroyed (a thread pool that holds Replies is joined first).
class Reply {
 public:
  explicit Reply(std::shared_ptr<ReplyTarget> target) : target_(std::move(target)) {}
  Reply(Reply&&) noexcept = default;
  Reply& operator=(Reply&&) noexcept;
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;
  ~Reply();

  void Send(Response response);
  // Answers with the error's status and JSON body (see ErrorResponse).
  void Fail(const Status& status);
  bool sent() const { return target_ == nullptr; }

 private:
  std::shared_ptr<ReplyTarget> target_;
};

}  // namespace cdp::http
