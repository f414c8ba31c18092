#pragma once

// Internal to the http library: the per-connection state machine and the
// event loop it runs on. Only server.cc and connection.cc include this
// (it pulls in Boost.Beast, which is slow to compile).

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_set>

#include "http/pipeline.h"
#include "http/reply.h"
#include "http/server.h"

namespace cdp::http::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using SteadyTime = std::chrono::steady_clock::time_point;

class Connection;

// What every connection of one server shares.
struct ServerContext {
  ServerContext(ServerOptions server_options, const RequestPipeline& request_pipeline,
                HttpMetrics& http_metrics)
      : options(std::move(server_options)), pipeline(request_pipeline), metrics(http_metrics) {}

  ServerOptions options;
  const RequestPipeline& pipeline;
  HttpMetrics& metrics;
  std::atomic<bool> draining{false};
  std::atomic<int64_t> live_connections{0};
  // Called (from any thread) when the last connection closes while draining.
  std::function<void()> on_drained;
};

// One io_context run by one thread. The connection set is touched only on
// that thread.
struct EventLoop {
  explicit EventLoop(int loop_index) : io(1), sweep_timer(io), index(loop_index) {}

  // Declared before io: destroying io destroys pending handlers, and with them
  // connections, which unregister themselves from this set.
  std::unordered_set<Connection*> connections;
  asio::io_context io;
  asio::steady_timer sweep_timer;  // checks connection deadlines periodically
  std::thread thread;
  int index;
};

// One client connection: reads requests one after another, hands each to the
// pipeline, writes the reply. Owned through shared_ptr by its pending
// asynchronous operations and by an outstanding Reply.
class Connection final : public ReplyTarget, public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, EventLoop& loop, ServerContext& server);
  ~Connection() override;

  // The methods below run on the loop's thread.
  void Start();
  // Closes the connection if it is between requests with nothing received;
  // otherwise it closes after the current response.
  void OnDrain();
  // Acts on an expired deadline.
  void OnSweep(SteadyTime now);

  // ReplyTarget: may be called from any thread.
  void Complete(Response response) override;
  const std::string& RequestIdForReply() const override { return request_.request_id(); }

 private:
  enum class Phase { kIdle, kHeader, kBody, kHandling, kWriting, kLingering, kClosed };

  bool HasUnreadBytes();
  void WaitForRequest();
  void OnHeader(beast::error_code ec);
  void ReadBody();
  void OnBody(beast::error_code ec);
  void HandleRequest();
  // Answers before the request reached a handler (408, 413, 400, ...) and
  // closes the connection afterwards.
  void FailEarly(const Status& status, std::string_view route);
  void Write(Response response);
  void OnWritten(beast::error_code ec, size_t bytes);
  void LogAccess(int status, size_t bytes_out) const;
  void LingerThenClose();
  void DiscardUntilClosed();
  void Close();
  void SetDeadline(std::chrono::milliseconds timeout);

  tcp::socket socket_;
  EventLoop& loop_;
  ServerContext& server_;
  std::string remote_address_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::request<bhttp::string_body> message_;
  int response_status_ = 0;
  std::string response_head_;  // serialized status line and headers
  std::string response_body_;
  Request request_;
  Phase phase_ = Phase::kIdle;
  SteadyTime deadline_ = SteadyTime::max();
  bool timed_out_ = false;
  bool keep_alive_ = true;
  bool is_head_ = false;
  std::array<char, 4096> discard_buffer_{};
};

}  // namespace cdp::http::internal
