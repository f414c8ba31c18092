#include "http/connection.h"

#include <strings.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <ctime>

#include "core/log.h"
#include "core/uuid.h"
#include "http/error_response.h"
#include "http/response_head.h"

namespace cdp::http::internal {

namespace {

// How long to keep reading (and discarding) after answering with
// Connection: close, so that the client receives the answer instead of a
// reset caused by request bytes it already sent (as nginx's lingering close).
constexpr std::chrono::milliseconds kLingerTimeout{2'000};

// The Date header, formatted once per second per thread.
std::string_view HttpDate() {
  thread_local std::time_t cached_second = 0;
  thread_local char cached[40];
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm;
    gmtime_r(&now, &tm);
    std::strftime(cached, sizeof(cached), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  return cached;
}

// Accepts a client's X-Request-Id when it is a reasonable token; otherwise
// the server makes one (a UUIDv7, so ids sort by time).
std::string ChooseRequestId(std::string_view offered) {
  if (!offered.empty() && offered.size() <= 128) {
    bool valid = true;
    for (char c : offered) {
      const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                      c == '.' || c == ':';
      valid = valid && ok;
    }
    if (valid) return std::string(offered);
  }
  return Uuid::NewV7().ToString();
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

constexpr std::string_view kInvalidRoute = "(invalid)";

}  // namespace

Connection::Connection(tcp::socket socket, EventLoop& loop, ServerContext& server)
    : socket_(std::move(socket)), loop_(loop), server_(server) {
  beast::error_code ec;
  const auto endpoint = socket_.remote_endpoint(ec);
  if (!ec) remote_address_ = endpoint.address().to_string();
  socket_.set_option(tcp::no_delay(true), ec);
  server_.live_connections.fetch_add(1);
  server_.metrics.ConnectionOpened();
}

Connection::~Connection() {
  loop_.connections.erase(this);
  server_.metrics.ConnectionClosed();
  if (server_.live_connections.fetch_sub(1) == 1 && server_.draining.load()) {
    server_.on_drained();
  }
}

void Connection::Start() {
  loop_.connections.insert(this);
  WaitForRequest();
}

void Connection::SetDeadline(std::chrono::milliseconds timeout) {
  deadline_ = std::chrono::steady_clock::now() + timeout;
}

bool Connection::HasUnreadBytes() {
  beast::error_code ec;
  return buffer_.size() > 0 || (socket_.available(ec) > 0 && !ec);
}

void Connection::WaitForRequest() {
  // While draining, a request the client already sent is served; an idle
  // connection is closed.
  if (server_.draining.load(std::memory_order_relaxed) && !HasUnreadBytes()) return Close();
  // Until the first byte of the next request arrives, the connection is idle
  // (closed quietly after the idle timeout); from then on the header timeout
  // applies (408). OnSweep tells the two apart by looking at the buffer, which
  // saves a readiness wait, and its system call, per request.
  phase_ = buffer_.size() > 0 ? Phase::kHeader : Phase::kIdle;
  SetDeadline(phase_ == Phase::kIdle ? server_.options.idle_timeout
                                     : server_.options.header_timeout);
  timed_out_ = false;
  request_ = Request();
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(server_.options.max_header_bytes));
  parser_->body_limit(server_.options.max_body_bytes);
  bhttp::async_read_header(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void Connection::OnHeader(beast::error_code ec) {
  if (timed_out_) {
    if (parser_->got_some() || buffer_.size() > 0) {
      return FailEarly(Status::RequestTimeout("request headers not received in time"),
                       kInvalidRoute);
    }
    return Close();
  }
  if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
      phase_ == Phase::kClosed) {
    return Close();
  }
  if (ec == bhttp::error::body_limit) {  // a Content-Length over the limit
    return FailEarly(
        Status::PayloadTooLarge("request body exceeds the limit of " +
                                std::to_string(server_.options.max_body_bytes) + " bytes"),
        kInvalidRoute);
  }
  if (ec == bhttp::error::header_limit) {
    return FailEarly(
        Status::HeadersTooLarge("request headers exceed " +
                                std::to_string(server_.options.max_header_bytes) + " bytes"),
        kInvalidRoute);
  }
  if (ec) {
    return FailEarly(Status::BadRequest("malformed HTTP request").WithCause(ec.message()),
                     kInvalidRoute);
  }

  phase_ = Phase::kHeader;
  request_.SetStartedAt(std::chrono::steady_clock::now());
  auto& header = parser_->get();
  request_.SetRequestId(ChooseRequestId(header["X-Request-Id"]));
  if (parser_->is_done()) return HandleRequest();
  // Beast reserves the Content-Length when the body starts; this reserves
  // more first (see Request::kBodyPaddingBytes). Beast checked the length
  // against body_limit with the header.
  if (const auto length = parser_->content_length()) {
    header.body().reserve(*length + Request::kBodyPaddingBytes);
  }
  if (EqualsIgnoreCase(header[bhttp::field::expect], "100-continue")) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    SetDeadline(server_.options.body_timeout);
    asio::async_write(socket_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->Close();
                        self->ReadBody();
                      });
    return;
  }
  ReadBody();
}

void Connection::ReadBody() {
  phase_ = Phase::kBody;
  SetDeadline(server_.options.body_timeout);
  bhttp::async_read(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void Connection::OnBody(beast::error_code ec) {
  if (timed_out_) {
    return FailEarly(Status::RequestTimeout("request body not received in time"), kInvalidRoute);
  }
  if (ec == bhttp::error::body_limit) {
    return FailEarly(
        Status::PayloadTooLarge("request body exceeds the limit of " +
                                std::to_string(server_.options.max_body_bytes) + " bytes"),
        kInvalidRoute);
  }
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
      ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::operation_aborted || phase_ == Phase::kClosed) {
    return Close();
  }
  if (ec) {
    return FailEarly(Status::BadRequest("malformed HTTP request body").WithCause(ec.message()),
                     kInvalidRoute);
  }
  HandleRequest();
}

void Connection::HandleRequest() {
  phase_ = Phase::kHandling;
  deadline_ = SteadyTime::max();
  message_ = parser_->release();
  parser_.reset();
  keep_alive_ = message_.keep_alive();
  is_head_ = message_.method() == bhttp::verb::head;

  HeaderList headers;
  headers.reserve(16);
  for (const auto& field : message_) headers.emplace_back(field.name_string(), field.value());
  request_.SetStartLine(message_.method_string(), message_.target());
  request_.SetHeaders(std::move(headers));
  request_.SetBody(std::move(message_.body()));
  request_.SetRemoteAddress(remote_address_);
  server_.pipeline.Dispatch(request_, Reply(shared_from_this()));
}

void Connection::FailEarly(const Status& status, std::string_view route) {
  // The headers may not have been read: the answer still gets an id, and its
  // duration in the log starts now rather than at an unknown first byte.
  if (request_.request_id().empty()) request_.SetRequestId(Uuid::NewV7().ToString());
  if (request_.started_at() == SteadyTime{})
    request_.SetStartedAt(std::chrono::steady_clock::now());
  keep_alive_ = false;
  is_head_ = false;
  request_.SetRoute(route, {});
  Write(ErrorResponse(status, request_.request_id()));
}

void Connection::Complete(Response response) {
  // Runs inline when the handler answered on this loop, else is queued to it.
  asio::dispatch(socket_.get_executor(),
                 [self = shared_from_this(), response = std::move(response)]() mutable {
                   if (self->phase_ == Phase::kClosed) return;
                   self->Write(std::move(response));
                 });
}

void Connection::Write(Response response) {
  phase_ = Phase::kWriting;
  SetDeadline(server_.options.body_timeout);
  server_.pipeline.Finalize(request_, response);
  // While draining, the last answer closes the connection; requests the
  // client already sent (pipelined, in the buffer) are answered first.
  if (server_.draining.load(std::memory_order_relaxed) && !HasUnreadBytes()) keep_alive_ = false;

  response_status_ = response.status;
  response_head_ = SerializeResponseHead(response, HttpDate(), keep_alive_);
  response_body_ = is_head_ ? std::string() : std::move(response.body);
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(response_head_),
                                                  asio::buffer(response_body_)};
  asio::async_write(socket_, buffers,
                    [self = shared_from_this()](beast::error_code ec, size_t bytes) {
                      self->OnWritten(ec, bytes);
                    });
}

void Connection::OnWritten(beast::error_code ec, size_t bytes) {
  const int status = response_status_;
  server_.metrics.Record(loop_.index, request_.route().empty() ? kInvalidRoute : request_.route(),
                         request_.method(), status,
                         std::chrono::steady_clock::now() - request_.started_at());
  if (server_.options.access_log) LogAccess(status, bytes);
  if (ec) return Close();
  if (!keep_alive_) return LingerThenClose();
  WaitForRequest();
}

void Connection::LogAccess(int status, size_t bytes_out) const {
  const auto duration = std::chrono::steady_clock::now() - request_.started_at();
  auto line = log::Info("http request");
  line.Str("request_id", request_.request_id())
      .Str("method", request_.method())
      .Str("path", request_.path())  // never the query string: it may carry keys
      .Str("route", request_.route())
      .Int("status", status)
      .Double("duration_ms", std::chrono::duration<double, std::milli>(duration).count())
      .Int("bytes_in", static_cast<int64_t>(request_.body().size()))
      .Int("bytes_out", static_cast<int64_t>(bytes_out))
      .Str("remote", remote_address_);
  // Who and where, once the API's guard established them. Never a header
  // that carries a credential (Authorization, Cookie, X-Write-Key).
  if (!request_.workspace_id().empty()) line.Str("workspace_id", request_.workspace_id());
  if (!request_.actor().empty()) line.Str("actor", request_.actor());
  if (const auto agent = request_.Header("User-Agent"); !agent.empty()) {
    line.Str("user_agent", agent);
  }
}

void Connection::LingerThenClose() {
  phase_ = Phase::kLingering;
  SetDeadline(kLingerTimeout);
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  DiscardUntilClosed();
}

void Connection::DiscardUntilClosed() {
  socket_.async_read_some(asio::buffer(discard_buffer_),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (ec || self->phase_ != Phase::kLingering) return self->Close();
                            self->DiscardUntilClosed();
                          });
}

void Connection::Close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  deadline_ = SteadyTime::max();
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void Connection::OnDrain() {
  // A request whose bytes already arrived is in flight, not idle: serve it.
  if (phase_ == Phase::kIdle && !HasUnreadBytes()) Close();
}

void Connection::OnSweep(SteadyTime now) {
  if (phase_ == Phase::kIdle && (buffer_.size() > 0 || (parser_ && parser_->got_some()))) {
    // The first bytes of a request arrived: the header clock starts.
    phase_ = Phase::kHeader;
    SetDeadline(server_.options.header_timeout);
  }
  if (now < deadline_) return;
  deadline_ = SteadyTime::max();
  switch (phase_) {
    case Phase::kHeader:
    case Phase::kBody:
      // The pending read completes with operation_aborted and answers 408.
      timed_out_ = true;
      {
        beast::error_code ignored;
        socket_.cancel(ignored);
      }
      break;
    case Phase::kIdle:
      // Nothing of a next request arrived: close quietly. The pending read
      // completes with an error and finds the connection closed.
    case Phase::kWriting:
    case Phase::kLingering:
      Close();
      break;
    case Phase::kHandling:
    case Phase::kClosed:
      break;
  }
}

}  // namespace cdp::http::internal
