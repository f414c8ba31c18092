#include "store/columnar/column_table.h"

#include <gtest/gtest.h>

#include <random>

#include "store/columnar/event_rows.h"
#include "store/event_columns.h"
#include "store/testing/random_events.h"

namespace cdp::columnar {
namespace {

ScalarValue ValueAt(const TableColumn* column, size_t row) {
  if (column == nullptr || column->is_null[row]) return std::monostate{};
  switch (column->kind) {
    case ColumnKind::kString:
      return std::string(column->strings[row]);
    case ColumnKind::kTime:
      return TimeValue{column->times[row]};
    case ColumnKind::kNumber:
      return column->numbers[row];
    case ColumnKind::kBoolean:
      return column->booleans[row] != 0;
  }
  return std::monostate{};
}

// A value as a string column that a kind conflict turned to text holds it.
ScalarValue AsText(const ScalarValue& value) {
  if (const auto* time = std::get_if<TimeValue>(&value)) return TimeText(time->micros);
  if (const auto* number = std::get_if<double>(&value)) return NumberText(*number);
  if (const auto* boolean = std::get_if<bool>(&value))
    return std::string(*boolean ? "true" : "false");
  return value;
}

std::vector<std::string> AllColumns() {
  std::vector<std::string> columns;
  for (const StoredColumn& column : FixedEventColumns()) columns.push_back(column.name);
  for (std::string& column : testing::RandomEventColumns()) columns.push_back(std::move(column));
  return columns;
}

TEST(ColumnTableTest, EventRowsHoldEveryValueOfTheEvents) {
  for (const double odd_type_rate : {0.0, 0.05}) {
    std::mt19937_64 random(7);
    testing::RandomEventOptions options;
    options.odd_type_rate = odd_type_rate;
    const std::vector<Event> events = testing::RandomEvents(random, 3000, options);
    ColumnTable table;
    for (const Event& event : events) AppendEventRow(event, table);
    table.Seal();
    ASSERT_EQ(table.rows(), events.size());
    for (const TableColumn& column : table.columns()) ASSERT_EQ(column.size(), events.size());
    for (const std::string& name : AllColumns()) {
      const TableColumn* column = table.Find(name);
      for (size_t row = 0; row < events.size(); ++row) {
        ScalarValue expected = ColumnValueOf(events[row], name);
        if (column != nullptr && column->kind == ColumnKind::kString) expected = AsText(expected);
        ASSERT_EQ(ValueAt(column, row), expected) << name << " row " << row;
      }
    }
    // A price given as text once turns the whole column to text.
    EXPECT_EQ(table.Find("properties.price")->kind,
              odd_type_rate > 0 ? ColumnKind::kString : ColumnKind::kNumber);
  }
}

TEST(ColumnTableTest, KindConflictKeepsEarlierValuesAsText) {
  ColumnTable table;
  table.StartRow();
  table.SetNumber("properties.x", 1.5);
  table.StartRow();
  table.StartRow();
  table.SetBoolean("properties.x", true);
  table.StartRow();
  table.SetTime("properties.x", 1'000'001);
  table.Seal();
  const TableColumn* column = table.Find("properties.x");
  ASSERT_NE(column, nullptr);
  EXPECT_EQ(column->kind, ColumnKind::kString);
  EXPECT_EQ(column->strings[0], "1.5");
  EXPECT_TRUE(column->is_null[1]);
  EXPECT_EQ(column->strings[2], "true");
  EXPECT_EQ(column->strings[3], "1970-01-01T00:00:01.000001Z");
}

TEST(ColumnTableTest, SortedOrderIsPersonThenTimeThenMessageId) {
  std::mt19937_64 random(11);
  const std::vector<Event> events = testing::RandomEvents(random, 2000);
  ColumnTable table;
  for (const Event& event : events) AppendEventRow(event, table);
  table.Seal();
  const std::vector<uint32_t> order = table.SortedOrder();
  ASSERT_EQ(order.size(), events.size());
  const auto key = [&](uint32_t row) {
    const Event& e = events[row];
    return std::make_tuple(e.anonymous_id.empty() ? e.user_id : e.anonymous_id,
                           UnixMicros(e.timestamp), e.message_id);
  };
  std::vector<bool> seen(events.size());
  for (size_t i = 0; i < order.size(); ++i) {
    ASSERT_FALSE(seen[order[i]]);
    seen[order[i]] = true;
    if (i > 0) {
      ASSERT_LE(key(order[i - 1]), key(order[i]));
    }
  }
}

TEST(ColumnTableTest, TextForms) {
  EXPECT_EQ(NumberText(0.1), "0.1");
  EXPECT_EQ(NumberText(-0.0), "-0");
  EXPECT_EQ(NumberText(1e21), "1e+21");
  EXPECT_EQ(TimeText(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(TimeText(1'767'225'600'000'000), "2026-01-01T00:00:00.000000Z");
}

}  // namespace
}  // namespace cdp::columnar
