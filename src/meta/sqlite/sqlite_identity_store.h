#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "meta/identity_store.h"

namespace cdp {

class SqliteConnection;
class IdentityStatements;

// IdentityStore on the SQLite metadata database: tables identity_ids,
// identity_traits, identity_links, profiles, identity_consumed_offsets and
// identity_counters (migration 0006).
//
// It holds its own connections to the metadata file, beside SqliteMetaStore's
// and the query library's: one that writes and one that reads, each with its
// own lock. WAL lets them work at once, so profile reads never wait for a
// batch being applied, and a batch (thousands of rows) never delays a
// write-key check. Apply is one BEGIN IMMEDIATE transaction; it first
// aggregates the batch in memory (one write per id and per person), then
// writes the ids, traits, links and offsets, then the profiles: a person
// that only gained events gets its stats added in place, one whose members
// or traits changed is recomputed from its member rows, and one left without
// members (the absorbed side of a merge) loses its row
// (sqlite_identity_apply.h).
//
// Long reads (ScanProfiles, ForEachLink) read in chunks, each its own short
// read transaction, and call back without the lock: a slow consumer holds
// nothing, at the price of seeing rows changed between chunks in either
// version (each row once: chunks follow the primary key).
// Thread safety: as the interface; one call at a time on each connection.
class SqliteIdentityStore final : public IdentityStore {
 public:
  // Use OpenSqliteIdentityStore(); this is for callers holding connections
  // (two to the same database).
  SqliteIdentityStore(std::unique_ptr<SqliteConnection> writer,
                      std::unique_ptr<SqliteConnection> reader);
  ~SqliteIdentityStore() override;

  // Errors: NotFound (field "workspace_id") for a workspace that does not
  // exist; Conflict (field "seq" or "merge_id") for a link record whose
  // (workspace, seq) or merge_id is already stored; NotFound (field
  // "merge_id") for an unmerge of a merge not stored, Conflict (same field)
  // for one already undone. Nothing of a failed batch is kept.
  Status Apply(const IdentityBatch& batch) override;
  Result<std::vector<std::pair<int, uint64_t>>> ConsumedOffsets() override;
  Status ForEachLink(const std::function<Status(const IdentityLinkRecord&)>& each) override;

  Result<std::optional<std::string>> PersonOf(std::string_view workspace_id,
                                              std::string_view id) override;
  Result<std::vector<std::string>> IdsWithKey(std::string_view workspace_id, uint64_t key) override;
  Result<Profile> GetProfile(std::string_view workspace_id, std::string_view person) override;
  Result<ProfilePage> ListProfiles(const ProfileListRequest& request) override;
  Status ScanProfiles(std::string_view workspace_id,
                      const std::function<bool(const Profile&)>& each) override;
  Result<std::vector<IdentityLinkRecord>> MergesOf(std::string_view workspace_id,
                                                   std::string_view person) override;

 private:
  // REQUIRES: read_mutex_ held.
  Result<std::optional<Profile>> ReadProfile(std::string_view workspace_id,
                                             std::string_view person);

  // Each connection's statements are declared after it: finalized before it
  // closes.
  std::mutex write_mutex_;
  std::unique_ptr<SqliteConnection> writer_;              // guarded by write_mutex_
  std::unique_ptr<IdentityStatements> write_statements_;  // guarded by write_mutex_
  std::mutex read_mutex_;
  std::unique_ptr<SqliteConnection> reader_;             // guarded by read_mutex_
  std::unique_ptr<IdentityStatements> read_statements_;  // guarded by read_mutex_
};

// Opens (creating it and its parent directory if missing) the SQLite metadata
// database at `path` for the identity store. It does not migrate: see
// OpenSqliteMetaStore.
Result<std::unique_ptr<SqliteIdentityStore>> OpenSqliteIdentityStore(const std::string& path);

}  // namespace cdp
