#include "query/sql/events_pushdown.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/iso8601.h"
#include "query/sql/sql_time_text.h"

namespace cdp::query {
namespace {

int64_t Micros(std::string_view text) { return UnixMicros(*ParseIso8601DateTime(text)); }

PushedValue Text(std::string text) {
  PushedValue value;
  value.type = PushedValue::Type::kText;
  value.text = std::move(text);
  return value;
}
PushedValue Integer(int64_t integer) {
  PushedValue value;
  value.type = PushedValue::Type::kInteger;
  value.integer = integer;
  return value;
}
PushedValue Real(double real) {
  PushedValue value;
  value.type = PushedValue::Type::kReal;
  value.real = real;
  return value;
}
PushedValue Null() { return PushedValue{}; }

class EventsPushdownTest : public ::testing::Test {
 protected:
  EventsPushdownTest()
      : schema_(EventsTableSchema::FromStoreColumns(
            std::vector<StoredColumn>{{"properties.plan", ColumnKind::kString},
                                      {"properties.price", ColumnKind::kNumber},
                                      {"properties.mixed", ColumnKind::kString},
                                      {"properties.mixed", ColumnKind::kNumber}})) {}

  PushedConstraint On(std::string_view column, PushedOp op, std::vector<PushedValue> values) {
    return PushedConstraint{*schema_.Find(column), op, std::move(values)};
  }
  PushedScan Push(std::vector<PushedConstraint> constraints) {
    return PushDown(schema_, constraints);
  }

  EventsTableSchema schema_;
};

TEST_F(EventsPushdownTest, WhatCanBePushed) {
  const auto column = [&](std::string_view name) { return schema_.columns()[*schema_.Find(name)]; };
  EXPECT_TRUE(CanPushDown(column("timestamp"), PushedOp::kLess));
  EXPECT_FALSE(CanPushDown(column("timestamp"), PushedOp::kIn));
  EXPECT_TRUE(CanPushDown(column("timestamp_us"), PushedOp::kGreaterOrEqual));
  EXPECT_TRUE(CanPushDown(column("event"), PushedOp::kIn));
  EXPECT_TRUE(CanPushDown(column("user_id"), PushedOp::kEquals));
  EXPECT_FALSE(CanPushDown(column("event"), PushedOp::kLess));
  EXPECT_TRUE(CanPushDown(column("properties.plan"), PushedOp::kEquals));
  EXPECT_FALSE(CanPushDown(column("properties.price"), PushedOp::kEquals));
  EXPECT_FALSE(CanPushDown(column("properties.mixed"), PushedOp::kEquals));
  EXPECT_FALSE(CanPushDown(column("person_id"), PushedOp::kEquals));
  EXPECT_FALSE(CanPushDown(column("received_at"), PushedOp::kLess));
  EXPECT_TRUE(PushDownComparesText(column("timestamp")));
  EXPECT_FALSE(PushDownComparesText(column("timestamp_us")));
}

TEST_F(EventsPushdownTest, TimeRanges) {
  const int64_t day = Micros("2026-03-01T00:00:00Z");
  PushedScan scan = Push({On("timestamp", PushedOp::kGreaterOrEqual, {Text("2026-03-01")}),
                          On("timestamp", PushedOp::kLess, {Text("2026-03-02")})});
  EXPECT_FALSE(scan.empty);
  EXPECT_EQ(scan.from_micros, day);
  EXPECT_EQ(scan.to_micros, Micros("2026-03-02T00:00:00Z"));
  scan = Push({On("timestamp", PushedOp::kLessOrEqual, {Text("2026-03-01T00:00:00.000000Z")})});
  EXPECT_EQ(scan.from_micros, MinSqlTimeMicros());
  EXPECT_EQ(scan.to_micros, day + 1);
  scan = Push({On("timestamp", PushedOp::kEquals, {Text("2026-03-01")})});
  EXPECT_TRUE(scan.empty);  // no time's text is exactly a date
  scan = Push({On("timestamp_us", PushedOp::kGreater, {Integer(day)}),
               On("timestamp_us", PushedOp::kLessOrEqual, {Real(day + 10.5)})});
  EXPECT_EQ(scan.from_micros, day + 1);
  EXPECT_EQ(scan.to_micros, day + 11);
  scan = Push({On("timestamp_us", PushedOp::kEquals, {Real(day + 0.5)})});
  EXPECT_TRUE(scan.empty);
  scan = Push({On("timestamp_us", PushedOp::kLess, {Integer(INT64_MIN)})});
  EXPECT_TRUE(scan.empty);
  scan = Push({On("timestamp_us", PushedOp::kGreater, {Integer(INT64_MAX)})});
  EXPECT_TRUE(scan.empty);
  scan = Push({On("timestamp_us", PushedOp::kGreater, {Real(-1e300)})});
  EXPECT_FALSE(scan.empty);
  EXPECT_EQ(scan.from_micros, MinSqlTimeMicros());
  // Values of another type are left to SQLite; NULL matches nothing.
  scan = Push({On("timestamp", PushedOp::kGreater, {Integer(5)}),
               On("timestamp_us", PushedOp::kGreater, {Text("5")})});
  EXPECT_FALSE(scan.empty);
  EXPECT_EQ(scan.from_micros, MinSqlTimeMicros());
  EXPECT_EQ(scan.to_micros, MaxSqlTimeMicros() + 1);
  EXPECT_TRUE(Push({On("timestamp", PushedOp::kGreater, {Null()})}).empty);
}

TEST_F(EventsPushdownTest, Equalities) {
  PushedScan scan = Push({On("event", PushedOp::kEquals, {Text("Signed Up")}),
                          On("user_id", PushedOp::kIn, {Text("u1"), Null(), Text("u2")})});
  ASSERT_EQ(scan.predicates.size(), 2u);
  EXPECT_EQ(scan.predicates[0].column, "event");
  EXPECT_EQ(scan.predicates[0].op, CompareOp::kEquals);
  EXPECT_EQ(scan.predicates[1].column, "user_id");
  EXPECT_EQ(scan.predicates[1].op, CompareOp::kIn);
  EXPECT_EQ(scan.predicates[1].values.size(), 2u);
  EXPECT_TRUE(Push({On("event", PushedOp::kEquals, {Null()})}).empty);
  EXPECT_TRUE(Push({On("event", PushedOp::kIn, {Null()})}).empty);
  EXPECT_TRUE(Push({On("event", PushedOp::kIn, {})}).empty);
  // A number could equal a text row only through conversions: not pushed.
  scan = Push({On("event", PushedOp::kIn, {Text("a"), Integer(5)})});
  EXPECT_FALSE(scan.empty);
  EXPECT_TRUE(scan.predicates.empty());
  scan = Push({On("event", PushedOp::kEquals, {Real(1.5)})});
  EXPECT_TRUE(scan.predicates.empty());
}

TEST(EventsTableSchemaTest, Columns) {
  const EventsTableSchema schema = EventsTableSchema::FromStoreColumns(
      std::vector<StoredColumn>{{"type", ColumnKind::kString},
                                {"properties.a\"b", ColumnKind::kBoolean},
                                {"properties.Plan", ColumnKind::kString},
                                {"properties.plan", ColumnKind::kString},
                                {"properties.t", ColumnKind::kTime},
                                {"properties.x", ColumnKind::kNumber},
                                {"properties.x", ColumnKind::kBoolean}});
  std::vector<std::string> names;
  for (const auto& column : schema.columns()) names.push_back(column.name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "type", "event", "message_id", "anonymous_id", "user_id", "group_id",
                       "previous_id", "timestamp", "sent_at", "received_at", "original_timestamp",
                       "integrations", "timestamp_us", "person_id", "properties.a\"b",
                       "properties.Plan", "properties.t", "properties.x"}));
  const std::string sql = schema.CreateTableSql();
  EXPECT_NE(sql.find("\"properties.a\"\"b\" INTEGER"), std::string::npos) << sql;
  EXPECT_NE(sql.find("\"timestamp\" TEXT"), std::string::npos);
  EXPECT_NE(sql.find("\"timestamp_us\" INTEGER"), std::string::npos);
  EXPECT_NE(sql.find("\"properties.t\" TEXT"), std::string::npos);
  EXPECT_NE(sql.find("\"properties.x\")"), std::string::npos);  // mixed: no type
}

}  // namespace
}  // namespace cdp::query
