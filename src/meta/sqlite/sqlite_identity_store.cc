// The identity store on SQLite: tables identity_ids, identity_traits,
// identity_links, profiles, identity_consumed_offsets and identity_counters
// (migration 0006). Apply's writing lives in sqlite_identity_apply.cc; this
// file holds the transaction around it and the reads.

#include "meta/sqlite/sqlite_identity_store.h"

#include <fmt/format.h>

#include <chrono>
#include <utility>
#include <variant>

#include "meta/sqlite/sqlite_connection.h"
#include "meta/sqlite/sqlite_identity_apply.h"
#include "meta/sqlite/sqlite_identity_json.h"
#include "meta/sqlite/sqlite_identity_statements.h"
#include "meta/sqlite/sqlite_profile_query.h"

namespace cdp {

namespace {

// Rows per chunk of the long reads: each chunk is one short read
// transaction, and the callbacks run between chunks without the lock.
constexpr int64_t kScanChunkRows = 500;

// Each connection's page cache, in KiB (see OpenSqliteIdentityStore).
constexpr int kCacheKiB = 128 * 1024;

constexpr char kLinkColumns[] =
    "l.workspace_id, l.seq, l.kind, l.from_id, l.to_id, l.message_id, l.event_timestamp, "
    "l.applied_at, l.outcome, l.merge_id, l.winner, l.loser, l.moved_ids, l.unmerged_at";

const std::string kSelectLinksAfter = fmt::format(
    "SELECT {} FROM identity_links l WHERE (l.workspace_id, l.seq) > (?1, ?2) "
    "ORDER BY l.workspace_id, l.seq LIMIT ?3",
    kLinkColumns);
// The merges with an end among the person's ids. INDEXED BY: without
// statistics SQLite would rather walk every link of the workspace by the
// primary key than probe the partial indexes of merges.
const std::string kSelectMergesOf = fmt::format(
    "SELECT {} FROM identity_links l WHERE l.workspace_id = ?1 AND l.seq IN ("
    "SELECT m.seq FROM identity_ids i CROSS JOIN identity_links m "
    "INDEXED BY identity_links_merged_from ON m.workspace_id = i.workspace_id AND m.from_id = i.id "
    "WHERE m.outcome = 'merged' AND i.workspace_id = ?1 AND i.person = ?2 "
    "UNION SELECT m.seq FROM identity_ids i CROSS JOIN identity_links m "
    "INDEXED BY identity_links_merged_to ON m.workspace_id = i.workspace_id AND m.to_id = i.id "
    "WHERE m.outcome = 'merged' AND i.workspace_id = ?1 AND i.person = ?2) ORDER BY l.seq",
    kLinkColumns);
const std::string kSelectProfile = fmt::format(
    "SELECT {} FROM profiles p WHERE p.workspace_id = ?1 AND p.person = ?2", kProfileColumns);
const std::string kSelectProfilesAfter = fmt::format(
    "SELECT {} FROM profiles p WHERE p.workspace_id = ?1 AND p.person > ?2 "
    "ORDER BY p.person LIMIT ?3",
    kProfileColumns);
constexpr char kSelectPersonOf[] =
    "SELECT person FROM identity_ids WHERE workspace_id = ?1 AND id = ?2";
constexpr char kSelectIdsWithKey[] =
    "SELECT id FROM identity_ids WHERE workspace_id = ?1 AND id_key = ?2 ORDER BY id";
constexpr char kSelectOffsets[] =
    "SELECT log_partition, next_offset FROM identity_consumed_offsets ORDER BY log_partition";

TimePoint FromMillis(int64_t millis) { return TimePoint(std::chrono::milliseconds(millis)); }

// Columns in kLinkColumns order.
Result<IdentityLinkRecord> ReadLink(const SqliteStatement& row) {
  IdentityLinkRecord link;
  link.workspace_id = row.ColumnText(0);
  link.seq = row.ColumnInt64(1);
  link.kind = row.ColumnText(2);
  link.from_id = row.ColumnText(3);
  link.to_id = row.ColumnText(4);
  link.message_id = row.ColumnText(5);
  link.event_timestamp = FromMillis(row.ColumnInt64(6));
  link.applied_at = FromMillis(row.ColumnInt64(7));
  link.outcome = row.ColumnText(8);
  link.merge_id = row.ColumnText(9);
  link.winner = row.ColumnText(10);
  link.loser = row.ColumnText(11);
  CDP_ASSIGN_OR_RETURN(link.moved_ids,
                       ParseJsonStringArray(row.ColumnText(12), "identity_links.moved_ids"));
  if (row.ColumnOptionalText(13).has_value()) link.unmerged_at = FromMillis(row.ColumnInt64(13));
  return link;
}

// Columns in kProfileColumns order.
Result<Profile> ReadProfileRow(const SqliteStatement& row) {
  Profile profile;
  profile.workspace_id = row.ColumnText(0);
  profile.person = row.ColumnText(1);
  CDP_ASSIGN_OR_RETURN(profile.user_ids,
                       ParseJsonStringArray(row.ColumnText(2), "profiles.user_ids"));
  CDP_ASSIGN_OR_RETURN(profile.anonymous_ids,
                       ParseJsonStringArray(row.ColumnText(3), "profiles.anonymous_ids"));
  profile.traits_json = row.ColumnText(4);
  profile.first_seen = FromMillis(row.ColumnInt64(5));
  profile.last_seen = FromMillis(row.ColumnInt64(6));
  profile.event_count = row.ColumnInt64(7);
  return profile;
}

Status ProfileNotFound(std::string_view workspace_id, std::string_view person) {
  return Status::NotFound(
             fmt::format("no profile of person {} in workspace {}", person, workspace_id))
      .WithField("id");
}

}  // namespace

SqliteIdentityStore::SqliteIdentityStore(std::unique_ptr<SqliteConnection> writer,
                                         std::unique_ptr<SqliteConnection> reader)
    : writer_(std::move(writer)),
      write_statements_(std::make_unique<IdentityStatements>(*writer_)),
      reader_(std::move(reader)),
      read_statements_(std::make_unique<IdentityStatements>(*reader_)) {}

SqliteIdentityStore::~SqliteIdentityStore() = default;

Status SqliteIdentityStore::Apply(const IdentityBatch& batch) {
  std::lock_guard lock(write_mutex_);
  CDP_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(*writer_));
  CDP_RETURN_IF_ERROR(WriteIdentityBatch(*writer_, *write_statements_, batch));
  return transaction.Commit();
}

Result<std::vector<std::pair<int, uint64_t>>> SqliteIdentityStore::ConsumedOffsets() {
  std::lock_guard lock(read_mutex_);
  CDP_ASSIGN_OR_RETURN(auto select, read_statements_->Get(kSelectOffsets));
  std::vector<std::pair<int, uint64_t>> offsets;
  while (true) {
    CDP_ASSIGN_OR_RETURN(const bool row, select->Step());
    if (!row) return offsets;
    offsets.emplace_back(static_cast<int>(select->ColumnInt64(0)),
                         static_cast<uint64_t>(select->ColumnInt64(1)));
  }
}

Status SqliteIdentityStore::ForEachLink(
    const std::function<Status(const IdentityLinkRecord&)>& each) {
  std::string workspace_id;  // the last link read: the next chunk starts after it
  int64_t seq = 0;
  while (true) {
    std::vector<IdentityLinkRecord> chunk;
    {
      std::lock_guard lock(read_mutex_);
      CDP_ASSIGN_OR_RETURN(auto select, read_statements_->Get(kSelectLinksAfter.c_str()));
      CDP_RETURN_IF_ERROR(select->BindText(1, workspace_id));
      CDP_RETURN_IF_ERROR(select->BindInt64(2, seq));
      CDP_RETURN_IF_ERROR(select->BindInt64(3, kScanChunkRows));
      while (true) {
        CDP_ASSIGN_OR_RETURN(const bool row, select->Step());
        if (!row) break;
        CDP_ASSIGN_OR_RETURN(IdentityLinkRecord link, ReadLink(*select));
        chunk.push_back(std::move(link));
      }
    }
    for (const IdentityLinkRecord& link : chunk) CDP_RETURN_IF_ERROR(each(link));
    if (chunk.size() < static_cast<size_t>(kScanChunkRows)) return Status::Ok();
    workspace_id = chunk.back().workspace_id;
    seq = chunk.back().seq;
  }
}

Result<std::optional<std::string>> SqliteIdentityStore::PersonOf(std::string_view workspace_id,
                                                                 std::string_view id) {
  std::lock_guard lock(read_mutex_);
  CDP_ASSIGN_OR_RETURN(auto select, read_statements_->Get(kSelectPersonOf));
  CDP_RETURN_IF_ERROR(select->BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(select->BindText(2, id));
  CDP_ASSIGN_OR_RETURN(const bool found, select->Step());
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(select->ColumnText(0));
}

Result<std::vector<std::string>> SqliteIdentityStore::IdsWithKey(std::string_view workspace_id,
                                                                 uint64_t key) {
  std::lock_guard lock(read_mutex_);
  CDP_ASSIGN_OR_RETURN(auto select, read_statements_->Get(kSelectIdsWithKey));
  CDP_RETURN_IF_ERROR(select->BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(select->BindInt64(2, static_cast<int64_t>(key)));
  std::vector<std::string> ids;
  while (true) {
    CDP_ASSIGN_OR_RETURN(const bool row, select->Step());
    if (!row) return ids;
    ids.push_back(select->ColumnText(0));
  }
}

Result<std::optional<Profile>> SqliteIdentityStore::ReadProfile(std::string_view workspace_id,
                                                                std::string_view person) {
  CDP_ASSIGN_OR_RETURN(auto select, read_statements_->Get(kSelectProfile.c_str()));
  CDP_RETURN_IF_ERROR(select->BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(select->BindText(2, person));
  CDP_ASSIGN_OR_RETURN(const bool found, select->Step());
  if (!found) return std::optional<Profile>();
  CDP_ASSIGN_OR_RETURN(Profile profile, ReadProfileRow(*select));
  return std::optional<Profile>(std::move(profile));
}

Result<Profile> SqliteIdentityStore::GetProfile(std::string_view workspace_id,
                                                std::string_view person) {
  std::lock_guard lock(read_mutex_);
  CDP_ASSIGN_OR_RETURN(std::optional<Profile> profile, ReadProfile(workspace_id, person));
  if (!profile.has_value()) return ProfileNotFound(workspace_id, person);
  return std::move(*profile);
}

Result<ProfilePage> SqliteIdentityStore::ListProfiles(const ProfileListRequest& request) {
  CDP_ASSIGN_OR_RETURN(const ProfileListQuery query, BuildProfileListQuery(request));
  std::lock_guard lock(read_mutex_);
  // Prepared per call: its text depends on the conditions.
  CDP_ASSIGN_OR_RETURN(auto select, reader_->Prepare(query.sql));
  for (size_t i = 0; i < query.bindings.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    if (const int64_t* number = std::get_if<int64_t>(&query.bindings[i])) {
      CDP_RETURN_IF_ERROR(select.BindInt64(index, *number));
    } else {
      CDP_RETURN_IF_ERROR(select.BindText(index, std::get<std::string>(query.bindings[i])));
    }
  }
  ProfilePage page;
  while (true) {
    CDP_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) break;
    if (page.profiles.size() == static_cast<size_t>(request.limit)) {
      page.has_more = true;
      break;
    }
    CDP_ASSIGN_OR_RETURN(Profile profile, ReadProfileRow(select));
    page.profiles.push_back(std::move(profile));
  }
  return page;
}

Status SqliteIdentityStore::ScanProfiles(std::string_view workspace_id,
                                         const std::function<bool(const Profile&)>& each) {
  std::string after;  // the last person read: the next chunk starts after it
  while (true) {
    std::vector<Profile> chunk;
    {
      std::lock_guard lock(read_mutex_);
      CDP_ASSIGN_OR_RETURN(auto select, read_statements_->Get(kSelectProfilesAfter.c_str()));
      CDP_RETURN_IF_ERROR(select->BindText(1, workspace_id));
      CDP_RETURN_IF_ERROR(select->BindText(2, after));
      CDP_RETURN_IF_ERROR(select->BindInt64(3, kScanChunkRows));
      while (true) {
        CDP_ASSIGN_OR_RETURN(const bool row, select->Step());
        if (!row) break;
        CDP_ASSIGN_OR_RETURN(Profile profile, ReadProfileRow(*select));
        chunk.push_back(std::move(profile));
      }
    }
    for (const Profile& profile : chunk) {
      if (!each(profile)) return Status::Ok();
    }
    if (chunk.size() < static_cast<size_t>(kScanChunkRows)) return Status::Ok();
    after = chunk.back().person;
  }
}

Result<std::vector<IdentityLinkRecord>> SqliteIdentityStore::MergesOf(std::string_view workspace_id,
                                                                      std::string_view person) {
  std::lock_guard lock(read_mutex_);
  CDP_ASSIGN_OR_RETURN(std::optional<Profile> profile, ReadProfile(workspace_id, person));
  if (!profile.has_value()) return ProfileNotFound(workspace_id, person);
  CDP_ASSIGN_OR_RETURN(auto select, read_statements_->Get(kSelectMergesOf.c_str()));
  CDP_RETURN_IF_ERROR(select->BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(select->BindText(2, person));
  std::vector<IdentityLinkRecord> merges;
  while (true) {
    CDP_ASSIGN_OR_RETURN(const bool row, select->Step());
    if (!row) return merges;
    CDP_ASSIGN_OR_RETURN(IdentityLinkRecord link, ReadLink(*select));
    merges.push_back(std::move(link));
  }
}

// The writer's WAL auto-checkpoint threshold, in pages (of 4 KiB: 64 MiB).
constexpr int kWalCheckpointPages = 16'384;

Result<std::unique_ptr<SqliteIdentityStore>> OpenSqliteIdentityStore(const std::string& path) {
  CDP_ASSIGN_OR_RETURN(auto writer, SqliteConnection::Open(path));
  CDP_ASSIGN_OR_RETURN(auto reader, SqliteConnection::Open(path));
  // A batch touches thousands of rows across the id and profile tables and
  // their indexes, and lookups land anywhere in them: a page cache larger
  // than SQLite's 2 MiB default keeps their upper levels in memory.
  const std::string cache_size = fmt::format("PRAGMA cache_size = -{}", kCacheKiB);
  CDP_RETURN_IF_ERROR(writer->Exec(cache_size));
  CDP_RETURN_IF_ERROR(reader->Exec(cache_size));
  // Every batch commits thousands of pages to the WAL; checkpointing them
  // back (with an fsync) each 1000 pages, SQLite's default, made the writer
  // wait on the disk about as long as it computed. A larger WAL checkpoints
  // far less often.
  CDP_RETURN_IF_ERROR(
      writer->Exec(fmt::format("PRAGMA wal_autocheckpoint = {}", kWalCheckpointPages)));
  return std::make_unique<SqliteIdentityStore>(std::move(writer), std::move(reader));
}

}  // namespace cdp
