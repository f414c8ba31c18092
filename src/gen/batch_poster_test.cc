// The batch poster against a scripted HTTP server: how it cuts batches, what
// it sends, how it counts answers, retries 429/503 and stops on errors.

#include "gen/batch_poster.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <list>
#include <mutex>
#include <regex>
#include <thread>

namespace cdp::gen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct SeenRequest {
  std::string target;
  std::string authorization;
  std::string content_type;
  std::string body;
};

struct Reply {
  explicit Reply(int status = 200, std::string body = {}, std::string retry_after = {})
      : status(status), body(std::move(body)), retry_after(std::move(retry_after)) {}
  int status;
  std::string body;
  std::string retry_after;
  bool close = false;
};

// Number of items in a {"batch":[...]} body of the test's messages.
size_t ItemsIn(const std::string& body) {
  size_t items = 0;
  for (size_t at = body.find("\"messageId\""); at != std::string::npos;
       at = body.find("\"messageId\"", at + 1)) {
    ++items;
  }
  return items;
}

std::string Accepted(size_t n) {
  return R"({"success":true,"accepted":)" + std::to_string(n) + R"(,"duplicates":0,"rejected":[]})";
}

// A blocking HTTP/1.1 server on 127.0.0.1 that answers with `script`, one
// thread per connection, and records every request.
class ScriptedServer {
 public:
  using Script = std::function<Reply(const SeenRequest&, int index)>;

  explicit ScriptedServer(Script script) : script_(std::move(script)) {
    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { Accept(); });
  }

  ~ScriptedServer() {
    stopping_ = true;
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    accept_thread_.join();
    std::lock_guard lock(mu_);
    for (tcp::socket& socket : sockets_) ::shutdown(socket.native_handle(), SHUT_RDWR);
    for (std::thread& thread : connection_threads_) thread.join();
  }

  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<SeenRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  int connections() const { return connections_.load(); }

 private:
  void Accept() {
    while (!stopping_) {
      tcp::socket socket(io_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      ++connections_;
      std::lock_guard lock(mu_);
      sockets_.push_back(std::move(socket));
      tcp::socket* mine = &sockets_.back();
      connection_threads_.emplace_back([this, mine] { Serve(*mine); });
    }
  }

  void Serve(tcp::socket& socket) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      beast::error_code ec;
      http::read(socket, buffer, request, ec);
      if (ec) return;
      SeenRequest seen{std::string(request.target()),
                       std::string(request[http::field::authorization]),
                       std::string(request[http::field::content_type]), request.body()};
      int index;
      {
        std::lock_guard lock(mu_);
        index = static_cast<int>(requests_.size());
        requests_.push_back(seen);
      }
      const Reply reply = script_(seen, index);
      http::response<http::string_body> response{static_cast<http::status>(reply.status), 11};
      response.set(http::field::content_type, "application/json");
      if (!reply.retry_after.empty()) response.set(http::field::retry_after, reply.retry_after);
      response.keep_alive(!reply.close);
      response.body() = reply.body;
      response.prepare_payload();
      http::write(socket, response, ec);
      if (ec || reply.close) {
        ::shutdown(socket.native_handle(), SHUT_RDWR);
        return;
      }
    }
  }

  Script script_;
  asio::io_context io_;
  tcp::acceptor acceptor_{io_};
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread accept_thread_;
  mutable std::mutex mu_;
  std::list<tcp::socket> sockets_;
  std::vector<std::thread> connection_threads_;
  std::vector<SeenRequest> requests_;
};

std::string Message(int i) {
  return R"({"type":"track","event":"Tested","userId":"u1","messageId":"m-)" + std::to_string(i) +
         R"("})";
}

PosterOptions Options(const ScriptedServer& server) {
  PosterOptions options;
  options.url = server.url();
  options.key = "wk_test";
  options.concurrency = 1;
  options.reconnect_backoff = std::chrono::milliseconds(1);
  return options;
}

std::unique_ptr<BatchPoster> StartPoster(const PosterOptions& options) {
  auto poster = BatchPoster::Start(options);
  EXPECT_TRUE(poster.ok()) << poster.status().ToString();
  return poster.ok() ? std::move(poster).value() : nullptr;
}

TEST(BatchPosterTest, SendsBatchesInOrderWithBasicAuthAndCountsAnswers) {
  ScriptedServer server([](const SeenRequest& r, int) {
    return Reply{200, Accepted(ItemsIn(r.body))};
  });
  PosterOptions options = Options(server);
  options.batch_events = 500;
  auto poster = StartPoster(options);
  ASSERT_TRUE(poster);
  for (int i = 0; i < 1050; ++i) ASSERT_TRUE(poster->Add(Message(i)).ok());
  ASSERT_TRUE(poster->Finish().ok());

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(ItemsIn(requests[0].body), 500u);
  EXPECT_EQ(ItemsIn(requests[1].body), 500u);
  EXPECT_EQ(ItemsIn(requests[2].body), 50u);
  int expected = 0;
  for (const SeenRequest& request : requests) {
    EXPECT_EQ(request.target, "/v1/batch");
    EXPECT_EQ(request.authorization, "Basic d2tfdGVzdDo=");  // base64("wk_test:")
    EXPECT_EQ(request.content_type, "application/json");
    EXPECT_TRUE(request.body.starts_with(R"({"batch":[{)")) << request.body.substr(0, 40);
    EXPECT_TRUE(request.body.ends_with("}]}"));
    for (size_t at = request.body.find("\"m-"); at != std::string::npos;
         at = request.body.find("\"m-", at + 1)) {
      EXPECT_EQ(std::stoi(request.body.substr(at + 3)), expected++);
    }
  }
  EXPECT_EQ(expected, 1050);
  const PostCounts counts = poster->counts();
  EXPECT_EQ(counts.accepted, 1050u);
  EXPECT_EQ(counts.duplicates, 0u);
  EXPECT_EQ(counts.rejected, 0u);
  EXPECT_EQ(counts.requests, 3u);
  EXPECT_EQ(counts.retries, 0u);
  EXPECT_EQ(server.connections(), 1) << "one keep-alive connection";
}

TEST(BatchPosterTest, CutsBatchesBeforeTheyOutgrowTheByteLimit) {
  ScriptedServer server([](const SeenRequest& r, int) {
    return Reply{200, Accepted(ItemsIn(r.body))};
  });
  PosterOptions options = Options(server);
  options.batch_bytes = 1000;
  options.concurrency = 3;
  auto poster = StartPoster(options);
  ASSERT_TRUE(poster);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(poster->Add(Message(i)).ok());
  ASSERT_TRUE(poster->Finish().ok());
  size_t items = 0;
  for (const SeenRequest& request : server.requests()) {
    EXPECT_LE(request.body.size(), 1000u);
    items += ItemsIn(request.body);
  }
  EXPECT_EQ(items, 200u);
  EXPECT_GT(server.requests().size(), 10u);
  EXPECT_EQ(poster->counts().accepted, 200u);
}

TEST(BatchPosterTest, RetriesTooManyRequestsAfterRetryAfter) {
  ScriptedServer server([](const SeenRequest& r, int index) {
    if (index == 0) return Reply{429, R"({"error":"rate limit exceeded"})", "1"};
    return Reply{200, Accepted(ItemsIn(r.body))};
  });
  auto poster = StartPoster(Options(server));
  ASSERT_TRUE(poster);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(poster->Add(Message(i)).ok());
  ASSERT_TRUE(poster->Finish().ok());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(990));
  EXPECT_EQ(poster->counts().accepted, 10u);
  EXPECT_EQ(poster->counts().retries, 1u);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(BatchPosterTest, GivesUpAfterBoundedRetries) {
  ScriptedServer server([](const SeenRequest&, int) {
    return Reply{503, R"({"error":"event log unavailable"})", "0"};
  });
  PosterOptions options = Options(server);
  options.max_attempts = 3;
  auto poster = StartPoster(options);
  ASSERT_TRUE(poster);
  ASSERT_TRUE(poster->Add(Message(0)).ok());
  const Status status = poster->Finish();
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable);
  EXPECT_NE(status.message().find("503 after 3 attempts"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("event log unavailable"), std::string::npos);
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(BatchPosterTest, ARetryAfterBeyondTheLimitStops) {
  ScriptedServer server([](const SeenRequest&, int) {
    return Reply{429, R"({"error":"daily event quota exceeded"})", "36000"};
  });
  auto poster = StartPoster(Options(server));
  ASSERT_TRUE(poster);
  ASSERT_TRUE(poster->Add(Message(0)).ok());
  const Status status = poster->Finish();
  EXPECT_EQ(status.code(), ErrorCode::kTooManyRequests);
  EXPECT_NE(status.message().find("36000 s"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("cdp workspace limits"), std::string::npos);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(BatchPosterTest, StopsOnAClientErrorWithTheServersReason) {
  ScriptedServer server([](const SeenRequest&, int) {
    return Reply{401, R"({"error":"unknown write key"})"};
  });
  PosterOptions options = Options(server);
  options.batch_events = 10;
  auto poster = StartPoster(options);
  ASSERT_TRUE(poster);
  Status status;
  for (int i = 0; i < 1000 && status.ok(); ++i) status = poster->Add(Message(i));
  const Status finished = poster->Finish();
  EXPECT_FALSE(status.ok()) << "Add reports the failure once it is known";
  EXPECT_EQ(finished.code(), ErrorCode::kUnauthorized);
  EXPECT_EQ(finished.message(),
            "the server refused a batch with 401: unknown write key; check --write-key");
  EXPECT_EQ(server.requests().size(), 1u) << "nothing is sent after the failure";
}

TEST(BatchPosterTest, CountsDuplicatesAndKeepsTheFirstRejections) {
  ScriptedServer server([](const SeenRequest& r, int) {
    const size_t n = ItemsIn(r.body);
    return Reply{200, R"({"success":true,"accepted":)" + std::to_string(n - 2) +
                          R"(,"duplicates":1,"rejected":[{"index":3,"status":400,)"
                          R"("field":"batch[3].properties.plan","error":"plan is a number"}]})"};
  });
  PosterOptions options = Options(server);
  options.batch_events = 5;
  auto poster = StartPoster(options);
  ASSERT_TRUE(poster);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(poster->Add(Message(i)).ok());
  ASSERT_TRUE(poster->Finish().ok());
  const PostCounts counts = poster->counts();
  EXPECT_EQ(counts.accepted, 24u);
  EXPECT_EQ(counts.duplicates, 8u);
  EXPECT_EQ(counts.rejected, 8u);
  const auto rejections = poster->rejections();
  ASSERT_EQ(rejections.size(), 5u);
  EXPECT_EQ(rejections[0], "batch item 3: plan is a number (batch[3].properties.plan)");
}

TEST(BatchPosterTest, ReconnectsWhenTheServerClosesTheConnection) {
  ScriptedServer server([](const SeenRequest& r, int) {
    Reply reply{200, Accepted(ItemsIn(r.body))};
    reply.close = true;
    return reply;
  });
  PosterOptions options = Options(server);
  options.batch_events = 3;
  auto poster = StartPoster(options);
  ASSERT_TRUE(poster);
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(poster->Add(Message(i)).ok());
  ASSERT_TRUE(poster->Finish().ok());
  EXPECT_EQ(poster->counts().accepted, 12u);
  EXPECT_EQ(server.connections(), 4);
}

TEST(BatchPosterTest, ANonAnswerIsAnError) {
  ScriptedServer server([](const SeenRequest&, int) { return Reply{200, "<html>hello</html>"}; });
  auto poster = StartPoster(Options(server));
  ASSERT_TRUE(poster);
  ASSERT_TRUE(poster->Add(Message(0)).ok());
  const Status status = poster->Finish();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("not a cdp batch answer"), std::string::npos);
}

TEST(BatchPosterTest, NoServerIsAnErrorAfterTheRetries) {
  uint16_t port;
  {
    ScriptedServer closed([](const SeenRequest&, int) { return Reply{}; });
    port = closed.port();
  }
  PosterOptions options;
  options.url = "http://127.0.0.1:" + std::to_string(port);
  options.key = "wk_test";
  options.concurrency = 1;
  options.max_attempts = 2;
  options.reconnect_backoff = std::chrono::milliseconds(1);
  auto poster = StartPoster(options);
  ASSERT_TRUE(poster);
  ASSERT_TRUE(poster->Add(Message(0)).ok());
  const Status status = poster->Finish();
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable);
  EXPECT_NE(status.message().find("cannot connect to http://127.0.0.1:"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("gave up after 2 attempts"), std::string::npos);
}

TEST(BatchPosterTest, ParsesPostUrls) {
  auto target = ParsePostUrl("http://127.0.0.1:8080");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->host, "127.0.0.1");
  EXPECT_EQ(target->port, "8080");
  EXPECT_EQ(target->path, "/v1/batch");
  target = ParsePostUrl("http://cdp.internal/ingest/");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->port, "80");
  EXPECT_EQ(target->path, "/ingest/v1/batch");
  target = ParsePostUrl("http://[::1]:9000/v1/batch");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->host, "::1");
  EXPECT_EQ(target->path, "/v1/batch");
  EXPECT_FALSE(ParsePostUrl("https://cdp.example.com").ok());
  EXPECT_FALSE(ParsePostUrl("127.0.0.1:8080").ok());
  EXPECT_FALSE(ParsePostUrl("http://host:99999").ok());
  EXPECT_FALSE(ParsePostUrl("http://:8080").ok());
  EXPECT_EQ(BatchPoster::Start({.url = "http://127.0.0.1:1", .key = ""}).status().field(),
            "write-key");
}

TEST(BatchPosterTest, BasicCredentialsAreBase64OfKeyColon) {
  EXPECT_EQ(BasicCredentials("wk_test"), "Basic d2tfdGVzdDo=");
  EXPECT_EQ(BasicCredentials(""), "Basic Og==");
  EXPECT_EQ(BasicCredentials("ab"), "Basic YWI6");
}

}  // namespace
}  // namespace cdp::gen
