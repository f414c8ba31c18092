#include "ingest/dedup_restore.h"

#include <gtest/gtest.h>

#include <future>

#include "log/local/local_event_log.h"
#include "model/event_codec.h"
#include "support/temp_dir.h"

namespace cdp::ingest {
namespace {

using std::chrono::hours;

const TimePoint kNow =
    TimePoint(std::chrono::sys_days{std::chrono::year{2026} / 11 / 25}) + hours(12);

Event MakeEvent(std::string workspace, std::string message_id, TimePoint received_at) {
  Event event;
  event.workspace_id = std::move(workspace);
  event.message_id = std::move(message_id);
  event.anonymous_id = "anon-" + event.message_id;
  event.event = "Signed Up";
  event.received_at = received_at;
  event.timestamp = received_at;
  return event;
}

void AppendAndWait(EventLog& log, const std::vector<Event>& events) {
  std::vector<LogAppend> records;
  for (const auto& event : events) records.push_back({EventLogKey(event), EncodeEvent(event)});
  std::promise<Status> done;
  log.Append(std::move(records),
             [&done](const Status& status, std::vector<LogPosition>) { done.set_value(status); });
  ASSERT_TRUE(done.get_future().get().ok());
}

TEST(DedupRestoreTest, EventsWithinTheWindowAreDuplicatesAfterARestart) {
  testing::TempDir dir;
  auto log = LocalEventLog::Open({dir.File("log"), 4, 64 << 20});
  ASSERT_TRUE(log.ok());
  AppendAndWait(**log, {MakeEvent("ws1", "recent-1", kNow - hours(1)),
                        MakeEvent("ws1", "recent-2", kNow - hours(23)),
                        MakeEvent("ws2", "recent-1", kNow - hours(2)),
                        MakeEvent("ws1", "old", kNow - hours(25))});

  DedupIndex index(hours(24));
  auto restored = RestoreDedupIndexFromLog(**log, index, kNow);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(*restored, 3u);
  EXPECT_FALSE(index.TryReserve("ws1", "recent-1", kNow));
  EXPECT_FALSE(index.TryReserve("ws1", "recent-2", kNow));
  EXPECT_FALSE(index.TryReserve("ws2", "recent-1", kNow));
  EXPECT_TRUE(index.TryReserve("ws1", "old", kNow));  // outside the window: new again
  EXPECT_TRUE(index.TryReserve("ws3", "recent-1", kNow));
}

TEST(DedupRestoreTest, ARecordThatDoesNotDecodeIsAnError) {
  testing::TempDir dir;
  auto log = LocalEventLog::Open({dir.File("log"), 1, 64 << 20});
  ASSERT_TRUE(log.ok());
  std::promise<Status> done;
  (*log)->Append(
      {{"ws/a", "not an event"}},
      [&done](const Status& status, std::vector<LogPosition>) { done.set_value(status); });
  ASSERT_TRUE(done.get_future().get().ok());
  DedupIndex index;
  auto restored = RestoreDedupIndexFromLog(**log, index, kNow);
  ASSERT_FALSE(restored.ok());
  EXPECT_NE(restored.status().cause().find("offset 0"), std::string::npos)
      << restored.status().ToString();
}

}  // namespace
}  // namespace cdp::ingest
