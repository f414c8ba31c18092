#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "query/person_rows.h"
#include "query/query_context.h"
#include "query/session/step_names.h"
#include "store/event_store.h"
#include "store/scan.h"

namespace cdp::query {

// One event of a person, as sessions and paths walk them: when, what it is
// called (a StepDictionary code) and whether it matches the paths' anchor
// selector.
struct Step {
  int64_t micros = 0;
  uint32_t name = 0;
  bool anchor = false;
};

// Which events a PersonSteps scan reads and what it calls them.
struct StepScan {
  TimePoint from{};  // inclusive
  TimePoint to{};    // exclusive
  // Which events count (AND); pushed into the store's scan.
  std::vector<Predicate> predicates;
  // The string column that names a step (paths' "path_property"): events
  // with no string value in it are left out. Absent: the event's name, or
  // UnnamedEventName of its type (step_names.h).
  std::optional<std::string> name_column;
  // Marks Step::anchor on the events that satisfy all of these (paths'
  // start or end selector); empty: no event is an anchor.
  std::vector<Predicate> anchor;
};

// Every counted event of a scan, grouped by person (PersonOf under the
// query's snapshot, so the events of merged ids are one person's; events
// with no person are left out), each person's in order of time, then name, then
// anchor flag: events at the same instant come in an order that depends on
// what they are, never on how the store happened to return them.
//
// How it stays cheap: one scan reads only the timestamp, the two person
// columns, the name column(s) and the anchor's columns, with the predicates
// and the time range pushed into the store. Each worker interns the names
// it meets once per block dictionary entry (never per row) into its own
// StepNameInterner, and adds 24-byte rows (person, micros, worker + local
// code + anchor bit) to PersonRows without locks. After the scan the
// workers' names merge into one StepDictionary in name order; ForEachPerson
// translates each person's rows to those codes and re-orders same-instant
// rows by them.
class PersonSteps {
 public:
  // Errors: the scan's (cancellation included).
  static Result<PersonSteps> Scan(const QueryContext& context, EventStore& store,
                                  const StepScan& scan);

  const StepDictionary& names() const { return names_; }
  uint64_t events() const { return events_; }

  // Calls `visit(thread, steps)` once per person with its steps in order,
  // from `parallelism` threads (thread in [0, parallelism)). Consumes the
  // rows: call it once.
  void ForEachPerson(int parallelism,
                     const std::function<void(int thread, std::span<const Step> steps)>& visit);

 private:
  using Rows = PersonRows<uint64_t>;
  explicit PersonSteps(int workers) : rows_(std::make_unique<Rows>(workers)) {}

  std::unique_ptr<Rows> rows_;
  StepDictionary names_;
  uint64_t events_ = 0;
};

}  // namespace cdp::query
