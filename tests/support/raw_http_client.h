#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace cdp::testing {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// A blocking HTTP/1.1 client over a plain socket, for tests that need control
// a normal client does not give: partial requests, pauses, several requests
// on one connection, reading whatever the server sends.
class RawHttpClient {
 public:
  // Connects to 127.0.0.1:port; check connected().
  explicit RawHttpClient(uint16_t port);
  ~RawHttpClient();
  RawHttpClient(const RawHttpClient&) = delete;
  RawHttpClient& operator=(const RawHttpClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Sends bytes as they are. Returns false when the connection is gone.
  bool Send(std::string_view bytes);
  // Reads one response (status line, headers, Content-Length body). nullopt on
  // timeout or when the server closed the connection first.
  std::optional<HttpResponse> ReadResponse(
      std::chrono::milliseconds timeout = std::chrono::seconds(10), bool head_request = false);
  // Whether the server closed the connection (reads EOF) within `timeout`.
  bool WaitForClose(std::chrono::milliseconds timeout);

 private:
  // Reads more bytes into buffer_; false on EOF, error or timeout.
  bool Fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string buffer_;
};

// Sends one request on a new connection and reads its response.
std::optional<HttpResponse> Fetch(uint16_t port, std::string_view method, std::string_view path,
                                  std::string_view body = {},
                                  std::map<std::string, std::string> headers = {});

// gzip-compresses `text` (for tests of Content-Encoding).
std::string Gzip(std::string_view text);

}  // namespace cdp::testing
