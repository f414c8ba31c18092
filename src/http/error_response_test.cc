#include "http/error_response.h"

#include <gtest/gtest.h>

namespace cdp::http {
namespace {

TEST(ErrorResponseTest, BadRequestCarriesMessageFieldAndRequestId) {
  Response response =
      ErrorResponse(Status::BadRequest("event is required", "batch[2].event"), "req-1");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body,
            R"({"error":"event is required","field":"batch[2].event","request_id":"req-1"})");
}

TEST(ErrorResponseTest, FieldIsOmittedWhenEmpty) {
  Response response = ErrorResponse(Status::NotFound("no route for /x"), "r");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body, R"({"error":"no route for /x","request_id":"r"})");
}

TEST(ErrorResponseTest, EveryCodeMapsToItsHttpStatus) {
  const std::pair<Status, int> cases[] = {
      {Status::BadRequest("m"), 400},
      {Status::Unauthorized("m"), 401},
      {Status::Forbidden("m"), 403},
      {Status::NotFound("m"), 404},
      {Status::MethodNotAllowed("m", "GET"), 405},
      {Status::RequestTimeout("m"), 408},
      {Status::Conflict("m"), 409},
      {Status::PayloadTooLarge("m"), 413},
      {Status::UnsupportedMediaType("m"), 415},
      {Status::UnprocessableEntity("m"), 422},
      {Status::TooManyRequests("m", std::chrono::seconds(3)), 429},
      {Status::HeadersTooLarge("m"), 431},
      {Status::Internal("boom"), 500},
      {Status::Unavailable("m", std::chrono::seconds(1)), 503},
  };
  for (const auto& [status, code] : cases) {
    EXPECT_EQ(ErrorResponse(status, "r").status, code) << status.ToString();
  }
}

TEST(ErrorResponseTest, InternalCauseNeverReachesTheClient) {
  Response response =
      ErrorResponse(Status::Internal("sqlite: disk I/O error at /var/lib/cdp/meta.sqlite"), "r");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("sqlite"), std::string::npos);
  EXPECT_NE(response.body.find("internal error"), std::string::npos);
}

TEST(ErrorResponseTest, RetryAfterAndAllowHeaders) {
  Response limited =
      ErrorResponse(Status::TooManyRequests("slow down", std::chrono::seconds(7)), "r");
  EXPECT_EQ(limited.Header("Retry-After"), "7");
  Response unavailable =
      ErrorResponse(Status::Unavailable("starting", std::chrono::seconds(2)), "r");
  EXPECT_EQ(unavailable.Header("retry-after"), "2");
  Response method = ErrorResponse(Status::MethodNotAllowed("no", "GET, HEAD"), "r");
  EXPECT_EQ(method.Header("Allow"), "GET, HEAD");
}

TEST(ErrorResponseTest, MessagesAreJsonEscaped) {
  Response response = ErrorResponse(Status::BadRequest("bad \"quote\"\n", "a\\b"), "");
  EXPECT_EQ(response.body, R"({"error":"bad \"quote\"\n","field":"a\\b"})");
}

}  // namespace
}  // namespace cdp::http
