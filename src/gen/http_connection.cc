#include "gen/http_connection.h"

#include <fmt/format.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>

namespace cdp::gen {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr size_t kMaxAnswerBytes = 16 << 20;

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view text) {
  int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || seconds < 0) {
    return std::nullopt;  // an HTTP-date, or garbage: the caller's default applies
  }
  return std::chrono::seconds(seconds);
}

}  // namespace

struct HttpConnection::Impl {
  std::string host;
  std::string port;
  std::chrono::milliseconds timeout;
  asio::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  bool connected = false;

  // Runs the io_context until the started operation has completed (each
  // operation's deadline is the stream's expiry).
  void Run() {
    io.restart();
    io.run();
  }

  void Close() {
    beast::error_code ignored;  // closing a broken socket may fail; it is gone either way
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    buffer.clear();
    connected = false;
  }

  Status Failure(std::string_view step, const beast::error_code& ec) {
    Close();
    const std::string message =
        ec == beast::error::timeout ? std::string("timed out") : ec.message();
    return Status::Unavailable(fmt::format("cannot {} http://{}:{}: {}", step, host, port, message),
                               std::chrono::seconds(1));
  }

  Status Connect() {
    beast::error_code ec;
    tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(host, port, ec);
    if (ec) return Failure("resolve", ec);
    stream.expires_after(timeout);
    stream.async_connect(endpoints,
                         [&](const beast::error_code& e, const tcp::endpoint&) { ec = e; });
    Run();
    if (ec) return Failure("connect to", ec);
    connected = true;
    return Status::Ok();
  }

  Result<HttpAnswer> Exchange(const http::request<http::string_body>& request) {
    beast::error_code ec;
    stream.expires_after(timeout);
    http::async_write(stream, request, [&](const beast::error_code& e, size_t) { ec = e; });
    Run();
    if (ec) return Failure("send to", ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxAnswerBytes);
    stream.expires_after(timeout);
    http::async_read(stream, buffer, parser, [&](const beast::error_code& e, size_t) { ec = e; });
    Run();
    if (ec) return Failure("read the answer of", ec);
    http::response<http::string_body> response = parser.release();
    HttpAnswer answer;
    answer.status = static_cast<int>(response.result_int());
    answer.retry_after = ParseRetryAfter(response[http::field::retry_after]);
    answer.body = std::move(response.body());
    if (!response.keep_alive()) Close();
    return answer;
  }
};

HttpConnection::HttpConnection(std::string host, std::string port,
                               std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = std::move(port);
  impl_->timeout = timeout;
}

HttpConnection::~HttpConnection() {
  if (impl_->connected) impl_->Close();
}

Result<HttpAnswer> HttpConnection::Post(
    std::string_view target, std::string_view body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  http::request<http::string_body> request{http::verb::post, target, 11};
  const bool ipv6 = impl_->host.find(':') != std::string::npos;
  request.set(http::field::host,
              ipv6 ? "[" + impl_->host + "]:" + impl_->port : impl_->host + ":" + impl_->port);
  request.set(http::field::content_type, "application/json");
  request.set(http::field::user_agent, "cdp-gen");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();

  // A kept-alive connection may have been closed by the server meanwhile
  // (its idle timeout): then one fresh connection gets the same request.
  const bool reused = impl_->connected;
  if (!reused) CDP_RETURN_IF_ERROR(impl_->Connect());
  Result<HttpAnswer> answer = impl_->Exchange(request);
  if (answer.ok() || !reused) return answer;
  CDP_RETURN_IF_ERROR(impl_->Connect());
  return impl_->Exchange(request);
}

}  // namespace cdp::gen
