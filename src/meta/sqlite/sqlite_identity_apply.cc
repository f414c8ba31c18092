#include "meta/sqlite/sqlite_identity_apply.h"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "meta/sqlite/sqlite_connection.h"
#include "meta/sqlite/sqlite_identity_batch_plan.h"
#include "meta/sqlite/sqlite_identity_json.h"
#include "meta/sqlite/sqlite_identity_statements.h"
#include "meta/sqlite/sqlite_profile_row.h"
#include "meta/sqlite/sqlite_values.h"
#include "model/person_map.h"

namespace cdp {

namespace {

// --- SQL ---------------------------------------------------------------------

// The stored state of the ids a batch touches, in one statement: json_each
// lists them (?2), and CROSS JOIN keeps it the outer loop, so each is one
// primary-key probe.
constexpr char kSelectPriorIds[] =
    "SELECT i.id, i.person, i.is_user, i.first_seen, i.event_count "
    "FROM json_each(?2) AS j CROSS JOIN identity_ids AS i "
    "ON i.workspace_id = ?1 AND i.id = j.value";

// Knowing which ids exist (kSelectPriorIds, inside the transaction), the
// store inserts or updates rather than upserts: an upsert that finds its row
// seeks it twice. An update leaves `person` alone unless the id moved, so the
// person index is rewritten only for moves.
constexpr char kInsertId[] =
    "INSERT INTO identity_ids (workspace_id, id, id_key, person, is_user, first_seen, last_seen, "
    "event_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
// Counts add up, times widen (min / max of a NULL are NULL, hence the
// coalesce), the user flag sticks.
constexpr char kAddActivity[] =
    "UPDATE identity_ids SET is_user = is_user | ?3, "
    "first_seen = coalesce(min(first_seen, ?4), first_seen, ?4), "
    "last_seen = coalesce(max(last_seen, ?5), last_seen, ?5), event_count = event_count + ?6 "
    "WHERE workspace_id = ?1 AND id = ?2";
constexpr char kMoveId[] =
    "UPDATE identity_ids SET person = ?3 WHERE workspace_id = ?1 AND id = ?2";

// A plain set replaces an earlier or equal one (ties: the later write wins);
// a set_once only a later one (ties: the first write stays).
constexpr char kUpsertTrait[] =
    "INSERT INTO identity_traits (workspace_id, id, name, set_once, value_json, at, write_seq) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT (workspace_id, id, name, set_once) DO UPDATE SET "
    "value_json = excluded.value_json, at = excluded.at, write_seq = excluded.write_seq "
    "WHERE (excluded.set_once = 0 AND excluded.at >= identity_traits.at) OR "
    "(excluded.set_once = 1 AND excluded.at < identity_traits.at)";

constexpr char kSelectTraitWrites[] =
    "SELECT value FROM identity_counters WHERE name = 'trait_writes'";
constexpr char kUpdateTraitWrites[] =
    "UPDATE identity_counters SET value = ?1 WHERE name = 'trait_writes'";

constexpr char kInsertLink[] =
    "INSERT INTO identity_links (workspace_id, seq, kind, from_id, to_id, message_id, "
    "event_timestamp, applied_at, outcome, merge_id, winner, loser, moved_ids, unmerged_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
constexpr char kMarkUnmerged[] =
    "UPDATE identity_links SET unmerged_at = ?3 "
    "WHERE workspace_id = ?1 AND merge_id = ?2 AND unmerged_at IS NULL";
constexpr char kSelectMerge[] =
    "SELECT 1 FROM identity_links WHERE workspace_id = ?1 AND merge_id = ?2";

constexpr char kUpsertOffset[] =
    "INSERT INTO identity_consumed_offsets (log_partition, next_offset) VALUES (?1, ?2) "
    "ON CONFLICT (log_partition) DO UPDATE SET next_offset = excluded.next_offset";

// The members and the trait rows of the persons listed in ?2.
constexpr char kSelectMembers[] =
    "SELECT i.person, i.id, i.is_user, i.first_seen, i.last_seen, i.event_count "
    "FROM json_each(?2) AS j CROSS JOIN identity_ids AS i INDEXED BY identity_ids_person "
    "ON i.workspace_id = ?1 AND i.person = j.value";
constexpr char kSelectMemberTraits[] =
    "SELECT i.person, t.name, t.set_once, t.value_json, t.at, t.write_seq "
    "FROM json_each(?2) AS j CROSS JOIN identity_ids AS i "
    "ON i.workspace_id = ?1 AND i.person = j.value "
    "CROSS JOIN identity_traits AS t ON t.workspace_id = ?1 AND t.id = i.id";

// A recomputed (or new) profile replaces the row.
constexpr char kReplaceProfile[] =
    "INSERT INTO profiles (workspace_id, person, person_key, first_seen, last_seen, event_count, "
    "traits_json, user_ids, anonymous_ids, search_text) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (workspace_id, person) "
    "DO UPDATE SET person_key = excluded.person_key, first_seen = excluded.first_seen, "
    "last_seen = excluded.last_seen, event_count = excluded.event_count, "
    "traits_json = excluded.traits_json, user_ids = excluded.user_ids, "
    "anonymous_ids = excluded.anonymous_ids, search_text = excluded.search_text";
// A person that only gained events. The times of a person without events are
// 0, not bounds.
constexpr char kAddToProfile[] =
    "UPDATE profiles SET "
    "first_seen = CASE WHEN event_count = 0 THEN ?3 ELSE min(first_seen, ?3) END, "
    "last_seen = CASE WHEN event_count = 0 THEN ?4 ELSE max(last_seen, ?4) END, "
    "event_count = event_count + ?5 WHERE workspace_id = ?1 AND person = ?2";
constexpr char kDeleteProfile[] = "DELETE FROM profiles WHERE workspace_id = ?1 AND person = ?2";

// --- Errors ------------------------------------------------------------------

// A foreign key of a batch's rows can only be the workspace.
Status WorkspaceError(Status status, std::string_view workspace_id) {
  if (status.code() == ErrorCode::kNotFound) {
    return Reword(status, fmt::format("workspace {} not found", workspace_id), "workspace_id");
  }
  return status;
}

// SqliteStatement binds NULL through its optional text binding.
Status BindOptionalInt64(SqliteStatement& statement, int index, std::optional<int64_t> value) {
  if (value.has_value()) return statement.BindInt64(index, *value);
  return statement.BindOptionalText(index, std::nullopt);
}

// --- Writing one workspace's part ---------------------------------------------

// An id's row as the batch found it.
struct PriorId {
  std::string person;
  bool is_user = false;
  std::optional<int64_t> first_seen;  // nullopt: no events yet
};

// An id row the batch writes.
struct RowWrite {
  std::string id;
  std::string person;                      // once the batch is applied
  const IdActivityDelta* delta = nullptr;  // its activity, if any
  const PriorId* prior = nullptr;          // its stored row; null for a new id
};

// Activity summed per person, for persons that only gained events.
struct PersonGain {
  std::string person;
  int64_t events = 0;
  std::optional<int64_t> first_seen;
  std::optional<int64_t> last_seen;
  size_t rows = 0;
  const RowWrite* new_row = nullptr;  // a new id of the person, if any
};

class WorkspaceWriter {
 public:
  WorkspaceWriter(SqliteConnection& connection, IdentityStatements& statements,
                  std::string_view workspace_id, const WorkspaceBatchPlan& plan,
                  int64_t trait_write_base)
      : connection_(connection),
        statements_(statements),
        workspace_id_(workspace_id),
        plan_(plan),
        trait_write_base_(trait_write_base) {}

  Status Write() {
    CDP_RETURN_IF_ERROR(ReadPriorIds());
    PlanRows();
    ChoosePersonsToRecompute();
    CDP_RETURN_IF_ERROR(WriteIds());
    CDP_RETURN_IF_ERROR(WriteTraits());
    CDP_RETURN_IF_ERROR(AddActivityToProfiles());
    return RecomputeProfiles();
  }

 private:
  Status ReadPriorIds() {
    std::vector<std::string> touched;
    IdentityStringSet seen;
    auto touch = [&](const std::string& id) {
      if (seen.insert(id).second) touched.push_back(id);
    };
    for (const auto& [id, delta] : plan_.activity) {
      touch(id);
      touch(delta.given_person);
    }
    for (const auto& [id, person] : plan_.assignments) touch(id);
    for (const std::string& person : plan_.assignment_persons) touch(person);
    for (const auto& [id, person] : plan_.trait_person) {
      touch(id);
      touch(person);
    }
    CDP_ASSIGN_OR_RETURN(auto select, statements_.Get(kSelectPriorIds));
    CDP_RETURN_IF_ERROR(select->BindText(1, workspace_id_));
    CDP_RETURN_IF_ERROR(select->BindText(2, JsonStringArray(touched)));
    while (true) {
      CDP_ASSIGN_OR_RETURN(const bool row, select->Step());
      if (!row) return Status::Ok();
      PriorId prior;
      prior.person = select->ColumnText(1);
      prior.is_user = select->ColumnInt64(2) != 0;
      if (select->ColumnInt64(4) > 0) prior.first_seen = select->ColumnInt64(3);
      prior_.emplace(select->ColumnText(0), std::move(prior));
    }
  }

  // The person `id` belongs to once the batch is applied.
  const std::string& FinalPerson(const std::string& id) const {
    if (const std::string* person = FindIn(plan_.assignments, id)) return *person;
    if (const PriorId* prior = FindIn(prior_, id)) return prior->person;
    if (const IdActivityDelta* delta = FindIn(plan_.activity, id)) return delta->given_person;
    if (const std::string* person = FindIn(plan_.trait_person, id)) return *person;
    return id;  // a representative without a row of its own
  }

  void PlanRows() {
    IdentityStringSet planned;
    auto plan = [&](const std::string& id) {
      if (!planned.insert(id).second) return;
      rows_.push_back({id, FinalPerson(id), FindIn(plan_.activity, id), FindIn(prior_, id)});
    };
    for (const std::string& id : plan_.activity_order) plan(id);
    for (const std::string& id : plan_.assignment_order) plan(id);
    for (const TraitWinner& trait : plan_.traits) {
      if (FindIn(prior_, trait.write->id) == nullptr) plan(trait.write->id);
    }
    // A person is named by a member: a representative new to the store gets
    // its row (no events), so that a profile's person is always among its
    // ids. So does every person an assignment named, even when a later
    // assignment took its ids elsewhere: it stays a person of its own, or
    // joins the person its own assignment names.
    for (const std::string& person : plan_.assignment_persons) {
      if (FindIn(prior_, person) == nullptr) plan(person);
    }
    for (size_t i = 0; i < rows_.size(); ++i) {
      if (FindIn(prior_, rows_[i].person) == nullptr) plan(std::string(rows_[i].person));
    }
  }

  void ChoosePersonsToRecompute() {
    for (const auto& [id, person] : plan_.assignments) {
      recompute_.insert(person);
      if (const PriorId* prior = FindIn(prior_, id)) recompute_.insert(prior->person);
    }
    for (const TraitWinner& trait : plan_.traits) recompute_.insert(FinalPerson(trait.write->id));
    for (const RowWrite& row : rows_) {
      if (row.prior == nullptr) {
        // A new id joins its person, unless it is a new person of its own
        // with events, whose row AddActivityToProfiles makes.
        if (row.person != row.id || row.delta == nullptr) recompute_.insert(row.person);
        continue;
      }
      if (row.delta == nullptr) continue;
      // The member lists change order: a first user flag, an earlier first_seen.
      const bool became_user = row.delta->is_user && !row.prior->is_user;
      const bool seen_earlier =
          row.delta->first_seen &&
          (!row.prior->first_seen || *row.delta->first_seen < *row.prior->first_seen);
      if (became_user || seen_earlier) recompute_.insert(row.person);
    }
  }

  Status WriteIds() {
    CDP_ASSIGN_OR_RETURN(auto insert, statements_.Get(kInsertId));
    CDP_ASSIGN_OR_RETURN(auto add, statements_.Get(kAddActivity));
    CDP_ASSIGN_OR_RETURN(auto move, statements_.Get(kMoveId));
    CDP_RETURN_IF_ERROR(insert->BindText(1, workspace_id_));
    CDP_RETURN_IF_ERROR(add->BindText(1, workspace_id_));
    CDP_RETURN_IF_ERROR(move->BindText(1, workspace_id_));
    const IdActivityDelta none;
    for (const RowWrite& row : rows_) {
      if (row.prior == nullptr) {
        const IdActivityDelta& delta = row.delta != nullptr ? *row.delta : none;
        insert->Reset();
        CDP_RETURN_IF_ERROR(insert->BindText(2, row.id));
        CDP_RETURN_IF_ERROR(insert->BindInt64(3, static_cast<int64_t>(PersonKeyOf(row.id))));
        CDP_RETURN_IF_ERROR(insert->BindText(4, row.person));
        CDP_RETURN_IF_ERROR(insert->BindInt64(5, delta.is_user ? 1 : 0));
        CDP_RETURN_IF_ERROR(BindOptionalInt64(*insert, 6, delta.first_seen));
        CDP_RETURN_IF_ERROR(BindOptionalInt64(*insert, 7, delta.last_seen));
        CDP_RETURN_IF_ERROR(insert->BindInt64(8, delta.events));
        CDP_RETURN_IF_ERROR(WorkspaceError(insert->Run(), workspace_id_));
        continue;
      }
      if (row.delta != nullptr && (row.delta->events > 0 || row.delta->is_user)) {
        add->Reset();
        CDP_RETURN_IF_ERROR(add->BindText(2, row.id));
        CDP_RETURN_IF_ERROR(add->BindInt64(3, row.delta->is_user ? 1 : 0));
        CDP_RETURN_IF_ERROR(BindOptionalInt64(*add, 4, row.delta->first_seen));
        CDP_RETURN_IF_ERROR(BindOptionalInt64(*add, 5, row.delta->last_seen));
        CDP_RETURN_IF_ERROR(add->BindInt64(6, row.delta->events));
        CDP_RETURN_IF_ERROR(add->Run());
      }
      if (row.person != row.prior->person) {
        move->Reset();
        CDP_RETURN_IF_ERROR(move->BindText(2, row.id));
        CDP_RETURN_IF_ERROR(move->BindText(3, row.person));
        CDP_RETURN_IF_ERROR(move->Run());
      }
    }
    return Status::Ok();
  }

  Status WriteTraits() {
    if (plan_.traits.empty()) return Status::Ok();
    CDP_ASSIGN_OR_RETURN(auto upsert, statements_.Get(kUpsertTrait));
    CDP_RETURN_IF_ERROR(upsert->BindText(1, workspace_id_));
    for (const TraitWinner& trait : plan_.traits) {
      upsert->Reset();
      CDP_RETURN_IF_ERROR(upsert->BindText(2, trait.write->id));
      CDP_RETURN_IF_ERROR(upsert->BindText(3, trait.write->name));
      CDP_RETURN_IF_ERROR(upsert->BindInt64(4, trait.write->set_once ? 1 : 0));
      CDP_RETURN_IF_ERROR(upsert->BindText(5, trait.write->value_json));
      CDP_RETURN_IF_ERROR(upsert->BindInt64(6, trait.at));
      CDP_RETURN_IF_ERROR(upsert->BindInt64(7, trait_write_base_ + trait.order + 1));
      CDP_RETURN_IF_ERROR(WorkspaceError(upsert->Run(), workspace_id_));
    }
    return Status::Ok();
  }

  // Persons that only gained events: their activity, summed per person, is
  // added to the row in place. A new person (a new id of its own) gets its
  // whole row. A person whose row is missing, which the store never leaves,
  // is recomputed instead.
  Status AddActivityToProfiles() {
    IdentityStringMap<size_t> index;
    std::vector<PersonGain> gains;
    for (const RowWrite& row : rows_) {
      if (row.delta == nullptr || recompute_.contains(row.person)) continue;
      auto [entry, inserted] = index.try_emplace(row.person, gains.size());
      if (inserted) {
        gains.emplace_back();
        gains.back().person = row.person;
      }
      PersonGain& gain = gains[entry->second];
      ++gain.rows;
      if (row.prior == nullptr) gain.new_row = &row;
      if (row.delta->events == 0) continue;
      gain.events += row.delta->events;
      if (!gain.first_seen || *row.delta->first_seen < *gain.first_seen) {
        gain.first_seen = row.delta->first_seen;
      }
      if (!gain.last_seen || *row.delta->last_seen > *gain.last_seen) {
        gain.last_seen = row.delta->last_seen;
      }
    }
    if (gains.empty()) return Status::Ok();
    CDP_ASSIGN_OR_RETURN(auto add, statements_.Get(kAddToProfile));
    CDP_ASSIGN_OR_RETURN(auto replace, statements_.Get(kReplaceProfile));
    CDP_RETURN_IF_ERROR(add->BindText(1, workspace_id_));
    for (const PersonGain& gain : gains) {
      if (gain.new_row != nullptr && gain.rows == 1) {
        const RowWrite& row = *gain.new_row;
        CDP_RETURN_IF_ERROR(
            WriteProfile(*replace, BuildProfileRow(gain.person,
                                                   {{row.id, row.delta->is_user, row.delta->events,
                                                     row.delta->first_seen, row.delta->last_seen}},
                                                   {})));
        continue;
      }
      if (gain.new_row != nullptr) {
        recompute_.insert(gain.person);
        continue;
      }
      if (gain.events == 0) continue;
      add->Reset();
      CDP_RETURN_IF_ERROR(add->BindText(2, gain.person));
      CDP_RETURN_IF_ERROR(add->BindInt64(3, *gain.first_seen));
      CDP_RETURN_IF_ERROR(add->BindInt64(4, *gain.last_seen));
      CDP_RETURN_IF_ERROR(add->BindInt64(5, gain.events));
      CDP_RETURN_IF_ERROR(add->Run());
      if (connection_.Changes() == 0) recompute_.insert(gain.person);
    }
    return Status::Ok();
  }

  Status RecomputeProfiles() {
    if (recompute_.empty()) return Status::Ok();
    const std::vector<std::string> persons(recompute_.begin(), recompute_.end());
    const std::string persons_json = JsonStringArray(persons);
    IdentityStringMap<std::vector<IdentityMemberRow>> members;
    {
      CDP_ASSIGN_OR_RETURN(auto select, statements_.Get(kSelectMembers));
      CDP_RETURN_IF_ERROR(select->BindText(1, workspace_id_));
      CDP_RETURN_IF_ERROR(select->BindText(2, persons_json));
      while (true) {
        CDP_ASSIGN_OR_RETURN(const bool row, select->Step());
        if (!row) break;
        IdentityMemberRow member;
        member.id = select->ColumnText(1);
        member.is_user = select->ColumnInt64(2) != 0;
        member.event_count = select->ColumnInt64(5);
        if (member.event_count > 0) {
          member.first_seen = select->ColumnInt64(3);
          member.last_seen = select->ColumnInt64(4);
        }
        members[select->ColumnText(0)].push_back(std::move(member));
      }
    }
    IdentityStringMap<std::vector<IdentityTraitRow>> traits;
    {
      CDP_ASSIGN_OR_RETURN(auto select, statements_.Get(kSelectMemberTraits));
      CDP_RETURN_IF_ERROR(select->BindText(1, workspace_id_));
      CDP_RETURN_IF_ERROR(select->BindText(2, persons_json));
      while (true) {
        CDP_ASSIGN_OR_RETURN(const bool row, select->Step());
        if (!row) break;
        traits[select->ColumnText(0)].push_back({select->ColumnText(1), select->ColumnInt64(2) != 0,
                                                 select->ColumnText(3), select->ColumnInt64(4),
                                                 select->ColumnInt64(5)});
      }
    }
    CDP_ASSIGN_OR_RETURN(auto replace, statements_.Get(kReplaceProfile));
    CDP_ASSIGN_OR_RETURN(auto erase, statements_.Get(kDeleteProfile));
    static const std::vector<IdentityTraitRow> kNoTraits;
    for (const std::string& person : persons) {
      auto found = members.find(person);
      if (found == members.end()) {  // every id left it: the absorbed side of a merge
        erase->Reset();
        CDP_RETURN_IF_ERROR(erase->BindText(1, workspace_id_));
        CDP_RETURN_IF_ERROR(erase->BindText(2, person));
        CDP_RETURN_IF_ERROR(erase->Run());
        continue;
      }
      const std::vector<IdentityTraitRow>* person_traits = FindIn(traits, person);
      CDP_RETURN_IF_ERROR(
          WriteProfile(*replace, BuildProfileRow(person, std::move(found->second),
                                                 person_traits ? *person_traits : kNoTraits)));
    }
    return Status::Ok();
  }

  Status WriteProfile(SqliteStatement& upsert, const ProfileRow& row) {
    upsert.Reset();
    CDP_RETURN_IF_ERROR(upsert.BindText(1, workspace_id_));
    CDP_RETURN_IF_ERROR(upsert.BindText(2, row.person));
    CDP_RETURN_IF_ERROR(upsert.BindInt64(3, row.person_key));
    CDP_RETURN_IF_ERROR(upsert.BindInt64(4, row.first_seen));
    CDP_RETURN_IF_ERROR(upsert.BindInt64(5, row.last_seen));
    CDP_RETURN_IF_ERROR(upsert.BindInt64(6, row.event_count));
    CDP_RETURN_IF_ERROR(upsert.BindText(7, row.traits_json));
    CDP_RETURN_IF_ERROR(upsert.BindText(8, row.user_ids_json));
    CDP_RETURN_IF_ERROR(upsert.BindText(9, row.anonymous_ids_json));
    CDP_RETURN_IF_ERROR(upsert.BindText(10, row.search_text));
    return upsert.Run();
  }

  SqliteConnection& connection_;
  IdentityStatements& statements_;
  const std::string workspace_id_;
  const WorkspaceBatchPlan& plan_;
  const int64_t trait_write_base_;
  IdentityStringMap<PriorId> prior_;  // node-based: RowWrite points into it
  std::vector<RowWrite> rows_;
  IdentityStringSet recompute_;
};

// --- Links, unmerges, offsets -------------------------------------------------

Status InsertLinks(IdentityStatements& statements, const std::vector<IdentityLinkRecord>& links) {
  if (links.empty()) return Status::Ok();
  CDP_ASSIGN_OR_RETURN(auto insert, statements.Get(kInsertLink));
  for (size_t i = 0; i < links.size(); ++i) {
    const IdentityLinkRecord& link = links[i];
    insert->Reset();
    CDP_RETURN_IF_ERROR(insert->BindText(1, link.workspace_id));
    CDP_RETURN_IF_ERROR(insert->BindInt64(2, link.seq));
    CDP_RETURN_IF_ERROR(insert->BindText(3, link.kind));
    CDP_RETURN_IF_ERROR(insert->BindText(4, link.from_id));
    CDP_RETURN_IF_ERROR(insert->BindText(5, link.to_id));
    CDP_RETURN_IF_ERROR(insert->BindText(6, link.message_id));
    CDP_RETURN_IF_ERROR(insert->BindInt64(7, UnixMillis(link.event_timestamp)));
    CDP_RETURN_IF_ERROR(insert->BindInt64(8, UnixMillis(link.applied_at)));
    CDP_RETURN_IF_ERROR(insert->BindText(9, link.outcome));
    CDP_RETURN_IF_ERROR(insert->BindOptionalText(10, NullIfEmpty(link.merge_id)));
    CDP_RETURN_IF_ERROR(insert->BindOptionalText(11, NullIfEmpty(link.winner)));
    CDP_RETURN_IF_ERROR(insert->BindOptionalText(12, NullIfEmpty(link.loser)));
    CDP_RETURN_IF_ERROR(insert->BindText(13, JsonStringArray(link.moved_ids)));
    if (link.unmerged_at.has_value()) {
      CDP_RETURN_IF_ERROR(insert->BindInt64(14, UnixMillis(*link.unmerged_at)));
    } else {
      CDP_RETURN_IF_ERROR(insert->BindOptionalText(14, std::nullopt));
    }
    Status status = insert->Run();
    if (status.ok()) continue;
    const std::string path = fmt::format("new_links[{}]", i);
    if (status.code() == ErrorCode::kConflict && status.field() == "merge_id") {
      return Reword(status, fmt::format("merge {} is already recorded", link.merge_id),
                    path + ".merge_id");
    }
    if (status.code() == ErrorCode::kConflict) {  // the primary key (workspace_id, seq)
      return Reword(
          status,
          fmt::format("link {} of workspace {} is already recorded", link.seq, link.workspace_id),
          path + ".seq");
    }
    return WorkspaceError(std::move(status), link.workspace_id);
  }
  return Status::Ok();
}

Status MarkUnmerged(SqliteConnection& connection, IdentityStatements& statements,
                    const IdentityBatch& batch) {
  if (batch.unmerged.empty()) return Status::Ok();
  CDP_ASSIGN_OR_RETURN(auto update, statements.Get(kMarkUnmerged));
  CDP_RETURN_IF_ERROR(update->BindInt64(3, UnixMillis(batch.unmerged_at)));
  for (const auto& [workspace_id, merge_id] : batch.unmerged) {
    update->Reset();
    CDP_RETURN_IF_ERROR(update->BindText(1, workspace_id));
    CDP_RETURN_IF_ERROR(update->BindText(2, merge_id));
    CDP_RETURN_IF_ERROR(update->Run());
    if (connection.Changes() > 0) continue;
    CDP_ASSIGN_OR_RETURN(auto select, statements.Get(kSelectMerge));
    CDP_RETURN_IF_ERROR(select->BindText(1, workspace_id));
    CDP_RETURN_IF_ERROR(select->BindText(2, merge_id));
    CDP_ASSIGN_OR_RETURN(const bool exists, select->Step());
    if (exists) {
      return Status::Conflict(fmt::format("merge {} is already undone", merge_id), "merge_id");
    }
    return Status::NotFound(
               fmt::format("merge {} not found in workspace {}", merge_id, workspace_id))
        .WithField("merge_id");
  }
  return Status::Ok();
}

Status WriteOffsets(IdentityStatements& statements,
                    const std::vector<std::pair<int, uint64_t>>& offsets) {
  if (offsets.empty()) return Status::Ok();
  CDP_ASSIGN_OR_RETURN(auto upsert, statements.Get(kUpsertOffset));
  for (const auto& [partition, next_offset] : offsets) {
    upsert->Reset();
    CDP_RETURN_IF_ERROR(upsert->BindInt64(1, partition));
    CDP_RETURN_IF_ERROR(upsert->BindInt64(2, static_cast<int64_t>(next_offset)));
    CDP_RETURN_IF_ERROR(upsert->Run());
  }
  return Status::Ok();
}

Result<int64_t> ReadTraitWrites(IdentityStatements& statements) {
  CDP_ASSIGN_OR_RETURN(auto select, statements.Get(kSelectTraitWrites));
  CDP_ASSIGN_OR_RETURN(const bool found, select->Step());
  if (!found) return Status::Internal("identity_counters has no 'trait_writes' row");
  return select->ColumnInt64(0);
}

Status UpdateTraitWrites(IdentityStatements& statements, int64_t value) {
  CDP_ASSIGN_OR_RETURN(auto update, statements.Get(kUpdateTraitWrites));
  CDP_RETURN_IF_ERROR(update->BindInt64(1, value));
  return update->Run();
}

}  // namespace

Status WriteIdentityBatch(SqliteConnection& connection, IdentityStatements& statements,
                          const IdentityBatch& batch) {
  const std::map<std::string_view, WorkspaceBatchPlan> plans = PlanIdentityBatch(batch);
  CDP_RETURN_IF_ERROR(InsertLinks(statements, batch.new_links));
  CDP_RETURN_IF_ERROR(MarkUnmerged(connection, statements, batch));
  CDP_RETURN_IF_ERROR(WriteOffsets(statements, batch.offsets));

  // The batch's trait writes are numbered after every earlier one.
  int64_t trait_write_base = 0;
  if (!batch.traits.empty()) {
    CDP_ASSIGN_OR_RETURN(trait_write_base, ReadTraitWrites(statements));
    CDP_RETURN_IF_ERROR(UpdateTraitWrites(
        statements, trait_write_base + static_cast<int64_t>(batch.traits.size())));
  }
  for (const auto& [workspace_id, plan] : plans) {
    CDP_RETURN_IF_ERROR(
        WorkspaceWriter(connection, statements, workspace_id, plan, trait_write_base).Write());
  }
  return Status::Ok();
}

}  // namespace cdp
