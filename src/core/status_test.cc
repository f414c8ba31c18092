#include "core/status.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace cdp {
namespace {

using std::chrono::seconds;

struct FactoryCase {
  Status status;
  ErrorCode code;
  int http_status;
  std::string_view name;
};

std::vector<FactoryCase> AllFactories() {
  std::vector<FactoryCase> cases;
  cases.push_back({Status::BadRequest("m"), ErrorCode::kBadRequest, 400, "BadRequest"});
  cases.push_back({Status::Unauthorized("m"), ErrorCode::kUnauthorized, 401, "Unauthorized"});
  cases.push_back({Status::Forbidden("m"), ErrorCode::kForbidden, 403, "Forbidden"});
  cases.push_back({Status::NotFound("m"), ErrorCode::kNotFound, 404, "NotFound"});
  cases.push_back({Status::MethodNotAllowed("m", "GET"), ErrorCode::kMethodNotAllowed, 405,
                   "MethodNotAllowed"});
  cases.push_back({Status::RequestTimeout("m"), ErrorCode::kRequestTimeout, 408, "RequestTimeout"});
  cases.push_back({Status::Conflict("m"), ErrorCode::kConflict, 409, "Conflict"});
  cases.push_back(
      {Status::PayloadTooLarge("m"), ErrorCode::kPayloadTooLarge, 413, "PayloadTooLarge"});
  cases.push_back({Status::UnsupportedMediaType("m"), ErrorCode::kUnsupportedMediaType, 415,
                   "UnsupportedMediaType"});
  cases.push_back({Status::UnprocessableEntity("m"), ErrorCode::kUnprocessableEntity, 422,
                   "UnprocessableEntity"});
  cases.push_back({Status::TooManyRequests("m", seconds(1)), ErrorCode::kTooManyRequests, 429,
                   "TooManyRequests"});
  cases.push_back(
      {Status::HeadersTooLarge("m"), ErrorCode::kHeadersTooLarge, 431, "HeadersTooLarge"});
  cases.push_back({Status::Internal("m"), ErrorCode::kInternal, 500, "Internal"});
  cases.push_back(
      {Status::Unavailable("m", seconds(1)), ErrorCode::kUnavailable, 503, "Unavailable"});
  return cases;
}

TEST(StatusTest, FactoriesMapToHttpStatusAndName) {
  const auto cases = AllFactories();
  ASSERT_EQ(cases.size(), 14u);
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.name));
    EXPECT_FALSE(c.status.ok());
    EXPECT_EQ(c.status.code(), c.code);
    EXPECT_EQ(c.status.http_status(), c.http_status);
    EXPECT_EQ(HttpStatusOf(c.code), c.http_status);
    EXPECT_EQ(ErrorCodeName(c.code), c.name);
    EXPECT_TRUE(c.status.ToString().starts_with(std::string(c.name) + ": ")) << c.status.ToString();
  }
}

TEST(StatusTest, EveryErrorCodeHasDistinctStatusAndName) {
  std::set<int> statuses;
  std::set<std::string_view> names;
  for (const auto& c : AllFactories()) {
    EXPECT_TRUE(statuses.insert(c.http_status).second) << c.http_status;
    EXPECT_TRUE(names.insert(c.name).second) << c.name;
  }
}

TEST(StatusTest, OkStatus) {
  const Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.code(), ErrorCode::kOk);
  EXPECT_EQ(ok.http_status(), 200);
  EXPECT_EQ(ok.message(), "");
  EXPECT_EQ(ok.field(), "");
  EXPECT_EQ(ok.cause(), "");
  EXPECT_EQ(ok.allowed_methods(), "");
  EXPECT_FALSE(ok.retry_after().has_value());
  EXPECT_EQ(ok.ToString(), "Ok");
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_EQ(ErrorCodeName(ErrorCode::kOk), "Ok");
}

TEST(StatusTest, MessageAndField) {
  const Status s = Status::BadRequest("event is required", "event");
  EXPECT_EQ(s.message(), "event is required");
  EXPECT_EQ(s.field(), "event");
  EXPECT_EQ(s.cause(), "");
  EXPECT_EQ(Status::Conflict("exists", "name").field(), "name");
  EXPECT_EQ(Status::PayloadTooLarge("too big", "body").field(), "body");
  EXPECT_EQ(Status::UnprocessableEntity("bad", "steps").field(), "steps");
  EXPECT_EQ(Status::BadRequest("no field").field(), "");
}

TEST(StatusTest, InternalHidesCause) {
  const Status s = Status::Internal("sqlite3_step: database is locked");
  EXPECT_EQ(s.message(), "internal error");
  EXPECT_EQ(s.message().find("sqlite"), std::string::npos);
  EXPECT_EQ(s.cause(), "sqlite3_step: database is locked");
  EXPECT_EQ(s.http_status(), 500);
}

TEST(StatusTest, RetryAfter) {
  EXPECT_EQ(Status::TooManyRequests("slow down", seconds(7)).retry_after(), seconds(7));
  EXPECT_EQ(Status::Unavailable("starting", seconds(5)).retry_after(), seconds(5));
  EXPECT_FALSE(Status::BadRequest("x").retry_after().has_value());
  EXPECT_FALSE(Status::Internal("x").retry_after().has_value());
}

TEST(StatusTest, AllowedMethods) {
  const Status s = Status::MethodNotAllowed("method not allowed", "GET, HEAD");
  EXPECT_EQ(s.allowed_methods(), "GET, HEAD");
  EXPECT_EQ(s.http_status(), 405);
  EXPECT_EQ(Status::NotFound("x").allowed_methods(), "");
}

TEST(StatusTest, WithFieldAndCauseChain) {
  Status s = Status::BadRequest("bad");
  Status& same = s.WithField("steps[1].event").WithCause("parser said no");
  EXPECT_EQ(&same, &s);
  EXPECT_EQ(s.field(), "steps[1].event");
  EXPECT_EQ(s.cause(), "parser said no");
  // The message a client sees does not change.
  EXPECT_EQ(s.message(), "bad");

  s.WithField("other");
  EXPECT_EQ(s.field(), "other");
}

TEST(StatusTest, WithCauseOnReturnedTemporary) {
  const Status s = Status::Unavailable("meta is down", seconds(5)).WithCause("timeout");
  EXPECT_EQ(s.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(s.cause(), "timeout");
  EXPECT_EQ(s.retry_after(), seconds(5));
}

TEST(StatusTest, PrefixField) {
  Status named = Status::BadRequest("x", "event");
  named.PrefixField("batch[3]");
  EXPECT_EQ(named.field(), "batch[3].event");

  Status index = Status::BadRequest("x", "[2]");
  index.PrefixField("steps");
  EXPECT_EQ(index.field(), "steps[2]");

  Status empty = Status::BadRequest("x");
  empty.PrefixField("batch[3]");
  EXPECT_EQ(empty.field(), "batch[3]");

  // Prefixes nest from the inside out.
  Status nested = Status::BadRequest("x", "op");
  nested.PrefixField("[0]").PrefixField("filters").PrefixField("steps[2]");
  EXPECT_EQ(nested.field(), "steps[2].filters[0].op");
}

TEST(StatusTest, CopyIsDeep) {
  Status original = Status::TooManyRequests("slow down", seconds(3));
  original.WithField("f").WithCause("c");
  Status copy(original);
  EXPECT_EQ(copy.code(), ErrorCode::kTooManyRequests);
  EXPECT_EQ(copy.message(), "slow down");
  EXPECT_EQ(copy.field(), "f");
  EXPECT_EQ(copy.cause(), "c");
  EXPECT_EQ(copy.retry_after(), seconds(3));

  // Changing the copy leaves the original alone.
  copy.WithField("g");
  EXPECT_EQ(original.field(), "f");
  EXPECT_EQ(copy.field(), "g");

  Status assigned = Status::NotFound("other");
  assigned = original;
  EXPECT_EQ(assigned.code(), ErrorCode::kTooManyRequests);
  EXPECT_EQ(assigned.field(), "f");

  // Assigning ok over an error makes it ok, and the other way round.
  assigned = Status::Ok();
  EXPECT_TRUE(assigned.ok());
  Status ok;
  ok = original;
  EXPECT_EQ(ok.code(), ErrorCode::kTooManyRequests);

  // Self-assignment keeps the value.
  Status& alias = original;
  original = alias;
  EXPECT_EQ(original.message(), "slow down");
  EXPECT_EQ(original.cause(), "c");
}

TEST(StatusTest, Move) {
  Status original = Status::MethodNotAllowed("no", "GET, POST");
  Status moved(std::move(original));
  EXPECT_EQ(moved.code(), ErrorCode::kMethodNotAllowed);
  EXPECT_EQ(moved.allowed_methods(), "GET, POST");

  Status target = Status::NotFound("x");
  target = std::move(moved);
  EXPECT_EQ(target.code(), ErrorCode::kMethodNotAllowed);
  EXPECT_EQ(target.message(), "no");
  static_assert(std::is_nothrow_move_constructible_v<Status>);
  static_assert(std::is_nothrow_move_assignable_v<Status>);
}

TEST(StatusTest, ToString) {
  EXPECT_EQ(Status::NotFound("no such workspace").ToString(), "NotFound: no such workspace");
  EXPECT_EQ(Status::BadRequest("event is required", "event").ToString(),
            "BadRequest: event is required (field: event)");
  EXPECT_EQ(Status::Internal("disk full").ToString(),
            "Internal: internal error (cause: disk full)");
  EXPECT_EQ(Status::BadRequest("bad", "f").WithCause("c").ToString(),
            "BadRequest: bad (field: f; cause: c)");
}

// Helpers exercising Result and the macros the way production code does.
Result<int> ParsePositive(int value) {
  if (value <= 0) return Status::BadRequest("must be positive", "value");
  return value;
}

Status CheckPositive(int value) {
  if (value <= 0) return Status::BadRequest("not positive");
  return Status::Ok();
}

Result<int> DoublePositive(int value, int* reached_end) {
  CDP_ASSIGN_OR_RETURN(const int parsed, ParsePositive(value));
  ++*reached_end;
  return parsed * 2;
}

Status CheckBoth(int a, int b, int* checks_passed) {
  CDP_RETURN_IF_ERROR(CheckPositive(a));
  ++*checks_passed;
  CDP_RETURN_IF_ERROR(CheckPositive(b));
  ++*checks_passed;
  return Status::Ok();
}

// Two CDP_ASSIGN_OR_RETURN in one scope must not clash.
Result<int> Sum(int a, int b) {
  CDP_ASSIGN_OR_RETURN(const int x, ParsePositive(a));
  CDP_ASSIGN_OR_RETURN(const int y, ParsePositive(b));
  return x + y;
}

Result<std::unique_ptr<int>> MakeBox(int value) {
  if (value < 0) return Status::UnprocessableEntity("negative");
  return std::make_unique<int>(value);
}

Result<int> Unbox(int value) {
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<int> box, MakeBox(value));
  return *box;
}

TEST(ResultTest, HoldsValue) {
  Result<int> r = ParsePositive(5);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 5);
  EXPECT_EQ(*r, 5);
  EXPECT_TRUE(r.status().ok());
  r.value() = 6;
  EXPECT_EQ(*r, 6);

  Result<std::string> s = std::string("abc");
  EXPECT_EQ(s->size(), 3u);
  EXPECT_EQ(std::move(s).value(), "abc");
}

TEST(ResultTest, HoldsError) {
  const Result<int> r = ParsePositive(-1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kBadRequest);
  EXPECT_EQ(r.status().message(), "must be positive");
  EXPECT_EQ(r.status().field(), "value");

  Result<int> again = ParsePositive(0);
  const Status taken = std::move(again).TakeStatus();
  EXPECT_EQ(taken.code(), ErrorCode::kBadRequest);
  EXPECT_EQ(taken.field(), "value");
}

TEST(ResultTest, AssignOrReturnPropagates) {
  int reached_end = 0;
  const Result<int> good = DoublePositive(21, &reached_end);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  EXPECT_EQ(reached_end, 1);

  const Result<int> bad = DoublePositive(-3, &reached_end);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "must be positive");
  EXPECT_EQ(bad.status().field(), "value");
  EXPECT_EQ(reached_end, 1) << "code after a failed CDP_ASSIGN_OR_RETURN must not run";
}

TEST(ResultTest, AssignOrReturnTwiceInOneScope) {
  const Result<int> good = Sum(2, 3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 5);
  EXPECT_FALSE(Sum(2, 0).ok());
  EXPECT_FALSE(Sum(0, 2).ok());
}

TEST(ResultTest, AssignOrReturnMovesOnlyTypes) {
  const Result<int> good = Unbox(9);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 9);
  const Result<int> bad = Unbox(-9);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kUnprocessableEntity);
}

TEST(ResultTest, ReturnIfErrorPropagates) {
  int checks_passed = 0;
  EXPECT_TRUE(CheckBoth(1, 2, &checks_passed).ok());
  EXPECT_EQ(checks_passed, 2);

  checks_passed = 0;
  const Status first = CheckBoth(0, 2, &checks_passed);
  EXPECT_EQ(first.code(), ErrorCode::kBadRequest);
  EXPECT_EQ(checks_passed, 0);

  checks_passed = 0;
  const Status second = CheckBoth(1, -2, &checks_passed);
  EXPECT_EQ(second.message(), "not positive");
  EXPECT_EQ(checks_passed, 1);
}

}  // namespace
}  // namespace cdp
