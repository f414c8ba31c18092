#include "http/server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "core/log.h"
#include "support/raw_http_client.h"

namespace cdp::http {
namespace {

using cdp::testing::Fetch;
using cdp::testing::RawHttpClient;
using std::chrono::milliseconds;

// A real server on a free loopback port, with short timeouts and small limits.
class ServerTest : public ::testing::Test {
 protected:
  ServerTest()
      : metrics_(2),
        pipeline_(router_, CorsPolicy::Open({"*"}), CorsPolicy::Credentialed({}), 4096) {
    router_.Add("GET", "/hello", RouteAccess::kPublic,
                [](Request&, Reply reply) { reply.Send(Response::Text(200, "hi")); });
    router_.Add("POST", "/echo", RouteAccess::kIngestion, [](Request& request, Reply reply) {
      reply.Send(Response::Text(200, request.body()));
    });
    // Answers from another thread after `?ms` (default 300) milliseconds.
    router_.Add("GET", "/slow", RouteAccess::kPublic, [this](Request& request, Reply reply) {
      const int ms = request.query().empty() ? 300 : std::stoi(std::string(request.query()));
      std::lock_guard lock(threads_mu_);
      ++slow_started_;
      threads_.emplace_back([reply = std::move(reply), ms]() mutable {
        std::this_thread::sleep_for(milliseconds(ms));
        reply.Send(Response::Text(200, "slow done"));
      });
    });
    router_.Add("GET", "/forgotten", RouteAccess::kPublic, [](Request&, Reply) {});
    // As the API's guard does once it knows the caller.
    router_.Add("GET", "/whoami", RouteAccess::kRead, [](Request& request, Reply reply) {
      request.set_actor("user:u-1");
      request.set_workspace_id("ws-1");
      reply.Send(Response::Json(200, "{}"));
    });
  }

  void SetUp() override { StartServer(ServerOptions{}); }

  void StartServer(ServerOptions options) {
    options.threads = 2;
    options.max_body_bytes = 1024;
    options.header_timeout = milliseconds(300);
    options.body_timeout = milliseconds(300);
    options.idle_timeout = milliseconds(600);
    options.shutdown_timeout = std::max(options.shutdown_timeout, milliseconds(0));
    options.access_log = access_log_;
    server_ = std::make_unique<HttpServer>(options, pipeline_, metrics_);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
  }

  void TearDown() override {
    server_->Shutdown();
    server_->Wait();
    std::lock_guard lock(threads_mu_);
    for (auto& thread : threads_) thread.join();
  }

  bool access_log_ = false;
  Router router_;
  HttpMetrics metrics_;
  RequestPipeline pipeline_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  void WaitForSlowHandlers(int count) {
    for (int i = 0; i < 500 && slow_started_.load() < count; ++i) {
      std::this_thread::sleep_for(milliseconds(10));
    }
    ASSERT_EQ(slow_started_.load(), count);
  }

  std::mutex threads_mu_;
  std::vector<std::thread> threads_;
  std::atomic<int> slow_started_{0};
};

constexpr std::string_view kGetHello = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  RawHttpClient client(port_);
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.Send(kGetHello));
    auto response = client.ReadResponse();
    ASSERT_TRUE(response.has_value()) << i;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "hi");
    EXPECT_EQ(response->Header("server"), "cdp");
    EXPECT_FALSE(response->Header("date").empty());
    EXPECT_EQ(response->Header("x-request-id").size(), 36u);  // a UUID
    EXPECT_NE(response->Header("connection"), "close");
  }
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(std::string(kGetHello) +
                          "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"));
  auto first = client.ReadResponse();
  auto second = client.ReadResponse();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, "hi");
  EXPECT_EQ(second->body, "abc");
}

TEST_F(ServerTest, UnknownRouteAndWrongMethodAreJsonErrors) {
  auto missing = Fetch(port_, "GET", "/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->Header("content-type"), "application/json");
  EXPECT_NE(missing->body.find("\"error\":"), std::string::npos);

  auto wrong = Fetch(port_, "DELETE", "/hello");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->Header("allow"), "GET, HEAD, OPTIONS");
}

TEST_F(ServerTest, RequestIdIsEchoedWhenValidAndReplacedWhenNot) {
  auto kept = Fetch(port_, "GET", "/hello", {}, {{"X-Request-Id", "abc-123"}});
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->Header("x-request-id"), "abc-123");
  auto replaced = Fetch(port_, "GET", "/hello", {}, {{"X-Request-Id", "bad id with spaces"}});
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->Header("x-request-id").size(), 36u);
}

TEST_F(ServerTest, DeclaredBodyOverLimitIs413AndConnectionCloses) {
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_NE(response->body.find("exceeds"), std::string::npos);
  EXPECT_TRUE(client.WaitForClose(milliseconds(3000)));
}

TEST_F(ServerTest, ChunkedBodyOverLimitIs413) {
  RawHttpClient client(port_);
  std::string request = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) request += "200\r\n" + std::string(512, 'a') + "\r\n";
  request += "0\r\n\r\n";
  client.Send(request);
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
}

TEST_F(ServerTest, BodyWithinLimitIsAccepted) {
  auto response = Fetch(port_, "POST", "/echo", std::string(1024, 'z'));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body.size(), 1024u);
}

TEST_F(ServerTest, GzipBodyIsInflatedAndBombIsRefused) {
  auto ok = Fetch(port_, "POST", "/echo", cdp::testing::Gzip("hello gzip"),
                  {{"Content-Encoding", "gzip"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "hello gzip");

  // 512 KB of zeros gzips to ~500 bytes: within the wire limit, over the decoded one.
  const std::string bomb = cdp::testing::Gzip(std::string(512 << 10, '\0'));
  ASSERT_LE(bomb.size(), 1024u);
  auto refused = Fetch(port_, "POST", "/echo", bomb, {{"Content-Encoding", "gzip"}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 413);
}

TEST_F(ServerTest, StalledHeadersGet408) {
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send("GET /hello HTTP/1.1\r\nHost:"));
  auto response = client.ReadResponse(milliseconds(3000));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_EQ(response->Header("x-request-id").size(), 36u);
}

TEST_F(ServerTest, StalledBodyGets408) {
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"));
  auto response = client.ReadResponse(milliseconds(3000));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
}

TEST_F(ServerTest, IdleConnectionIsClosedQuietly) {
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(kGetHello));
  ASSERT_TRUE(client.ReadResponse());
  // No 408 for a connection that simply has nothing more to ask.
  EXPECT_TRUE(client.WaitForClose(milliseconds(3000)));
  EXPECT_FALSE(client.ReadResponse(milliseconds(100)).has_value());
}

TEST_F(ServerTest, OversizedHeadersGet431) {
  auto response = Fetch(port_, "GET", "/hello", {}, {{"X-Big", std::string(20'000, 'h')}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
}

TEST_F(ServerTest, MalformedRequestGets400) {
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send("THIS IS NOT HTTP\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
}

TEST_F(ServerTest, HeadGetsHeadersWithoutBody) {
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n" + std::string(kGetHello)));
  auto head = client.ReadResponse(milliseconds(3000), /*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("content-length"), "2");
  // The next response on the same connection starts right after the headers.
  auto get = client.ReadResponse();
  ASSERT_TRUE(get);
  EXPECT_EQ(get->body, "hi");
}

TEST_F(ServerTest, ExpectContinueGets100ThenTheResponse) {
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
  ASSERT_TRUE(client.Send("data"));
  auto response = client.ReadResponse();  // skips the interim 100
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "data");
}

TEST_F(ServerTest, CorsPreflight) {
  auto response = Fetch(port_, "OPTIONS", "/echo", {},
                        {{"Origin", "https://shop.example"},
                         {"Access-Control-Request-Method", "POST"},
                         {"Access-Control-Request-Headers", "content-type"}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 204);
  EXPECT_EQ(response->Header("access-control-allow-origin"), "https://shop.example");
  EXPECT_EQ(response->Header("access-control-allow-methods"), "OPTIONS, POST");
  EXPECT_EQ(response->Header("access-control-allow-headers"), "content-type");
}

TEST_F(ServerTest, HandlerMayAnswerFromAnotherThread) {
  auto response = Fetch(port_, "GET", "/slow?50");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "slow done");
}

TEST_F(ServerTest, HandlerThatNeverRepliesYields500) {
  auto response = Fetch(port_, "GET", "/forgotten");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_NE(response->body.find("internal error"), std::string::npos);
}

TEST_F(ServerTest, MetricsCountRequestsByRoute) {
  ASSERT_TRUE(Fetch(port_, "GET", "/hello"));
  ASSERT_TRUE(Fetch(port_, "GET", "/hello"));
  ASSERT_TRUE(Fetch(port_, "GET", "/nope"));
  // A request is counted once its response is written, just after the
  // client may have read it.
  const std::string unmatched =
      "cdp_http_requests_total{route=\"(unmatched)\",method=\"GET\",status=\"404\"} 1";
  std::string text;
  for (int i = 0; i < 200 && text.find(unmatched) == std::string::npos; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
    text = metrics_.RenderPrometheus();
  }
  EXPECT_NE(text.find("cdp_http_requests_total{route=\"/hello\",method=\"GET\",status=\"200\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(unmatched), std::string::npos);
}

TEST_F(ServerTest, RequestAlreadyReceivedWhenShutdownStartsIsServed) {
  // Two pipelined requests in one packet: while the first is being handled,
  // the second already sits in the server's buffer. Shutdown must answer it
  // rather than drop it. (A request still on the wire when the server closes
  // an idle connection is the race every HTTP client retries; not this.)
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send("GET /slow?200 HTTP/1.1\r\nHost: x\r\n\r\n" + std::string(kGetHello)));
  WaitForSlowHandlers(1);
  server_->Shutdown();
  auto slow = client.ReadResponse(milliseconds(3000));
  ASSERT_TRUE(slow);
  EXPECT_EQ(slow->body, "slow done");
  auto pipelined = client.ReadResponse(milliseconds(3000));
  ASSERT_TRUE(pipelined);
  EXPECT_EQ(pipelined->status, 200);
  EXPECT_EQ(pipelined->body, "hi");
  EXPECT_EQ(pipelined->Header("connection"), "close");
}

TEST_F(ServerTest, ShutdownLetsInFlightRequestFinishAndClosesIdleOnes) {
  RawHttpClient idle(port_);
  ASSERT_TRUE(idle.Send(kGetHello));
  ASSERT_TRUE(idle.ReadResponse());

  RawHttpClient busy(port_);
  ASSERT_TRUE(busy.Send("GET /slow?400 HTTP/1.1\r\nHost: x\r\n\r\n"));
  WaitForSlowHandlers(1);
  server_->Shutdown();

  EXPECT_TRUE(idle.WaitForClose(milliseconds(2000)));
  auto response = busy.ReadResponse(milliseconds(3000));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "slow done");
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(server_->Wait());  // finished before the deadline
  RawHttpClient late(port_);
  EXPECT_FALSE(late.connected() && late.Send(kGetHello) && late.ReadResponse(milliseconds(300)));
}

TEST_F(ServerTest, ShutdownDeadlineCutsOffSlowHandlers) {
  server_->Shutdown();
  server_->Wait();
  ServerOptions options;
  options.shutdown_timeout = milliseconds(100);
  StartServer(options);
  RawHttpClient busy(port_);
  ASSERT_TRUE(busy.Send("GET /slow?1500 HTTP/1.1\r\nHost: x\r\n\r\n"));
  WaitForSlowHandlers(1);
  server_->Shutdown();
  EXPECT_FALSE(server_->Wait());  // cut off: the handler was still running
}

TEST_F(ServerTest, AccessLogNamesTheActorAndNeverACredential) {
  server_->Shutdown();
  server_->Wait();
  char path[] = "/tmp/cdp_server_test_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  unlink(path);
  log::Init({.level = log::Level::kInfo, .fd = fd});
  access_log_ = true;
  StartServer(ServerOptions{});
  const std::string secret = "sk_" + std::string(40, 'S');
  const std::string token = "st_" + std::string(43, 'T');
  auto response = Fetch(port_, "GET", "/whoami?api_key=wk_inquery", {},
                        {{"Authorization", "Bearer " + secret},
                         {"Cookie", "theme=dark; cdp_session=" + token},
                         {"X-Write-Key", "wk_" + std::string(32, 'W')}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  server_->Shutdown();
  server_->Wait();
  log::Flush();
  std::string written;
  char buffer[4096];
  for (off_t offset = 0;;) {
    const ssize_t n = pread(fd, buffer, sizeof(buffer), offset);
    if (n <= 0) break;
    written.append(buffer, static_cast<size_t>(n));
    offset += n;
  }
  log::Init({.level = log::Level::kInfo, .fd = STDERR_FILENO});
  close(fd);
  access_log_ = false;
  StartServer(ServerOptions{});  // for TearDown

  const size_t line_start = written.find("\"route\":\"/whoami\"");
  ASSERT_NE(line_start, std::string::npos) << written;
  EXPECT_NE(written.find("\"actor\":\"user:u-1\""), std::string::npos) << written;
  EXPECT_NE(written.find("\"workspace_id\":\"ws-1\""), std::string::npos) << written;
  for (const std::string& never : {secret, token, std::string("SSSSSSSS"), std::string("TTTTTTTT"),
                                   std::string("WWWWWWWW"), std::string("wk_inquery")}) {
    EXPECT_EQ(written.find(never), std::string::npos) << never << " in " << written;
  }
}

}  // namespace
}  // namespace cdp::http
