#include "ingest/ingest_service.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <map>
#include <mutex>

#include "auth/api_key_format.h"
#include "auth/api_key_service.h"
#include "ingest/ingest_test_env.h"

namespace cdp::ingest {
namespace {

using namespace std::chrono_literals;
using testing::IngestTestEnv;

std::string Track(std::string_view message_id, std::string_view properties = "{}") {
  return fmt::format(R"({{"userId":"u1","event":"Signed Up","messageId":"{}","properties":{}}})",
                     message_id, properties);
}

std::string BatchOf(const std::vector<std::string>& items) {
  std::string body = R"({"batch":[)";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) body += ",";
    // Batch items need their type; Track() leaves it to the endpoint.
    body += R"({"type":"track",)" + items[i].substr(1);
  }
  return body + "]}";
}

std::vector<std::string> MessageIds(const std::vector<Event>& events) {
  std::vector<std::string> ids;
  for (const Event& event : events) ids.push_back(event.message_id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST(IngestServiceTest, AcceptsAnEventWithTheWriteKeyInTheHeadersAndStoresIt) {
  IngestTestEnv env;
  const IngestResult result = env.Segment(Track("m1", R"({"plan":"pro"})"));
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_FALSE(result.batch);
  EXPECT_EQ(result.workspace_id, env.workspace_id());
  EXPECT_EQ(result.accepted, 1u);
  EXPECT_EQ(result.duplicates, 0u);
  EXPECT_TRUE(result.rejected.empty());
  ASSERT_TRUE(result.rate.has_value());
  EXPECT_EQ(result.rate->remaining_today, 1'000'000 - 1);

  const std::vector<Event> logged = env.LoggedEvents();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].workspace_id, env.workspace_id());
  EXPECT_EQ(logged[0].message_id, "m1");
  EXPECT_EQ(logged[0].event, "Signed Up");
  EXPECT_EQ(logged[0].received_at, testing::kTestNow);
}

TEST(IngestServiceTest, TakesTheKeyFromTheBodyWhenTheHeadersHaveNone) {
  IngestTestEnv env;
  const std::string segment =
      fmt::format(R"({{"writeKey":"{}","userId":"u1","event":"E"}})", env.workspace_.write_key);
  IngestResult result = env.Ingest(
      {.format = IngestFormat::kSegment, .single_type = EventType::kTrack, .body = segment});
  EXPECT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ(result.accepted, 1u);

  const std::string capture = fmt::format(
      R"({{"api_key":"{}","event":"$identify","distinct_id":"u1","properties":{{"$anon_distinct_id":"a1"}}}})",
      env.workspace_.write_key);
  result = env.Ingest({.format = IngestFormat::kCapture, .body = capture});
  EXPECT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ(result.accepted, 1u);

  const std::vector<Event> logged = env.LoggedEvents();
  ASSERT_EQ(logged.size(), 2u);
  const auto identify = std::find_if(logged.begin(), logged.end(), [](const Event& event) {
    return event.type == EventType::kIdentify;
  });
  ASSERT_NE(identify, logged.end());
  EXPECT_EQ(identify->user_id, "u1");
  EXPECT_EQ(identify->anonymous_id, "a1");
}

TEST(IngestServiceTest, MissingAndUnknownKeysAre401AndStoreNothing) {
  IngestTestEnv env;
  IngestResult missing = env.Ingest(
      {.format = IngestFormat::kSegment, .single_type = EventType::kTrack, .body = Track("m1")});
  EXPECT_EQ(missing.status.code(), ErrorCode::kUnauthorized);
  EXPECT_NE(missing.status.message().find("write key"), std::string::npos);

  EXPECT_EQ(env.Segment(Track("m2"), EventType::kTrack, "wk_" + std::string(32, 'x')).status.code(),
            ErrorCode::kUnauthorized);
  EXPECT_EQ(env.Segment(Track("m3"), EventType::kTrack, "sk_" + std::string(40, 'x')).status.code(),
            ErrorCode::kUnauthorized);
  EXPECT_TRUE(env.LoggedEvents().empty());
}

TEST(IngestServiceTest, ARequestOverTheSizeLimitIs413AndSaysTheLimit) {
  IngestTestEnv env({.max_request_bytes = 2048});
  const std::string big = Track("m1", fmt::format(R"({{"text":"{}"}})", std::string(3000, 'a')));
  const IngestResult result = env.Segment(big);
  EXPECT_EQ(result.status.code(), ErrorCode::kPayloadTooLarge);
  EXPECT_NE(result.status.message().find("2048 bytes"), std::string::npos)
      << result.status.message();
  EXPECT_TRUE(env.LoggedEvents().empty());
}

TEST(IngestServiceTest, ABatchKeepsItsGoodItemsAndListsTheRefusedOnesInOrder) {
  IngestTestEnv env;
  ASSERT_TRUE(env.Segment(Track("seed", R"({"plan":"pro"})")).status.ok());
  const std::string body = BatchOf({
      Track("b0"),
      R"({"userId":"u1","messageId":"b1"})",  // no event name: the parser refuses it
      Track("b2", R"({"plan":7})"),           // a type conflict: the schema refuses it
      Track("b3"),
  });
  const IngestResult result = env.Segment(body, std::nullopt);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_TRUE(result.batch);
  EXPECT_EQ(result.accepted, 2u);
  ASSERT_EQ(result.rejected.size(), 2u);
  EXPECT_EQ(result.rejected[0].index, 1u);
  EXPECT_EQ(result.rejected[0].status.field(), "batch[1].event");
  EXPECT_EQ(result.rejected[1].index, 2u);
  EXPECT_EQ(result.rejected[1].status.code(), ErrorCode::kBadRequest);
  EXPECT_EQ(result.rejected[1].status.field(), "batch[2].properties.plan");
  EXPECT_EQ(MessageIds(env.LoggedEvents()), (std::vector<std::string>{"b0", "b3", "seed"}));
}

TEST(IngestServiceTest, OverTheRateLimitIs429WithRetryAfterAndStoresNothing) {
  IngestTestEnv env({}, {.requests_per_second = 1, .burst_requests = 1});
  ASSERT_TRUE(env.Segment(Track("m1")).status.ok());
  const IngestResult refused = env.Segment(Track("m2"));
  EXPECT_EQ(refused.status.code(), ErrorCode::kTooManyRequests);
  ASSERT_TRUE(refused.status.retry_after().has_value());
  EXPECT_GE(*refused.status.retry_after(), 1s);
  ASSERT_TRUE(refused.rate.has_value());
  EXPECT_GT(refused.rate->reset_at, env.clock_.Now());
  EXPECT_EQ(MessageIds(env.LoggedEvents()), std::vector<std::string>{"m1"});

  // The refused message id was never reserved: once admitted it is stored.
  env.clock_.Advance(10s);
  const IngestResult retried = env.Segment(Track("m2"));
  EXPECT_EQ(retried.accepted, 1u);
  EXPECT_EQ(retried.duplicates, 0u);
}

TEST(IngestServiceTest, LateEventsAre422UnlessSentWithASecretKey) {
  IngestTestEnv env;
  const std::string sent = FormatIso8601(testing::kTestNow - 25h);
  const std::string late = fmt::format(
      R"({{"userId":"u1","event":"E","messageId":"late","timestamp":"{}","sentAt":"{}"}})", sent,
      sent);
  IngestResult result = env.Segment(late);
  EXPECT_EQ(result.status.ok(), true);
  ASSERT_EQ(result.rejected.size(), 1u);
  EXPECT_EQ(result.rejected[0].status.code(), ErrorCode::kUnprocessableEntity);
  EXPECT_EQ(result.rejected[0].status.field(), "sentAt");
  EXPECT_NE(result.rejected[0].status.message().find("secret key"), std::string::npos);

  // Without sentAt the client's timestamp says when it was sent.
  const std::string old_timestamp =
      fmt::format(R"({{"userId":"u1","event":"E","messageId":"old","timestamp":"{}"}})", sent);
  result = env.Segment(old_timestamp);
  ASSERT_EQ(result.rejected.size(), 1u);
  EXPECT_EQ(result.rejected[0].status.field(), "timestamp");

  // Within the limit: accepted.
  const std::string recent = FormatIso8601(testing::kTestNow - 23h);
  result = env.Segment(fmt::format(
      R"({{"userId":"u1","event":"E","messageId":"recent","timestamp":"{}","sentAt":"{}"}})",
      recent, recent));
  EXPECT_EQ(result.accepted, 1u);

  // A back-fill with the secret key.
  result = env.Segment(late, EventType::kTrack, env.workspace_.secret_key);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ(result.accepted, 1u);
  EXPECT_EQ(result.workspace_id, env.workspace_id());
  EXPECT_EQ(MessageIds(env.LoggedEvents()), (std::vector<std::string>{"late", "recent"}));
}

// Only an admin secret key of the workspace may back-fill: a read-scope key
// is forbidden (reading is not writing), a revoked or unknown one
// unauthorized; and a revocation reaches ingestion at once (secret keys are
// not cached).
TEST(IngestServiceTest, OnlyALiveAdminSecretKeySendsEvents) {
  IngestTestEnv env;
  ApiKeyService keys(*env.store_, env.clock_);
  auto read = keys.Create(env.workspace_id(), {ApiKeyKind::kSecret, ApiKeyScope::kRead, "r"}, "");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  IngestResult result = env.Segment(Track("m1"), EventType::kTrack, read->key);
  EXPECT_EQ(result.status.code(), ErrorCode::kForbidden);
  EXPECT_EQ(result.status.message().find(read->key), std::string::npos);
  EXPECT_EQ(result.accepted, 0u);

  result = env.Segment(Track("m2"), EventType::kTrack, NewSecretKey());
  EXPECT_EQ(result.status.code(), ErrorCode::kUnauthorized);
  result = env.Segment(Track("m3"), EventType::kTrack, "sk_malformed");
  EXPECT_EQ(result.status.code(), ErrorCode::kUnauthorized);

  auto admin = keys.Create(env.workspace_id(), {ApiKeyKind::kSecret, ApiKeyScope::kAdmin, "a"}, "");
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ(env.Segment(Track("m4"), EventType::kTrack, admin->key).accepted, 1u);
  ASSERT_TRUE(keys.Revoke(env.workspace_id(), admin->api_key.id).ok());
  result = env.Segment(Track("m5"), EventType::kTrack, admin->key);
  EXPECT_EQ(result.status.code(), ErrorCode::kUnauthorized);
  EXPECT_EQ(MessageIds(env.LoggedEvents()), std::vector<std::string>{"m4"});
}

// A write key revoked through the key service stops working once the key
// cache's answer expires (30 s, within the 60 s the issue allows).
TEST(IngestServiceTest, ARevokedWriteKeyStopsWithinTheCacheTtl) {
  IngestTestEnv env;
  EXPECT_EQ(env.Segment(Track("m1")).accepted, 1u);
  ApiKeyService keys(*env.store_, env.clock_);
  ASSERT_TRUE(keys.Revoke(env.workspace_id(), env.workspace_.write_api_key.id).ok());
  env.clock_.Advance(WriteKeyAuthenticator::kDefaultTtl);
  const IngestResult refused = env.Segment(Track("m2"));
  EXPECT_EQ(refused.status.code(), ErrorCode::kUnauthorized);
  EXPECT_EQ(MessageIds(env.LoggedEvents()), std::vector<std::string>{"m1"});
}

TEST(IngestServiceTest, ADuplicateMessageIdIsAcknowledgedAndStoredOnce) {
  IngestTestEnv env;
  EXPECT_EQ(env.Segment(Track("m1")).accepted, 1u);
  const IngestResult again = env.Segment(Track("m1"));
  ASSERT_TRUE(again.status.ok());
  EXPECT_EQ(again.accepted, 0u);
  EXPECT_EQ(again.duplicates, 1u);

  // Within one batch too; and the same id in another workspace is another event.
  const IngestResult batch =
      env.Segment(BatchOf({Track("m2"), Track("m2"), Track("m1")}), std::nullopt);
  EXPECT_EQ(batch.accepted, 1u);
  EXPECT_EQ(batch.duplicates, 2u);
  EXPECT_EQ(env.Segment(Track("m1"), EventType::kTrack, env.other_.write_key).accepted, 1u);

  EXPECT_EQ(MessageIds(env.LoggedEvents()), (std::vector<std::string>{"m1", "m1", "m2"}));
}

TEST(IngestServiceTest, ATypeConflictIs400NamingTheFieldAndDeadLettersTheEvent) {
  IngestTestEnv env;
  ASSERT_EQ(env.Segment(Track("m1", R"({"plan":"pro","seats":3})")).accepted, 1u);
  const IngestResult result = env.Segment(Track("m2", R"({"plan":{"tier":1},"seats":"four"})"));
  ASSERT_TRUE(result.status.ok());
  ASSERT_EQ(result.rejected.size(), 1u);
  const Status& refusal = result.rejected[0].status;
  EXPECT_EQ(refusal.code(), ErrorCode::kBadRequest);
  EXPECT_EQ(refusal.field(), "properties.seats");
  EXPECT_EQ(refusal.message(),
            "properties.seats is a string, but the schema registered it as a number");

  const std::vector<DeadLetter> letters = env.DeadLetters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].reason.field, "properties.seats");
  EXPECT_EQ(letters[0].received_at, testing::kTestNow);
  Result<Event> kept = DecodeEvent(letters[0].payload);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->message_id, "m2");
  EXPECT_EQ(kept->workspace_id, env.workspace_id());

  // Not stored, so the corrected event with the same message id is no duplicate.
  const IngestResult fixed = env.Segment(Track("m2", R"({"plan":"team","seats":4})"));
  EXPECT_EQ(fixed.accepted, 1u);
  EXPECT_EQ(MessageIds(env.LoggedEvents()), (std::vector<std::string>{"m1", "m2"}));
}

TEST(IngestServiceTest, TheConnectionGivesTheIpUnlessTheEventCarriesOne) {
  IngestTestEnv env;
  ASSERT_EQ(env.Segment(Track("m1")).accepted, 1u);
  ASSERT_EQ(
      env.Segment(R"({"userId":"u1","event":"E","messageId":"m2","context":{"ip":"198.51.100.7"}})")
          .accepted,
      1u);
  std::map<std::string, std::string> ip_of;
  for (const Event& event : env.LoggedEvents()) {
    for (const Property& property : event.context) {
      if (property.name == "ip") ip_of[event.message_id] = std::get<std::string>(property.value);
    }
  }
  EXPECT_EQ(ip_of["m1"], "203.0.113.9");
  EXPECT_EQ(ip_of["m2"], "198.51.100.7");
}

// A log whose appends fail, as a full disk would make them.
class FailingEventLog final : public EventLog {
 public:
  int partition_count() const override { return 1; }
  void Append(std::vector<LogAppend>, AppendDone done) override {
    done(Status::Internal("write: No space left on device"), {});
  }
  Result<LogReadBatch> Read(int, uint64_t, size_t) override { return LogReadBatch{}; }
  Result<uint64_t> EndOffset(int) override { return uint64_t{0}; }
  Status Commit(std::string_view, int, uint64_t) override { return Status::Ok(); }
  Result<uint64_t> Committed(std::string_view, int) override { return uint64_t{0}; }
};

TEST(IngestServiceTest, AFailedAppendIs503AndReleasesTheMessageIds) {
  FailingEventLog failing;
  IngestTestEnv env({}, {}, &failing);
  const IngestResult failed = env.Segment(BatchOf({Track("m1"), Track("m2")}), std::nullopt);
  EXPECT_EQ(failed.status.code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(failed.status.retry_after().has_value());
  EXPECT_EQ(failed.accepted, 0u);
  // The client's retry must not be taken for a duplicate.
  EXPECT_TRUE(env.dedup_.TryReserve(env.workspace_id(), "m1", env.clock_.Now()));
  EXPECT_TRUE(env.dedup_.TryReserve(env.workspace_id(), "m2", env.clock_.Now()));
}

// The real log behind a gate: appends wait until the test lets them through
// (or fails them), so that a request can be caught while its append is in flight.
class GatedEventLog final : public EventLog {
 public:
  explicit GatedEventLog(EventLog& inner) : inner_(inner) {}
  int partition_count() const override { return inner_.partition_count(); }
  void Append(std::vector<LogAppend> records, AppendDone done) override {
    std::lock_guard lock(mu_);
    held_.push_back({std::move(records), std::move(done)});
  }
  void Open() { Release(std::nullopt); }
  void Fail(const Status& status) { Release(status); }
  Result<LogReadBatch> Read(int partition, uint64_t from, size_t max_bytes) override {
    return inner_.Read(partition, from, max_bytes);
  }
  Result<uint64_t> EndOffset(int partition) override { return inner_.EndOffset(partition); }
  Status Commit(std::string_view consumer, int partition, uint64_t next) override {
    return inner_.Commit(consumer, partition, next);
  }
  Result<uint64_t> Committed(std::string_view consumer, int partition) override {
    return inner_.Committed(consumer, partition);
  }

 private:
  void Release(const std::optional<Status>& failure) {
    std::vector<std::pair<std::vector<LogAppend>, AppendDone>> held;
    {
      std::lock_guard lock(mu_);
      held.swap(held_);
    }
    for (auto& [records, done] : held) {
      if (failure) {
        done(*failure, {});
      } else {
        inner_.Append(std::move(records), std::move(done));
      }
    }
  }

  EventLog& inner_;
  std::mutex mu_;
  std::vector<std::pair<std::vector<LogAppend>, AppendDone>> held_;  // GUARDED_BY(mu_)
};

// Starts a request; its result arrives through the future.
std::future<IngestResult> StartIngest(IngestService& service, IngestRequest request) {
  auto promise = std::make_shared<std::promise<IngestResult>>();
  std::future<IngestResult> future = promise->get_future();
  service.Ingest(std::move(request),
                 [promise](IngestResult result) { promise->set_value(std::move(result)); });
  return future;
}

class ConcurrentRetryTest : public ::testing::Test {
 protected:
  IngestRequest Request(std::string body) {
    return {.format = IngestFormat::kSegment,
            .single_type = std::nullopt,
            .body = std::move(body),
            .credential = env_.workspace_.write_key};
  }

  // Opens the real log and puts the gate in front of it (members are built
  // in declaration order: this runs before env_).
  EventLog* OpenGatedLog() {
    auto opened = LocalEventLog::Open({.dir = log_dir_.File("log")});
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    real_log_ = std::move(opened).value();
    gate_ = std::make_unique<GatedEventLog>(*real_log_);
    return gate_.get();
  }

  cdp::testing::TempDir log_dir_;
  std::unique_ptr<LocalEventLog> real_log_;
  std::unique_ptr<GatedEventLog> gate_;
  IngestTestEnv env_{{}, {}, OpenGatedLog()};
};

TEST_F(ConcurrentRetryTest, ARetryIsAnsweredOnlyOnceTheOriginalIsDurable) {
  std::future<IngestResult> original = StartIngest(*env_.service_, Request(BatchOf({Track("m1")})));
  // The retry has nothing of its own to append: only the original's
  // durability can hold its answer back.
  std::future<IngestResult> retry = StartIngest(*env_.service_, Request(BatchOf({Track("m1")})));
  EXPECT_EQ(original.wait_for(0s), std::future_status::timeout);
  EXPECT_EQ(retry.wait_for(0s), std::future_status::timeout);
  gate_->Open();
  EXPECT_EQ(original.get().accepted, 1u);
  const IngestResult second = retry.get();
  EXPECT_TRUE(second.status.ok()) << second.status.ToString();
  EXPECT_EQ(second.duplicates, 1u);
  EXPECT_EQ(MessageIds(testing::ReadAllEvents(*real_log_)), std::vector<std::string>{"m1"});
}

TEST_F(ConcurrentRetryTest, WhenTheOriginalFailsTheRetryFailsTooAndTheNextOneStores) {
  std::future<IngestResult> original = StartIngest(*env_.service_, Request(BatchOf({Track("m1")})));
  std::future<IngestResult> retry = StartIngest(*env_.service_, Request(BatchOf({Track("m1")})));
  gate_->Fail(Status::Internal("No space left on device"));
  EXPECT_EQ(original.get().status.code(), ErrorCode::kUnavailable);
  const IngestResult second = retry.get();
  EXPECT_EQ(second.status.code(), ErrorCode::kUnavailable);
  EXPECT_NE(second.status.message().find("same messageId"), std::string::npos)
      << second.status.message();

  std::future<IngestResult> third = StartIngest(*env_.service_, Request(BatchOf({Track("m1")})));
  gate_->Open();
  EXPECT_EQ(third.get().accepted, 1u);
}

TEST(IngestServiceTest, AsyncAckAnswersAndTheEventsStillReachTheLog) {
  IngestTestEnv env({.ack = AckMode::kAsync});
  const IngestResult result = env.Segment(BatchOf({Track("m1"), Track("m2")}), std::nullopt);
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.accepted, 2u);
  env.log_.reset();  // finishes the queued append
  auto reopened = LocalEventLog::Open({.dir = env.dir_.File("log"), .partitions = 2});
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(MessageIds(testing::ReadAllEvents(**reopened)), (std::vector<std::string>{"m1", "m2"}));
}

TEST(IngestServiceTest, CountsWhatBecameOfEventsAndRequests) {
  IngestTestEnv env;
  ASSERT_EQ(env.Segment(Track("m1", R"({"n":1})")).accepted, 1u);
  env.Segment(BatchOf({Track("m1"), Track("m2", R"({"n":"x"})"), R"({"userId":"u"})", Track("m3")}),
              std::nullopt);
  env.Segment(Track("m4"), EventType::kTrack, "wk_" + std::string(32, 'x'));
  const IngestCounters counters = env.service_->counters();
  EXPECT_EQ(counters.accepted, 2u);
  EXPECT_EQ(counters.duplicates, 1u);
  EXPECT_EQ(counters.rejected, 2u);
  EXPECT_EQ(counters.dead_lettered, 1u);
  EXPECT_EQ(counters.refused_requests, (std::map<int, uint64_t>{{401, 1}}));
}

TEST(IngestServiceTest, ParseAckMode) {
  EXPECT_EQ(ParseAckMode("sync"), AckMode::kDurable);
  EXPECT_EQ(ParseAckMode("async"), AckMode::kAsync);
  EXPECT_EQ(ParseAckMode("fast"), std::nullopt);
}

}  // namespace
}  // namespace cdp::ingest
