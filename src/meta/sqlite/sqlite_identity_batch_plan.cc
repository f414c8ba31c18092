#include "meta/sqlite/sqlite_identity_batch_plan.h"

#include <tuple>
#include <utility>

namespace cdp {

namespace {

void Widen(std::optional<int64_t>& first, std::optional<int64_t>& last, int64_t from, int64_t to) {
  if (from > to) std::swap(from, to);
  if (!first || from < *first) first = from;
  if (!last || to > *last) last = to;
}

}  // namespace

std::map<std::string_view, WorkspaceBatchPlan> PlanIdentityBatch(const IdentityBatch& batch) {
  std::map<std::string_view, WorkspaceBatchPlan> plans;
  for (const IdActivity& activity : batch.activity) {
    WorkspaceBatchPlan& plan = plans[activity.workspace_id];
    auto [entry, inserted] = plan.activity.try_emplace(activity.id);
    IdActivityDelta& delta = entry->second;
    if (inserted) {
      plan.activity_order.push_back(activity.id);
      delta.given_person = activity.person.empty() ? activity.id : activity.person;
    }
    delta.is_user = delta.is_user || activity.seen_as_user_id;
    if (activity.events > 0) {
      delta.events += activity.events;
      Widen(delta.first_seen, delta.last_seen, UnixMillis(activity.first_seen),
            UnixMillis(activity.last_seen));
    }
  }
  for (const PersonAssignment& assignment : batch.assignments) {
    WorkspaceBatchPlan& plan = plans[assignment.workspace_id];
    auto [entry, inserted] = plan.assignments.insert_or_assign(assignment.id, assignment.person);
    if (inserted) plan.assignment_order.push_back(assignment.id);
    // The ids of one merge follow each other to one person; a repeat further
    // apart costs a lookup later, nothing more.
    if (plan.assignment_persons.empty() || plan.assignment_persons.back() != assignment.person) {
      plan.assignment_persons.push_back(assignment.person);
    }
  }
  // (workspace, id, name, set_once) -> index in its plan's traits.
  std::map<std::tuple<std::string_view, std::string_view, std::string_view, bool>, size_t> winners;
  for (size_t i = 0; i < batch.traits.size(); ++i) {
    const TraitWrite& write = batch.traits[i];
    WorkspaceBatchPlan& plan = plans[write.workspace_id];
    plan.trait_person.try_emplace(write.id, write.person.empty() ? write.id : write.person);
    const TraitWinner candidate{&write, UnixMillis(write.at), static_cast<int64_t>(i)};
    auto [entry, inserted] = winners.try_emplace(
        std::make_tuple(std::string_view(write.workspace_id), std::string_view(write.id),
                        std::string_view(write.name), write.set_once),
        plan.traits.size());
    if (inserted) {
      plan.traits.push_back(candidate);
      continue;
    }
    TraitWinner& current = plan.traits[entry->second];
    if (write.set_once ? candidate.at < current.at : candidate.at >= current.at) {
      current = candidate;
    }
  }
  return plans;
}

}  // namespace cdp
