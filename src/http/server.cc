#include "http/server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <mutex>

#include "core/log.h"
#include "http/connection.h"

namespace cdp::http {

using internal::asio::ip::tcp;
namespace asio = internal::asio;
using internal::Connection;
using internal::EventLoop;

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, const RequestPipeline& pipeline, HttpMetrics& metrics)
      : context_(std::move(options), pipeline, metrics) {
    context_.on_drained = [this] { StopLoops(); };
  }

  ~Impl() {
    StopLoops();
    JoinThreads();
    context_.on_drained = [] {};  // connections destroyed below must not call back
    signals_.reset();
    shutdown_deadline_.reset();
    acceptor_.reset();
    work_guards_.clear();  // they refer to the loops' io_contexts
    loops_.clear();
  }

  Status Start();
  uint16_t port() const { return port_; }
  void Shutdown();
  bool Wait() {
    JoinThreads();
    return !cut_off_.load();
  }

 private:
  void Accept();
  void ScheduleSweep(EventLoop& loop);
  void WaitForSignal();
  void StopLoops();
  void JoinThreads() {
    std::lock_guard lock(join_mu_);
    for (auto& loop : loops_) {
      if (loop->thread.joinable()) loop->thread.join();
    }
  }
  std::chrono::milliseconds SweepInterval() const {
    const auto& o = context_.options;
    const auto shortest = std::min({o.header_timeout, o.body_timeout, o.idle_timeout});
    return std::clamp(shortest / 10, std::chrono::milliseconds(10), std::chrono::milliseconds(100));
  }

  internal::ServerContext context_;
  std::vector<std::unique_ptr<EventLoop>> loops_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_guards_;
  std::unique_ptr<tcp::acceptor> acceptor_;  // on loop 0
  std::unique_ptr<asio::signal_set> signals_;
  std::unique_ptr<asio::steady_timer> shutdown_deadline_;
  size_t next_loop_ = 0;
  uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> cut_off_{false};
  std::mutex join_mu_;
};

Status HttpServer::Impl::Start() {
  const auto& options = context_.options;
  for (int i = 0; i < std::max(1, options.threads); ++i) {
    loops_.push_back(std::make_unique<EventLoop>(i));
  }
  EventLoop& first = *loops_.front();

  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options.host, ec);
  if (ec) return Status::Unavailable("invalid listen address " + options.host, {});
  const tcp::endpoint endpoint(address, options.port);
  acceptor_ = std::make_unique<tcp::acceptor>(first.io);
  const std::string where = options.host + ":" + std::to_string(options.port);
  if (acceptor_->open(endpoint.protocol(), ec); ec) {
    return Status::Unavailable("cannot open a socket for " + where + ": " + ec.message(), {});
  }
  acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (acceptor_->bind(endpoint, ec); ec) {
    return Status::Unavailable("cannot listen on " + where + ": " + ec.message(), {});
  }
  if (acceptor_->listen(asio::socket_base::max_listen_connections, ec); ec) {
    return Status::Unavailable("cannot listen on " + where + ": " + ec.message(), {});
  }
  port_ = acceptor_->local_endpoint().port();

  shutdown_deadline_ = std::make_unique<asio::steady_timer>(first.io);
  if (options.handle_signals) {
    signals_ = std::make_unique<asio::signal_set>(first.io, SIGINT, SIGTERM);
    WaitForSignal();
  }
  Accept();
  for (auto& loop : loops_) {
    work_guards_.push_back(asio::make_work_guard(loop->io));
    ScheduleSweep(*loop);
    loop->thread = std::thread([this, &loop = *loop] {
      try {
        loop.io.run();
      } catch (const std::exception& e) {
        log::Error("event loop failed").Int("loop", loop.index).Str("cause", e.what());
        StopLoops();
      }
    });
  }
  log::Info("listening")
      .Str("host", options.host)
      .Int("port", port_)
      .Int("threads", static_cast<int64_t>(loops_.size()));
  return Status::Ok();
}

void HttpServer::Impl::Accept() {
  EventLoop& target = *loops_[next_loop_++ % loops_.size()];
  acceptor_->async_accept(
      target.io, [this, &target](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_->is_open()) return;
        if (ec) {
          // Out of file descriptors or a connection reset before accept: log,
          // and pause briefly so that a persistent error does not spin the loop.
          log::Warn("accept failed").Str("cause", ec.message());
          auto pause = std::make_shared<asio::steady_timer>(acceptor_->get_executor(),
                                                            std::chrono::milliseconds(50));
          pause->async_wait([this, pause](boost::system::error_code) {
            if (acceptor_->is_open()) Accept();
          });
          return;
        }
        asio::post(target.io, [this, &target, socket = std::move(socket)]() mutable {
          std::make_shared<Connection>(std::move(socket), target, context_)->Start();
        });
        Accept();
      });
}

void HttpServer::Impl::ScheduleSweep(EventLoop& loop) {
  loop.sweep_timer.expires_after(SweepInterval());
  loop.sweep_timer.async_wait([this, &loop](boost::system::error_code ec) {
    if (ec) return;
    const auto now = std::chrono::steady_clock::now();
    const std::vector<Connection*> connections(loop.connections.begin(), loop.connections.end());
    for (Connection* connection : connections) connection->OnSweep(now);
    ScheduleSweep(loop);
  });
}

void HttpServer::Impl::WaitForSignal() {
  signals_->async_wait([this](boost::system::error_code ec, int signal) {
    if (ec) return;
    if (!context_.draining.load()) {
      log::Info("shutting down").Int("signal", signal);
      Shutdown();
      WaitForSignal();
    } else {
      log::Warn("second signal: stopping without waiting").Int("signal", signal);
      cut_off_ = true;
      StopLoops();
    }
  });
}

void HttpServer::Impl::Shutdown() {
  if (loops_.empty() || context_.draining.exchange(true)) return;
  EventLoop& first = *loops_.front();
  asio::post(first.io, [this] {
    boost::system::error_code ignored;
    acceptor_->close(ignored);
    shutdown_deadline_->expires_after(context_.options.shutdown_timeout);
    shutdown_deadline_->async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      const int64_t open = context_.live_connections.load();
      if (open == 0) return;
      log::Warn("shutdown deadline passed: closing connections still open")
          .Int("connections", open);
      cut_off_ = true;
      StopLoops();
    });
  });
  for (auto& loop : loops_) {
    asio::post(loop->io, [&loop = *loop] {
      const std::vector<Connection*> connections(loop.connections.begin(), loop.connections.end());
      for (Connection* connection : connections) connection->OnDrain();
    });
  }
  if (context_.live_connections.load() == 0) StopLoops();
}

void HttpServer::Impl::StopLoops() {
  if (stopped_.exchange(true)) return;
  for (auto& loop : loops_) loop->io.stop();
}

HttpServer::HttpServer(ServerOptions options, const RequestPipeline& pipeline, HttpMetrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), pipeline, metrics)) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Start() { return impl_->Start(); }
uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::Shutdown() { impl_->Shutdown(); }
bool HttpServer::Wait() { return impl_->Wait(); }

}  // namespace cdp::http
