#include "http/response_head.h"

#include <gtest/gtest.h>

namespace cdp::http {
namespace {

constexpr std::string_view kDate = "Wed, 25 Nov 2026 21:00:00 GMT";

TEST(ResponseHeadTest, StatusLineStandardHeadersAndBlankLine) {
  Response response = Response::Json(200, R"({"status":"ok"})");
  response.headers.emplace_back("X-Request-Id", "abc");
  EXPECT_EQ(SerializeResponseHead(response, kDate, true),
            "HTTP/1.1 200 OK\r\n"
            "Server: cdp\r\n"
            "Date: Wed, 25 Nov 2026 21:00:00 GMT\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 15\r\n"
            "X-Request-Id: abc\r\n"
            "Connection: keep-alive\r\n"
            "\r\n");
}

TEST(ResponseHeadTest, CloseAndErrorStatus) {
  const std::string head =
      SerializeResponseHead(Response::Json(413, "{}"), kDate, /*keep_alive=*/false);
  EXPECT_TRUE(head.starts_with("HTTP/1.1 413 Content Too Large\r\n")) << head;
  EXPECT_NE(head.find("Connection: close\r\n\r\n"), std::string::npos);
}

TEST(ResponseHeadTest, NoContentHasNoLengthOrType) {
  const std::string head = SerializeResponseHead(Response::NoContent(), kDate, true);
  EXPECT_TRUE(head.starts_with("HTTP/1.1 204 No Content\r\n"));
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);
  EXPECT_EQ(head.find("Content-Type"), std::string::npos);
}

TEST(ResponseHeadTest, EmptyBodyStillHasZeroLength) {
  const std::string head = SerializeResponseHead(Response::Text(200, ""), kDate, true);
  EXPECT_NE(head.find("Content-Length: 0\r\n"), std::string::npos);
}

TEST(ResponseHeadTest, LineBreaksInHeadersCannotSplitTheResponse) {
  Response response = Response::Text(200, "x");
  response.headers.emplace_back("Access-Control-Allow-Origin",
                                "https://a.example\r\nSet-Cookie: stolen=1");
  const std::string head = SerializeResponseHead(response, kDate, true);
  EXPECT_EQ(head.find("\r\nSet-Cookie"), std::string::npos) << head;
  EXPECT_NE(head.find("https://a.example  Set-Cookie: stolen=1\r\n"), std::string::npos);
}

TEST(ResponseHeadTest, UnknownStatusGetsAPhrase) {
  EXPECT_TRUE(SerializeResponseHead(Response::Text(299, "x"), kDate, true)
                  .starts_with("HTTP/1.1 299 Unknown\r\n"));
  EXPECT_EQ(ReasonPhrase(429), "Too Many Requests");
}

}  // namespace
}  // namespace cdp::http
