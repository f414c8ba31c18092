#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace cdp::gen {

struct HttpAnswer {
  int status = 0;
  std::string body;
  std::optional<std::chrono::seconds> retry_after;  // the Retry-After header, in seconds
};

// One HTTP/1.1 keep-alive connection to host:port (plain HTTP), over
// Boost.Beast. It connects on first use and again after the server closes;
// every step is bounded by `timeout`. Thread safety: none; one per thread.
class HttpConnection {
 public:
  HttpConnection(std::string host, std::string port, std::chrono::milliseconds timeout);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // POSTs `body` to `target` with the given extra headers. A failure to
  // connect, send or read is Unavailable (the connection is then closed, so
  // that the next call reconnects); any HTTP status is an answer.
  Result<HttpAnswer> Post(std::string_view target, std::string_view body,
                          const std::vector<std::pair<std::string, std::string>>& headers);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdp::gen
