// Custom SQL answers compared with references computed straight from the
// events (std::vector<Event>), on randomized data sets with fixed seeds.
#include "query/sql/sql_query.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "core/iso8601.h"
#include "query/person_key.h"
#include "query/sql/sql_test_util.h"
#include "query/testing/random_persons.h"
#include "query/testing/static_person_directory.h"
#include "query/testing/test_event_store.h"
#include "store/event_columns.h"
#include "store/testing/random_events.h"

namespace cdp::query {
namespace {

using testing::RunSql;
using testing::SqlTestResult;
using testing::SqlTestRow;
using testing::SqlTestValue;
using testing::TimeText;

TimePoint At(std::string_view text) { return *ParseIso8601DateTime(text); }

// Random events of ws_a and ws_b, plus events exactly at the edges the tests'
// ranges use, and several at one instant.
std::vector<Event> DataSet(uint64_t seed, size_t count) {
  std::mt19937_64 random(seed);
  cdp::testing::RandomEventOptions options;
  options.persons = 40;
  options.days = 5;
  std::vector<Event> events = cdp::testing::RandomEvents(random, count, options);
  const char* edges[] = {"2026-01-02T00:00:00Z", "2026-01-02T00:00:00Z",
                         "2026-01-03T12:00:00Z", "2026-01-03T12:00:00.000001Z",
                         "2026-01-04T00:00:00Z", "2026-01-02T23:59:59.999999Z"};
  int index = 0;
  for (const char* edge : edges) {
    for (const char* workspace : {"ws_a", "ws_b"}) {
      Event event;
      event.workspace_id = workspace;
      event.event = index % 2 == 0 ? "Signed Up" : "Order Completed";
      event.message_id = fmt::format("edge-{}-{}", workspace, index);
      event.anonymous_id = fmt::format("anon-{}", index % 3);
      event.timestamp = At(edge);
      event.received_at = event.timestamp;
      events.push_back(std::move(event));
    }
    ++index;
  }
  return events;
}

std::vector<const Event*> EventsOf(const std::vector<Event>& events, std::string_view workspace) {
  std::vector<const Event*> out;
  for (const Event& event : events) {
    if (event.workspace_id == workspace) out.push_back(&event);
  }
  return out;
}

const PersonMap& NobodyMerged() {
  static const PersonMap nobody_merged;
  return nobody_merged;
}

// What person_id shows for `event`: its person's profile id, or NULL.
SqlTestValue PersonIdValue(const Event& event, const PersonMap& persons) {
  const PersonKey person = PersonOf(event, persons);
  if (person == 0) return std::monostate{};
  return ProfileIdOf(person);
}

// The value the events table shows for `column` of `event`.
SqlTestValue SqlValueOf(const Event& event, std::string_view column,
                        const PersonMap& persons = NobodyMerged()) {
  if (column == "timestamp_us") return UnixMicros(event.timestamp);
  if (column == "person_id") return PersonIdValue(event, persons);
  const ScalarValue value = ColumnValueOf(event, column);
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* time = std::get_if<TimeValue>(&value))
    return TimeText(FromUnixMicros(time->micros));
  if (const auto* number = std::get_if<double>(&value)) return *number;
  if (const auto* boolean = std::get_if<bool>(&value)) return int64_t{*boolean ? 1 : 0};
  return std::monostate{};
}

std::optional<std::string> TextOf(const Event& event, std::string_view column,
                                  const PersonMap& persons = NobodyMerged()) {
  const SqlTestValue value = SqlValueOf(event, column, persons);
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  return std::nullopt;
}

std::optional<double> NumberOf(const Event& event, std::string_view column) {
  const SqlTestValue value = SqlValueOf(event, column);
  if (const auto* number = std::get_if<double>(&value)) return *number;
  if (const auto* integer = std::get_if<int64_t>(&value)) return double(*integer);
  return std::nullopt;
}

// Numbers compare by value (JSON writes the real 3.0 as 3), reals with a
// relative tolerance (sums add in another order than the references).
bool SameValue(const SqlTestValue& a, const SqlTestValue& b) {
  const auto number = [](const SqlTestValue& v) -> std::optional<double> {
    if (const auto* integer = std::get_if<int64_t>(&v)) return double(*integer);
    if (const auto* real = std::get_if<double>(&v)) return *real;
    return std::nullopt;
  };
  const auto x = number(a);
  const auto y = number(b);
  if (x && y) return std::abs(*x - *y) <= 1e-9 * std::max(1.0, std::abs(*y));
  return a == b;
}

void ExpectRows(const std::vector<SqlTestRow>& actual, const std::vector<SqlTestRow>& expected,
                std::string_view what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < actual.size(); ++i) {
    bool same = actual[i].size() == expected[i].size();
    for (size_t j = 0; same && j < actual[i].size(); ++j)
      same = SameValue(actual[i][j], expected[i][j]);
    ASSERT_TRUE(same) << what << "\nrow " << i << ": " << testing::ToString(actual[i])
                      << "\nexpected: " << testing::ToString(expected[i]);
  }
}

SqlTestResult Query(EventStore& store, std::string_view sql, std::string_view workspace = "ws_a",
                    const PersonDirectory* persons = nullptr) {
  Result<SqlTestResult> result = RunSql(store, workspace, sql, {}, persons);
  EXPECT_TRUE(result.ok()) << sql << "\n" << result.status().ToString();
  return result.ok() ? std::move(result).value() : SqlTestResult{};
}

// The message ids of ws_a's events selected by `where`, against those
// `matches` accepts.
void ExpectSelected(EventStore& store, const std::vector<const Event*>& events,
                    const std::string& where, const std::function<bool(const Event&)>& matches,
                    const PersonDirectory* persons = nullptr) {
  std::vector<SqlTestRow> expected;
  for (const Event* event : events) {
    if (matches(*event)) expected.push_back({event->message_id});
  }
  std::sort(expected.begin(), expected.end());
  const std::string sql = "SELECT message_id FROM events WHERE " + where + " ORDER BY message_id";
  ExpectRows(Query(store, sql, "ws_a", persons).rows, expected, sql);
}

// Data sets of even seeds resolve persons with some of them merged (a
// random directory); odd ones with nobody merged.
class SqlQueryTest : public ::testing::TestWithParam<uint64_t> {
 protected:
  void SetUp() override {
    events_ = DataSet(GetParam(), 2000);
    store_ = std::make_unique<query::testing::TestEventStore>(events_, 3, 256);
    ws_a_ = EventsOf(events_, "ws_a");
    if (GetParam() % 2 == 0) {
      std::mt19937_64 random(GetParam());
      directory_.emplace(query::testing::RandomPersonDirectory(random, events_));
    }
  }
  EventStore& store() { return store_->store(); }
  const PersonDirectory* persons() const { return directory_ ? &*directory_ : nullptr; }
  const PersonMap& person_map() const {
    return directory_ ? *directory_->Snapshot("ws_a") : NobodyMerged();
  }
  SqlTestResult Run(std::string_view sql) { return Query(store(), sql, "ws_a", persons()); }
  void Select(const std::string& where, const std::function<bool(const Event&)>& matches) {
    ExpectSelected(store(), ws_a_, where, matches, persons());
  }

  std::vector<Event> events_;
  std::unique_ptr<query::testing::TestEventStore> store_;
  std::vector<const Event*> ws_a_;
  std::optional<query::testing::StaticPersonDirectory> directory_;
};

TEST_P(SqlQueryTest, CountByEvent) {
  std::map<std::optional<std::string>, int64_t> counts;  // nullopt (NULL) sorts first, as in SQL
  for (const Event* event : ws_a_) ++counts[TextOf(*event, "event")];
  std::vector<SqlTestRow> expected;
  for (const auto& [event, count] : counts) {
    expected.push_back({event ? SqlTestValue(*event) : SqlTestValue(), count});
  }
  const SqlTestResult result =
      Run("SELECT event, count(*) FROM events GROUP BY event ORDER BY event");
  ExpectRows(result.rows, expected, "count by event");
  EXPECT_EQ(result.column_names, (std::vector<std::string>{"event", "count(*)"}));
  EXPECT_EQ(result.column_types, (std::vector<std::string>{"text", "integer"}));
  EXPECT_FALSE(result.truncated);
  EXPECT_EQ(result.rows_scanned, ws_a_.size());
}

TEST_P(SqlQueryTest, ColumnsShowTheStoredValues) {
  const std::vector<std::string> columns = {"message_id",
                                            "type",
                                            "event",
                                            "anonymous_id",
                                            "user_id",
                                            "group_id",
                                            "timestamp",
                                            "timestamp_us",
                                            "received_at",
                                            "sent_at",
                                            "original_timestamp",
                                            "person_id",
                                            "properties.plan",
                                            "properties.price",
                                            "properties.first_order",
                                            "properties.shipped_at",
                                            "properties.note",
                                            "properties.items",
                                            "context.country",
                                            "traits.email",
                                            "traits.age",
                                            "traits_set_once.first_seen"};
  std::string sql = "SELECT ";
  for (size_t i = 0; i < columns.size(); ++i) sql += (i ? ", \"" : "\"") + columns[i] + "\"";
  sql += " FROM events ORDER BY message_id";
  std::vector<SqlTestRow> expected;
  for (const Event* event : ws_a_) {
    SqlTestRow& row = expected.emplace_back();
    for (const std::string& column : columns) {
      row.push_back(SqlValueOf(*event, column, person_map()));
    }
  }
  std::sort(expected.begin(), expected.end(),
            [](const SqlTestRow& a, const SqlTestRow& b) { return a[0] < b[0]; });
  const SqlTestResult result = Run(sql);
  ExpectRows(result.rows, expected, sql);
  EXPECT_EQ(result.column_names, columns);
  EXPECT_EQ(result.column_types[0], "text");
  EXPECT_EQ(result.column_types[7], "integer");   // timestamp_us
  EXPECT_EQ(result.column_types[13], "real");     // properties.price
  EXPECT_EQ(result.column_types[14], "integer");  // properties.first_order: booleans 0 / 1
}

TEST_P(SqlQueryTest, PropertyFilters) {
  const auto plan = [](const Event& e) { return TextOf(e, "properties.plan"); };
  const auto price = [](const Event& e) { return NumberOf(e, "properties.price"); };
  Select("\"properties.plan\" = 'pro'", [&](const Event& e) { return plan(e) == "pro"; });
  Select("\"properties.plan\" IN ('pro', 'team') AND \"properties.price\" > 20",
         [&](const Event& e) {
           return (plan(e) == "pro" || plan(e) == "team") && price(e) && *price(e) > 20;
         });
  Select("\"properties.first_order\" = 1",
         [](const Event& e) { return NumberOf(e, "properties.first_order") == 1.0; });
  Select("\"context.country\" <> 'DE'", [](const Event& e) {
    const auto country = TextOf(e, "context.country");
    return country && *country != "DE";
  });
  Select("\"properties.note\" LIKE 'note 3%'", [](const Event& e) {
    const auto note = TextOf(e, "properties.note");
    return note && note->starts_with("note 3");
  });
  // A collation other than BINARY is not pushed to the scan: SQLite decides.
  Select("\"properties.plan\" = 'PRO' COLLATE NOCASE",
         [&](const Event& e) { return plan(e) == "pro"; });
  Select("event = 'signed up' COLLATE NOCASE",
         [](const Event& e) { return e.event == "Signed Up"; });
  Select("\"properties.price\" BETWEEN 10 AND 30.5",
         [&](const Event& e) { return price(e) && *price(e) >= 10 && *price(e) <= 30.5; });
}

TEST_P(SqlQueryTest, EventAndIdFilters) {
  Select("event = 'Signed Up'", [](const Event& e) { return e.event == "Signed Up"; });
  Select("event IN ('Signed Up', 'Logged In', 'Nothing')",
         [](const Event& e) { return e.event == "Signed Up" || e.event == "Logged In"; });
  Select("event IN (NULL, 'Searched')", [](const Event& e) { return e.event == "Searched"; });
  Select("event IN (SELECT 'Searched' UNION SELECT 'Plan Changed')",
         [](const Event& e) { return e.event == "Searched" || e.event == "Plan Changed"; });
  Select("event = NULL", [](const Event&) { return false; });
  Select("event IS NULL", [](const Event& e) { return e.event.empty(); });
  Select("event = 5", [](const Event&) { return false; });
  Select("anonymous_id = 'anon-3'", [](const Event& e) { return e.anonymous_id == "anon-3"; });
  Select("user_id = 'user-5' AND anonymous_id IS NULL",
         [](const Event& e) { return e.user_id == "user-5" && e.anonymous_id.empty(); });
  Select("user_id IN ('user-1', 'user-2') AND type = 'track'", [](const Event& e) {
    return (e.user_id == "user-1" || e.user_id == "user-2") && e.type == EventType::kTrack;
  });
  // person_id is the profile id of the event's person: of user-7 for its
  // events, and of every id merged into its person.
  const PersonMap& persons = person_map();
  const std::string user_7 = ProfileIdOf(persons.ResolveId("user-7"));
  Select("person_id = '" + user_7 + "'",
         [&](const Event& e) { return PersonOf(e, persons) == persons.ResolveId("user-7"); });
  Select("person_id = 'anon-7'", [](const Event&) { return false; });
}

TEST_P(SqlQueryTest, TimeRanges) {
  const auto text = [](const Event& e) { return TimeText(e.timestamp); };
  const auto micros = [](const Event& e) { return UnixMicros(e.timestamp); };
  // Pushed down: ranges compare the text bytewise, as SQLite does.
  Select("timestamp >= '2026-01-02' AND timestamp < '2026-01-04'",
         [&](const Event& e) { return text(e) >= "2026-01-02" && text(e) < "2026-01-04"; });
  Select("timestamp > '2026-01-02T00:00:00.000000Z'",
         [&](const Event& e) { return text(e) > "2026-01-02T00:00:00.000000Z"; });
  Select("timestamp <= '2026-01-03T12:00:00Z'",
         [&](const Event& e) { return text(e) <= "2026-01-03T12:00:00Z"; });
  Select("timestamp BETWEEN '2026-01-02' AND '2026-01-02T23:59:59.999999Z'", [&](const Event& e) {
    return text(e) >= "2026-01-02" && text(e) <= "2026-01-02T23:59:59.999999Z";
  });
  Select("timestamp = '2026-01-02T00:00:00.000000Z'",
         [&](const Event& e) { return text(e) == "2026-01-02T00:00:00.000000Z"; });
  Select("timestamp IN ('2026-01-03T12:00:00.000000Z', '2026-01-04T00:00:00.000000Z')",
         [&](const Event& e) {
           return text(e) == "2026-01-03T12:00:00.000000Z" ||
                  text(e) == "2026-01-04T00:00:00.000000Z";
         });
  Select("timestamp >= '2026-01-05' AND timestamp < '2026-01-02'",
         [](const Event&) { return false; });
  Select("timestamp >= 'abc'", [](const Event&) { return false; });
  Select("timestamp > 5", [&](const Event& e) { return text(e) > "5"; });
  Select("timestamp < '2026-01-03 10:00'",
         [&](const Event& e) { return text(e) < "2026-01-03 10:00"; });
  // timestamp_us, integers and reals.
  const int64_t day2 = UnixMicros(At("2026-01-02T00:00:00Z"));
  const int64_t noon3 = UnixMicros(At("2026-01-03T12:00:00Z"));
  Select(fmt::format("timestamp_us >= {} AND timestamp_us < {}", day2, noon3),
         [&](const Event& e) { return micros(e) >= day2 && micros(e) < noon3; });
  Select(fmt::format("timestamp_us BETWEEN {} AND {}", day2, noon3),
         [&](const Event& e) { return micros(e) >= day2 && micros(e) <= noon3; });
  Select(fmt::format("timestamp_us = {}", noon3),
         [&](const Event& e) { return micros(e) == noon3; });
  Select(fmt::format("timestamp_us > {}.5", noon3),
         [&](const Event& e) { return micros(e) > noon3; });
  Select(fmt::format("timestamp_us <= {}.5", day2),
         [&](const Event& e) { return micros(e) <= day2; });
  Select(fmt::format("timestamp_us = {}.5", day2), [](const Event&) { return false; });
  // Not pushed down: functions of the time.
  Select("date(timestamp) = '2026-01-02'",
         [&](const Event& e) { return text(e).substr(0, 10) == "2026-01-02"; });
  // SQLite's date functions keep milliseconds, rounded: 23:59:59.999999 is
  // the next day's midnight to them.
  Select("unixepoch(timestamp) >= 1767398400",
         [&](const Event& e) { return (micros(e) + 500) / 1000 / 1000 >= 1767398400; });
  Select("strftime('%H', timestamp) = '12' AND timestamp >= '2026-01-03'",
         [&](const Event& e) { return text(e).substr(11, 2) == "12" && text(e) >= "2026-01-03"; });
}

TEST_P(SqlQueryTest, OrderByAndLimit) {
  std::vector<const Event*> sorted = ws_a_;
  std::sort(sorted.begin(), sorted.end(), [](const Event* a, const Event* b) {
    if (a->timestamp != b->timestamp) return a->timestamp > b->timestamp;
    return a->message_id < b->message_id;
  });
  std::vector<SqlTestRow> expected;
  for (size_t i = 3; i < 10; ++i) {
    expected.push_back({sorted[i]->message_id, TimeText(sorted[i]->timestamp)});
  }
  ExpectRows(Run("SELECT message_id, timestamp FROM events ORDER BY timestamp DESC, message_id "
                 "LIMIT 7 OFFSET 3")
                 .rows,
             expected, "order by timestamp desc");
  // LIMIT closes the cursor early: the table stops reading.
  const SqlTestResult first = Run("SELECT message_id FROM events LIMIT 10");
  EXPECT_EQ(first.rows.size(), 10u);
  EXPECT_LT(first.rows_scanned, ws_a_.size());
}

TEST_P(SqlQueryTest, Nulls) {
  int64_t users = 0, anonymous = 0, plans = 0, notes = 0;
  std::map<std::optional<std::string>, int64_t> by_plan;
  for (const Event* event : ws_a_) {
    users += !event->user_id.empty();
    anonymous += !event->anonymous_id.empty();
    plans += TextOf(*event, "properties.plan").has_value();
    notes += TextOf(*event, "properties.note").has_value();
    ++by_plan[TextOf(*event, "properties.plan")];
  }
  ExpectRows(Run("SELECT count(*), count(user_id), count(anonymous_id), "
                 "count(\"properties.plan\"), count(\"properties.note\") FROM events")
                 .rows,
             {{int64_t(ws_a_.size()), users, anonymous, plans, notes}}, "counts of non-nulls");
  std::vector<SqlTestRow> expected;
  for (const auto& [plan, count] : by_plan) {
    expected.push_back({plan ? SqlTestValue(*plan) : SqlTestValue(), count});
  }
  ExpectRows(Run("SELECT \"properties.plan\", count(*) FROM events GROUP BY 1 ORDER BY 1").rows,
             expected, "group by a property with nulls");
  Select("\"properties.note\" IS NULL",
         [](const Event& e) { return !TextOf(e, "properties.note"); });
  Select("coalesce(user_id, anonymous_id) = 'user-4'", [](const Event& e) {
    return (e.user_id.empty() ? e.anonymous_id : e.user_id) == "user-4";
  });
  Select("\"properties.price\" IS NOT NULL AND \"properties.price\" < 1", [](const Event& e) {
    const auto price = NumberOf(e, "properties.price");
    return price && *price < 1;
  });
}

TEST_P(SqlQueryTest, PersonId) {
  std::map<std::optional<std::string>, int64_t> counts;
  for (const Event* event : ws_a_) ++counts[TextOf(*event, "person_id", person_map())];
  std::vector<SqlTestRow> expected;
  for (const auto& [person, count] : counts) {
    expected.push_back({person ? SqlTestValue(*person) : SqlTestValue(), count});
  }
  ExpectRows(Run("SELECT person_id, count(*) FROM events GROUP BY 1 ORDER BY 1").rows, expected,
             "count by person");
}

// What the scan hands SQLite shows what was pushed down: only the matching
// rows when a comparison went to the scan, every row when SQLite alone
// decides.
TEST_P(SqlQueryTest, PushdownReadsOnlyMatchingRows) {
  const auto scanned = [&](const std::string& where) {
    return Run("SELECT count(*) FROM events WHERE " + where).rows_scanned;
  };
  const auto count = [&](const std::function<bool(const Event&)>& matches) {
    return uint64_t(
        std::count_if(ws_a_.begin(), ws_a_.end(), [&](const Event* e) { return matches(*e); }));
  };
  const auto text = [](const Event& e) { return TimeText(e.timestamp); };
  const uint64_t all = ws_a_.size();
  EXPECT_EQ(scanned("event = 'Signed Up'"),
            count([](const Event& e) { return e.event == "Signed Up"; }));
  EXPECT_EQ(scanned("event IN ('Signed Up', 'Searched')"),
            count([](const Event& e) { return e.event == "Signed Up" || e.event == "Searched"; }));
  EXPECT_EQ(scanned("anonymous_id = 'anon-3' AND type = 'track'"), count([](const Event& e) {
              return e.anonymous_id == "anon-3" && e.type == EventType::kTrack;
            }));
  EXPECT_EQ(scanned("\"properties.plan\" = 'pro'"),
            count([](const Event& e) { return TextOf(e, "properties.plan") == "pro"; }));
  EXPECT_EQ(
      scanned("timestamp >= '2026-01-02' AND timestamp < '2026-01-04'"),
      count([&](const Event& e) { return text(e) >= "2026-01-02" && text(e) < "2026-01-04"; }));
  EXPECT_EQ(scanned("timestamp BETWEEN '2026-01-03' AND '2026-01-03T12:00:00.000000Z' AND "
                    "event = 'Signed Up'"),
            count([&](const Event& e) {
              return text(e) >= "2026-01-03" && text(e) <= "2026-01-03T12:00:00.000000Z" &&
                     e.event == "Signed Up";
            }));
  EXPECT_EQ(scanned("event = NULL"), 0u);
  // Left to SQLite.
  EXPECT_EQ(scanned("event = 'signed up' COLLATE NOCASE"), all);
  EXPECT_EQ(scanned("date(timestamp) = '2026-01-02'"), all);
  EXPECT_EQ(scanned("event LIKE 'Signed%'"), all);
  // SQLite turns ORed equalities on one column into an IN, which is pushed.
  EXPECT_EQ(scanned("event = 'Signed Up' OR event = 'Searched'"),
            count([](const Event& e) { return e.event == "Signed Up" || e.event == "Searched"; }));
  EXPECT_EQ(scanned("event = 'Signed Up' OR user_id = 'user-1'"), all);
}

INSTANTIATE_TEST_SUITE_P(Seeds, SqlQueryTest, ::testing::Values(1, 2, 3, 4));

TEST(SqlJoinTest, SelfJoinsMatchReference) {
  for (const uint64_t seed : {11, 12}) {
    const std::vector<Event> events = DataSet(seed, 700);
    query::testing::TestEventStore store(events, 3, 128);
    const std::vector<const Event*> ws_a = EventsOf(events, "ws_a");
    // Per person: (Signed Up, later Order Completed) pairs.
    const PersonMap& persons = NobodyMerged();
    const auto person_of = [&](const Event* e) {
      return PersonOf(*e, persons) == 0 ? std::string() : ProfileIdOf(PersonOf(*e, persons));
    };
    std::map<std::string, int64_t> pairs;
    for (const Event* a : ws_a) {
      for (const Event* b : ws_a) {
        if (a->event == "Signed Up" && b->event == "Order Completed" && !person_of(a).empty() &&
            person_of(a) == person_of(b) && b->timestamp > a->timestamp) {
          ++pairs[person_of(a)];
        }
      }
    }
    std::vector<SqlTestRow> expected;
    for (const auto& [person, count] : pairs) expected.push_back({person, count});
    ExpectRows(Query(store.store(),
                     "SELECT a.person_id, count(*) FROM events a JOIN events b "
                     "ON a.person_id = b.person_id WHERE a.event = 'Signed Up' "
                     "AND b.event = 'Order Completed' AND b.timestamp_us > a.timestamp_us "
                     "GROUP BY 1 ORDER BY 1")
                   .rows,
               expected, "pairs per person");
    // A join on an id: pushed down per outer row.
    int64_t same_anonymous = 0;
    for (const Event* a : ws_a) {
      for (const Event* b : ws_a) {
        same_anonymous += a->event == "Logged In" && b->event == "Searched" &&
                          !a->anonymous_id.empty() && a->anonymous_id == b->anonymous_id;
      }
    }
    ExpectRows(Query(store.store(),
                     "SELECT count(*) FROM events a JOIN events b ON b.anonymous_id = "
                     "a.anonymous_id WHERE a.event = 'Logged In' AND b.event = 'Searched'")
                   .rows,
               {{same_anonymous}}, "join on anonymous_id");
    // A materialized per-person summary joined back.
    std::map<std::string, TimePoint> first;
    for (const Event* e : ws_a) {
      const std::string person = person_of(e);
      if (person.empty()) continue;
      if (!first.count(person) || e->timestamp < first[person]) first[person] = e->timestamp;
    }
    int64_t at_first = 0;
    for (const Event* e : ws_a) {
      const std::string person = person_of(e);
      at_first += !person.empty() && e->timestamp == first[person];
    }
    ExpectRows(Query(store.store(),
                     "WITH s AS MATERIALIZED (SELECT person_id, min(timestamp) AS first "
                     "FROM events WHERE person_id IS NOT NULL GROUP BY 1) "
                     "SELECT count(*) FROM events e JOIN s ON e.person_id = s.person_id "
                     "WHERE e.timestamp = s.first")
                   .rows,
               {{at_first}}, "events at each person's first time");
  }
}

// Past the 63 columns SQLite's colUsed mask tells apart, the table learns the
// columns a statement reads from the authorizer.
TEST(SqlWideTableTest, ReadsColumnsPastTheUsedMask) {
  std::vector<Event> events;
  for (int i = 0; i < 300; ++i) {
    Event event;
    event.workspace_id = "ws_a";
    event.event = "Wide";
    event.message_id = fmt::format("m{:03}", i);
    event.anonymous_id = fmt::format("anon-{}", i % 7);
    event.timestamp = At("2026-01-01T00:00:00Z") + std::chrono::minutes(i);
    event.received_at = event.timestamp;
    for (int p = 0; p < 100; ++p) {
      if ((i + p) % 3 == 0) continue;
      Property property;
      property.name = fmt::format("p{:03}", p);
      property.value = double(i * 1000 + p);
      event.properties.push_back(std::move(property));
    }
    events.push_back(std::move(event));
  }
  query::testing::TestEventStore store(events, 2, 64);
  std::vector<SqlTestRow> expected;
  for (const Event& event : events) {
    expected.push_back({event.message_id, SqlValueOf(event, "properties.p090"),
                        SqlValueOf(event, "properties.p001"),
                        SqlValueOf(event, "properties.p099")});
  }
  ExpectRows(Query(store.store(),
                   "SELECT message_id, \"properties.p090\", \"properties.p001\", "
                   "\"properties.p099\" FROM events ORDER BY message_id")
                 .rows,
             expected, "columns past 63");
  const SqlTestResult all =
      Query(store.store(), "SELECT * FROM events ORDER BY message_id LIMIT 2");
  ASSERT_EQ(all.rows.size(), 2u);
  ASSERT_EQ(all.column_names.size(), 14u + 100u);
  for (size_t c = 0; c < all.column_names.size(); ++c) {
    EXPECT_TRUE(SameValue(all.rows[1][c], SqlValueOf(events[1], all.column_names[c])))
        << all.column_names[c];
  }
}

TEST(SqlResultTest, TypesOfValues) {
  std::mt19937_64 random(5);
  const std::vector<Event> events = cdp::testing::RandomEvents(random, 50);
  query::testing::TestEventStore store(events);
  const SqlTestResult result =
      Query(store.store(),
            "SELECT 1 AS i, 1.5 AS r, 'a' AS t, x'00ff10' AS b, NULL AS n, "
            "1 AS m, 2 AS k UNION ALL "
            "SELECT 2, 2, 'b', x'61', NULL, 'y', 2.5");
  EXPECT_EQ(result.column_names, (std::vector<std::string>{"i", "r", "t", "b", "n", "m", "k"}));
  EXPECT_EQ(result.column_types,
            (std::vector<std::string>{"integer", "real", "text", "blob", "null", "mixed", "real"}));
  ASSERT_EQ(result.rows.size(), 2u);
  EXPECT_EQ(result.rows[0][3], SqlTestValue(std::string("AP8Q")));  // base64
  EXPECT_EQ(result.rows[1][3], SqlTestValue(std::string("YQ==")));
  // No rows: a table column's declared type says.
  const SqlTestResult empty = Query(
      store.store(), "SELECT event, \"properties.price\", timestamp_us, 1 + 1 FROM events WHERE 0");
  EXPECT_TRUE(empty.rows.empty());
  EXPECT_EQ(empty.column_types, (std::vector<std::string>{"text", "real", "integer", "null"}));
}

TEST(SqlRequestTest, IsAQueryFunction) {
  const QueryFunction function = RunSqlQuery;
  EXPECT_TRUE(function);
}

TEST(SqlRequestTest, ValidatesTheRequest) {
  std::mt19937_64 random(6);
  const std::vector<Event> events = cdp::testing::RandomEvents(random, 20);
  query::testing::TestEventStore store(events);
  QueryContext context;
  context.workspace_id = "ws_a";
  const auto field_of = [&](std::string_view body) {
    Result<QueryOutput> output = RunSqlQuery(context, store.store(), body);
    EXPECT_FALSE(output.ok()) << body;
    EXPECT_EQ(output.status().code(), ErrorCode::kBadRequest) << body;
    return output.ok() ? std::string("<ok>") : output.status().field();
  };
  EXPECT_EQ(field_of("{}"), "query");
  EXPECT_EQ(field_of("[]"), "");
  EXPECT_EQ(field_of(R"({"query": 5})"), "query");
  EXPECT_EQ(field_of(R"({"query": "  "})"), "query");
  EXPECT_EQ(field_of(R"({"query": "SELECT 1", "limits": 5})"), "limits");
  EXPECT_EQ(field_of(R"({"query": "SELECT 1", "limit": 0})"), "limit");
  EXPECT_EQ(field_of(R"({"query": "SELECT 1", "limit": 100001})"), "limit");
  EXPECT_EQ(field_of(R"({"query": "SELECT 1", "timeout_seconds": 0})"), "timeout_seconds");
  EXPECT_EQ(field_of(R"({"query": "SELECT 1", "timeout_seconds": 301})"), "timeout_seconds");
  EXPECT_EQ(field_of(R"({"query": "SELEC 1"})"), "query");
  const auto message_of = [&](std::string_view sql) {
    Result<QueryOutput> output = RunSqlQuery(context, store.store(), testing::SqlBody(sql));
    EXPECT_FALSE(output.ok()) << sql;
    return output.ok() ? std::string("<ok>") : output.status().message();
  };
  EXPECT_NE(message_of("SELEC 1").find("syntax error"), std::string::npos);
  EXPECT_NE(message_of("SELECT nope FROM events").find("no such column: nope"), std::string::npos);
  // Double-quoted strings are off: a misspelt quoted column is an error, not
  // the string itself.
  EXPECT_NE(message_of("SELECT \"properties.plann\" FROM events").find("no such column"),
            std::string::npos);
  EXPECT_NE(message_of("SELECT ?").find("variable"), std::string::npos);
  Result<QueryOutput> ok = RunSqlQuery(
      context, store.store(), R"({"query": "SELECT 1", "limit": 100000, "timeout_seconds": 300})");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->rows, 1u);
  EXPECT_EQ(
      ok->json,
      R"({"columns":[{"name":"1","type":"integer"}],"rows":[[1]],"truncated":false,"rows_scanned":0})");
}

}  // namespace
}  // namespace cdp::query
