#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "model/property_type.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace cdp {

// Columns of the event model, as scans name them. The fixed columns carry the
// Event's field names ("type", "event", "message_id", "anonymous_id",
// "user_id", "group_id", "previous_id", "timestamp", "sent_at",
// "received_at", "original_timestamp", "integrations"); a flattened property
// is "<section>.<name>" with section one of "context", "properties",
// "traits", "traits_set_once" ("properties.plan", "context.page_url").
//
// Every column has one of four value kinds: string (also "type"), time
// (microseconds since the Unix epoch), number (double) or boolean.
enum class ColumnKind : uint8_t { kString = 0, kTime = 1, kNumber = 2, kBoolean = 3 };

std::string_view ColumnKindName(ColumnKind kind);
// The kind of a property column holding values of `type`.
ColumnKind ColumnKindOf(PropertyType type);

// Which rows of a block are null: a view of a bitmap (bit r of word r / 64),
// empty when no row is.
class NullMask {
 public:
  NullMask() = default;
  explicit NullMask(std::span<const uint64_t> words) : words_(words) {}
  bool empty() const { return words_.empty(); }
  bool IsNull(size_t row) const {
    return !words_.empty() && ((words_[row >> 6] >> (row & 63)) & 1) != 0;
  }
  std::span<const uint64_t> words() const { return words_; }

 private:
  std::span<const uint64_t> words_;
};

// One value of a predicate or a result: null, string, time (microseconds),
// number or boolean.
struct TimeValue {
  int64_t micros = 0;
  friend bool operator==(const TimeValue&, const TimeValue&) = default;
};
using ScalarValue = std::variant<std::monostate, std::string, TimeValue, double, bool>;

// A condition on one column, evaluated per row (SatisfiesPredicate in
// event_columns.h is the reference). Rows whose column is null (or absent)
// fail every operator except kIsNotSet. A row whose value has another kind
// than the operand fails every comparison except kNotEquals, which it passes
// (the query layer converts operands to the column's kind first). The string
// operators fail on rows that are not strings.
enum class CompareOp : uint8_t {
  kEquals,     // values[0]
  kNotEquals,  // values[0]; a null row does not match
  kLess,       // values[0], strings compare bytewise
  kLessOrEqual,
  kGreater,
  kGreaterOrEqual,
  kIn,           // any of values
  kContains,     // strings: values[0] is a substring
  kNotContains,  // strings: not a substring (null rows do not match)
  kStartsWith,
  kEndsWith,
  kIsSet,     // not null
  kIsNotSet,  // null or the column absent
  // Strings: the RE2 pattern values[0] matches somewhere in the value (like
  // ClickHouse's match()); kNotRegex: it matches nowhere (null rows do not
  // match). Built with RegexPredicate, which compiles the pattern once.
  kRegex,
  kNotRegex,
};

struct Predicate {
  std::string column;
  CompareOp op = CompareOp::kEquals;
  std::vector<ScalarValue> values;
  // kRegex / kNotRegex: values[0] compiled; without it no row matches.
  std::shared_ptr<const re2::RE2> regex;
};

// A kRegex (or, negated, kNotRegex) predicate on `column`. BadRequest (field
// `field`) when the pattern is not valid RE2 syntax.
Result<Predicate> RegexPredicate(std::string column, std::string_view pattern, bool negated,
                                 std::string field);

// Whether `text` satisfies the string-only operators (kContains to
// kEndsWith, kRegex, kNotRegex) of `predicate`; false for the others.
bool StringOperatorMatches(std::string_view text, const Predicate& predicate);

// What to read: one workspace, a half-open time range on `timestamp`, the
// columns to return, and predicates that every returned row satisfies (AND).
struct ScanRequest {
  std::string workspace_id;
  TimePoint from{};  // inclusive
  TimePoint to{};    // exclusive
  std::vector<std::string> columns;
  std::vector<Predicate> predicates;
};

// Decoded columns of one block, in the forms the encodings give cheaply.
// A string column is a dictionary and one code per row: a histogram of codes
// counts by value without touching the strings.
struct StringColumn {
  std::span<const std::string_view> dictionary;
  std::span<const uint32_t> codes;
  NullMask nulls;
};
struct TimeColumn {
  std::span<const int64_t> micros;
  NullMask nulls;
};
struct NumberColumn {
  std::span<const double> values;
  NullMask nulls;
};
struct BooleanColumn {
  std::span<const uint8_t> values;  // 0 or 1
  NullMask nulls;
};
// monostate: the column does not exist in this block's part (every row is
// null). A property whose type was changed in the schema registry has the old
// kind in parts written before the change: consumers check the alternative.
using ColumnData =
    std::variant<std::monostate, StringColumn, TimeColumn, NumberColumn, BooleanColumn>;

// The rows of one block that satisfy a scan's predicates. Columns are in the
// order of ScanRequest::columns; each covers every row of the block, and
// `selection` lists the rows that passed (ascending). Everything it points
// to is valid only during the callback that receives it.
struct ScanBatch {
  size_t block_rows = 0;
  std::span<const uint32_t> selection;
  std::span<const ColumnData> columns;
};

}  // namespace cdp
