#include "meta/sqlite/sqlite_meta_store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <climits>
#include <thread>

#include "meta/sqlite/embedded_migrations.h"
#include "meta/sqlite/sqlite_connection.h"
#include "meta/sqlite/sqlite_migrator.h"
#include "meta/sqlite/sqlite_test_store.h"
#include "support/temp_dir.h"

namespace cdp {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = std::chrono::sys_days{std::chrono::year{2026} / 3 / 4} + 5h + 6min + 789ms;

class SqliteMetaStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenMigratedSqliteMetaStore(dir_.File("meta.sqlite"));
    ASSERT_NE(store_, nullptr);
  }

  static Workspace MakeWorkspace(std::string id, std::string name, TimePoint at = kT0) {
    return {std::move(id), std::move(name), at};
  }
  // A stand-in for a key's hash: 64 lower-case hex digits made from `seed`.
  static std::string Hash(int seed) { return fmt::format("{:064x}", seed); }
  static ApiKey WriteKey(std::string id, std::string workspace_id, int hash_seed) {
    ApiKey key;
    key.id = std::move(id);
    key.workspace_id = std::move(workspace_id);
    key.kind = ApiKeyKind::kWrite;
    key.scope = ApiKeyScope::kIngest;
    key.name = "web site";
    key.display_prefix = "wk_01234";
    key.key_hash = Hash(hash_seed);
    key.created_at = kT0;
    return key;
  }
  static ApiKey SecretKey(std::string id, std::string workspace_id, int hash_seed,
                          ApiKeyScope scope = ApiKeyScope::kAdmin) {
    ApiKey key;
    key.id = std::move(id);
    key.workspace_id = std::move(workspace_id);
    key.kind = ApiKeyKind::kSecret;
    key.scope = scope;
    key.display_prefix = "sk_abcde";
    key.key_hash = Hash(hash_seed);
    key.created_by = "user-1";
    key.created_at = kT0 + 1ms;
    return key;
  }

  testing::TempDir dir_;
  std::unique_ptr<SqliteMetaStore> store_;
};

TEST_F(SqliteMetaStoreTest, CreatesGetsFindsAndListsWorkspaces) {
  const Workspace demo = MakeWorkspace("w1", "demo");
  const Workspace shop = MakeWorkspace("w2", "shop", kT0 + 1s);
  ASSERT_TRUE(store_->CreateWorkspace(shop).ok());
  ASSERT_TRUE(store_->CreateWorkspace(demo).ok());

  EXPECT_EQ(*store_->GetWorkspace("w1"), demo);
  EXPECT_EQ(*store_->FindWorkspaceByName("shop"), shop);
  EXPECT_EQ(store_->GetWorkspace("nope").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->FindWorkspaceByName("Demo").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(*store_->ListWorkspaces(), (std::vector<Workspace>{demo, shop}));  // oldest first
}

TEST_F(SqliteMetaStoreTest, DuplicateWorkspaceNameIsAConflictOnName) {
  ASSERT_TRUE(store_->CreateWorkspace(MakeWorkspace("w1", "demo")).ok());
  Status duplicate = store_->CreateWorkspace(MakeWorkspace("w2", "demo"));
  EXPECT_EQ(duplicate.code(), ErrorCode::kConflict);
  EXPECT_EQ(duplicate.field(), "name");
  EXPECT_EQ(duplicate.message(), "a workspace named 'demo' already exists");
  EXPECT_NE(duplicate.cause().find("UNIQUE"), std::string::npos);

  Status same_id = store_->CreateWorkspace(MakeWorkspace("w1", "other"));
  EXPECT_EQ(same_id.code(), ErrorCode::kConflict);
  EXPECT_EQ(same_id.field(), "id");
}

TEST_F(SqliteMetaStoreTest, FindsKeysOfBothKindsByHash) {
  ASSERT_TRUE(store_->CreateWorkspace(MakeWorkspace("w1", "demo")).ok());
  const ApiKey write = WriteKey("k1", "w1", 1);
  const ApiKey admin = SecretKey("k2", "w1", 2);
  ApiKey read = SecretKey("k3", "w1", 3, ApiKeyScope::kRead);
  read.name = std::string(kMaxApiKeyNameBytes, 'n');  // the longest name
  read.created_at = kT0 + 2ms;
  ASSERT_TRUE(store_->CreateApiKey(write).ok());
  ASSERT_TRUE(store_->CreateApiKey(admin).ok());
  ASSERT_TRUE(store_->CreateApiKey(read).ok());

  // Every field round-trips: kind, scope, name, prefix, hash, creator, times.
  EXPECT_EQ(*store_->FindApiKeyByHash(Hash(1)), write);
  EXPECT_EQ(*store_->FindApiKeyByHash(Hash(2)), admin);
  EXPECT_EQ(*store_->FindApiKeyByHash(Hash(3)), read);
  EXPECT_EQ(store_->FindApiKeyByHash(Hash(3))->scope, ApiKeyScope::kRead);
  EXPECT_EQ(store_->FindApiKeyByHash(Hash(2))->created_by, "user-1");
  EXPECT_EQ(store_->FindApiKeyByHash(Hash(1))->created_by, "");
  Status unknown = store_->FindApiKeyByHash(Hash(4)).status();
  EXPECT_EQ(unknown.code(), ErrorCode::kNotFound);
  EXPECT_EQ(unknown.message().find(Hash(4)), std::string::npos);  // never echoes the hash
  EXPECT_EQ(*store_->ListApiKeys("w1"), (std::vector<ApiKey>{write, admin, read}));
}

TEST_F(SqliteMetaStoreTest, RejectsKeysThatDoNotFit) {
  ASSERT_TRUE(store_->CreateWorkspace(MakeWorkspace("w1", "demo")).ok());
  Status orphan = store_->CreateApiKey(WriteKey("k1", "missing", 1));
  EXPECT_EQ(orphan.code(), ErrorCode::kNotFound);
  EXPECT_EQ(orphan.field(), "workspace_id");

  const auto expect_bad = [&](const ApiKey& key, const std::string& field) {
    Status refused = store_->CreateApiKey(key);
    EXPECT_EQ(refused.code(), ErrorCode::kBadRequest) << key.id;
    EXPECT_EQ(refused.field(), field) << key.id;
  };
  // Scopes must fit the kind.
  for (ApiKeyScope scope : {ApiKeyScope::kRead, ApiKeyScope::kAdmin}) {
    ApiKey write = WriteKey("k2", "w1", 2);
    write.scope = scope;
    expect_bad(write, "scope");
  }
  expect_bad(SecretKey("k3", "w1", 3, ApiKeyScope::kIngest), "scope");
  // The hash is 64 lower-case hex digits.
  for (std::string hash :
       {std::string(), std::string(63, 'a'), std::string(65, 'a'), std::string(64, 'A'),
        std::string(64, 'g'), "wk_" + std::string(61, 'a')}) {
    ApiKey key = WriteKey("k4", "w1", 4);
    key.key_hash = hash;
    expect_bad(key, "key_hash");
  }
  ApiKey long_name = WriteKey("k5", "w1", 5);
  long_name.name = std::string(kMaxApiKeyNameBytes + 1, 'n');
  expect_bad(long_name, "name");
  ApiKey no_id = WriteKey("", "w1", 6);
  expect_bad(no_id, "id");
  EXPECT_TRUE(store_->ListApiKeys("w1")->empty());  // none of them stored

  ASSERT_TRUE(store_->CreateApiKey(WriteKey("k7", "w1", 7)).ok());
  Status taken = store_->CreateApiKey(SecretKey("k8", "w1", 7));  // same hash, other kind
  EXPECT_EQ(taken.code(), ErrorCode::kConflict);
  EXPECT_EQ(taken.field(), "key_hash");
  Status same_id = store_->CreateApiKey(WriteKey("k7", "w1", 8));
  EXPECT_EQ(same_id.code(), ErrorCode::kConflict);
  EXPECT_EQ(same_id.field(), "id");
}

TEST_F(SqliteMetaStoreTest, ListsKeysOnlyOfAnExistingWorkspace) {
  ASSERT_TRUE(store_->CreateWorkspace(MakeWorkspace("w1", "demo")).ok());
  ASSERT_TRUE(store_->CreateWorkspace(MakeWorkspace("w2", "other")).ok());
  auto none = store_->ListApiKeys("w1");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(store_->ListApiKeys("missing").status().code(), ErrorCode::kNotFound);

  ASSERT_TRUE(store_->CreateApiKey(WriteKey("k1", "w2", 1)).ok());
  EXPECT_TRUE(store_->ListApiKeys("w1")->empty());  // another workspace's key never shows
  EXPECT_EQ(store_->ListApiKeys("w2")->size(), 1u);
}

TEST_F(SqliteMetaStoreTest, RevokesOnlyWithinTheKeysWorkspace) {
  ASSERT_TRUE(store_->CreateWorkspace(MakeWorkspace("w1", "demo")).ok());
  ASSERT_TRUE(store_->CreateWorkspace(MakeWorkspace("w2", "other")).ok());
  ASSERT_TRUE(store_->CreateApiKey(WriteKey("k1", "w1", 1)).ok());
  ASSERT_TRUE(store_->CreateApiKey(SecretKey("k2", "w1", 2)).ok());

  Status elsewhere = store_->RevokeApiKey("w2", "k1", kT0 + 1h);
  EXPECT_EQ(elsewhere.code(), ErrorCode::kNotFound);
  EXPECT_EQ(elsewhere.field(), "id");
  EXPECT_EQ(store_->RevokeApiKey("w1", "missing", kT0 + 1h).code(), ErrorCode::kNotFound);
  EXPECT_FALSE(store_->FindApiKeyByHash(Hash(1))->revoked());

  ASSERT_TRUE(store_->RevokeApiKey("w1", "k1", kT0 + 1h).ok());
  ASSERT_TRUE(store_->RevokeApiKey("w1", "k1", kT0 + 2h).ok());  // idempotent
  auto revoked = store_->FindApiKeyByHash(Hash(1));              // still found: the caller decides
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->revoked_at, kT0 + 1h);                    // the first revocation stands
  EXPECT_FALSE(store_->FindApiKeyByHash(Hash(2))->revoked());  // the other key untouched

  ASSERT_TRUE(store_->RevokeApiKey("w1", "k2", kT0 + 3h).ok());
  EXPECT_EQ(store_->FindApiKeyByHash(Hash(2))->revoked_at, kT0 + 3h);
  const auto listed = store_->ListApiKeys("w1");
  ASSERT_EQ(listed->size(), 2u);  // revoked keys are listed
  EXPECT_TRUE((*listed)[0].revoked() && (*listed)[1].revoked());
}

TEST_F(SqliteMetaStoreTest, CreatesAWorkspaceWithItsKeysAtomically) {
  ASSERT_TRUE(store_->CreateWorkspace(MakeWorkspace("w1", "demo")).ok());
  ASSERT_TRUE(store_->CreateApiKey(WriteKey("k1", "w1", 1)).ok());

  const Workspace shop = MakeWorkspace("w2", "shop");
  Status failed =
      store_->CreateWorkspaceWithKeys(shop, {WriteKey("k2", "w2", 2), SecretKey("k3", "w2", 1)});
  EXPECT_EQ(failed.code(), ErrorCode::kConflict);
  EXPECT_EQ(failed.field(), "key_hash");
  EXPECT_EQ(store_->GetWorkspace("w2").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->FindApiKeyByHash(Hash(2)).status().code(), ErrorCode::kNotFound);

  // A key that does not fit fails the whole too.
  failed = store_->CreateWorkspaceWithKeys(
      shop, {WriteKey("k2", "w2", 2), SecretKey("k3", "w2", 3, ApiKeyScope::kIngest)});
  EXPECT_EQ(failed.code(), ErrorCode::kBadRequest);
  EXPECT_EQ(store_->GetWorkspace("w2").status().code(), ErrorCode::kNotFound);

  const ApiKey write = WriteKey("k2", "w2", 2);
  const ApiKey secret = SecretKey("k3", "w2", 3);
  ASSERT_TRUE(store_->CreateWorkspaceWithKeys(shop, {write, secret}).ok());
  EXPECT_EQ(*store_->GetWorkspace("w2"), shop);
  EXPECT_EQ(*store_->FindApiKeyByHash(Hash(2)), write);
  EXPECT_EQ(*store_->ListApiKeys("w2"), (std::vector<ApiKey>{write, secret}));
}

TEST_F(SqliteMetaStoreTest, RoundTripsEachWorkspacesRetention) {
  const Workspace demo = MakeWorkspace("w1", "demo");  // the default
  Workspace shop = MakeWorkspace("w2", "shop", kT0 + 1s);
  shop.retention_days = 30;
  Workspace lab = MakeWorkspace("w3", "lab", kT0 + 2s);
  lab.retention_days = Workspace::kMaxRetentionDays;
  ASSERT_TRUE(store_->CreateWorkspace(demo).ok());
  ASSERT_TRUE(store_->CreateWorkspace(shop).ok());
  ASSERT_TRUE(store_->CreateWorkspaceWithKeys(lab, {WriteKey("k1", "w3", 1)}).ok());

  EXPECT_EQ(demo.retention_days, 90);
  EXPECT_EQ(store_->GetWorkspace("w1")->retention_days, 90);
  EXPECT_EQ(*store_->GetWorkspace("w2"), shop);
  EXPECT_EQ(*store_->FindWorkspaceByName("shop"), shop);
  EXPECT_EQ(*store_->FindWorkspaceByName("lab"), lab);
  EXPECT_EQ(*store_->ListWorkspaces(), (std::vector<Workspace>{demo, shop, lab}));
}

TEST_F(SqliteMetaStoreTest, SetsTheRetentionOfOneWorkspace) {
  ASSERT_TRUE(store_->CreateWorkspace(MakeWorkspace("w1", "demo")).ok());
  ASSERT_TRUE(store_->CreateWorkspace(MakeWorkspace("w2", "shop")).ok());

  ASSERT_TRUE(store_->SetWorkspaceRetention("w1", 30).ok());
  EXPECT_EQ(store_->GetWorkspace("w1")->retention_days, 30);
  EXPECT_EQ(store_->FindWorkspaceByName("demo")->retention_days, 30);
  EXPECT_EQ(store_->GetWorkspace("w2")->retention_days, 90);  // the other one untouched

  // Setting the value it already has is not an error; the bounds are valid.
  EXPECT_TRUE(store_->SetWorkspaceRetention("w1", 30).ok());
  ASSERT_TRUE(store_->SetWorkspaceRetention("w1", Workspace::kMinRetentionDays).ok());
  EXPECT_EQ(store_->GetWorkspace("w1")->retention_days, 1);
  ASSERT_TRUE(store_->SetWorkspaceRetention("w1", Workspace::kMaxRetentionDays).ok());
  EXPECT_EQ(store_->GetWorkspace("w1")->retention_days, 36'500);
  ASSERT_TRUE(store_->SetWorkspaceRetention("w1", Workspace::kDefaultRetentionDays).ok());
  EXPECT_EQ(store_->GetWorkspace("w1")->retention_days, 90);
}

TEST_F(SqliteMetaStoreTest, RefusesARetentionOutOfBoundsAndChangesNothing) {
  ASSERT_TRUE(store_->CreateWorkspace(MakeWorkspace("w1", "demo")).ok());
  ASSERT_TRUE(store_->SetWorkspaceRetention("w1", 30).ok());
  for (int days : {0, -1, 36'501, INT_MIN, INT_MAX}) {
    Status refused = store_->SetWorkspaceRetention("w1", days);
    EXPECT_EQ(refused.code(), ErrorCode::kBadRequest) << days;
    EXPECT_EQ(refused.field(), "retention_days") << days;
    EXPECT_EQ(refused.message(),
              fmt::format("retention_days must be from 1 to 36500, got {}", days));
  }
  EXPECT_EQ(store_->GetWorkspace("w1")->retention_days, 30);

  // The bounds are checked before the workspace is looked up.
  EXPECT_EQ(store_->SetWorkspaceRetention("missing", 0).code(), ErrorCode::kBadRequest);

  Workspace invalid = MakeWorkspace("w2", "shop");
  invalid.retention_days = 0;
  Status created = store_->CreateWorkspace(invalid);
  EXPECT_EQ(created.code(), ErrorCode::kBadRequest);
  EXPECT_EQ(created.field(), "retention_days");
  invalid.retention_days = 36'501;
  EXPECT_EQ(store_->CreateWorkspaceWithKeys(invalid, {WriteKey("k1", "w2", 1)}).field(),
            "retention_days");
  EXPECT_EQ(store_->GetWorkspace("w2").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->FindApiKeyByHash(Hash(1)).status().code(), ErrorCode::kNotFound);
}

TEST_F(SqliteMetaStoreTest, SettingTheRetentionOfAnUnknownWorkspaceIsNotFound) {
  ASSERT_TRUE(store_->CreateWorkspace(MakeWorkspace("w1", "demo")).ok());
  Status missing = store_->SetWorkspaceRetention("nope", 30);
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.field(), "workspace_id");
  EXPECT_EQ(missing.message(), "workspace nope not found");
  EXPECT_EQ(store_->GetWorkspace("w1")->retention_days, 90);
}

// A database migrated before 0004 (workspace_retention) holds workspaces
// without a retention: once migrated, they have the default.
TEST(SqliteMetaStoreMigrationTest, WorkspacesCreatedBeforeRetentionGetTheDefault) {
  testing::TempDir dir;
  const std::string path = dir.File("meta.sqlite");
  ManualClock clock(kT0);
  std::vector<Migration> before_retention = EmbeddedSqliteMigrations();
  ASSERT_GE(before_retention.size(), 4u);
  ASSERT_EQ(before_retention[3].name, "workspace_retention");
  before_retention.resize(3);
  {
    auto migrator = OpenSqliteMigrator(path, before_retention, clock);
    ASSERT_TRUE(migrator.ok()) << migrator.status().ToString();
    ASSERT_TRUE((*migrator)->Up().ok());
    ASSERT_EQ(*(*migrator)->CurrentVersion(), 3);
    auto connection = SqliteConnection::Open(path);
    ASSERT_TRUE(connection.ok()) << connection.status().ToString();
    ASSERT_TRUE((*connection)
                    ->Exec("INSERT INTO workspaces (id, name, created_at) "
                           "VALUES ('w1', 'demo', '2026-03-04T05:06:00.789Z')")
                    .ok());
  }

  auto migrator = OpenSqliteMigrator(path, EmbeddedSqliteMigrations(), clock);
  ASSERT_TRUE(migrator.ok()) << migrator.status().ToString();
  ASSERT_TRUE((*migrator)->Up().ok());
  ASSERT_GE(*(*migrator)->CurrentVersion(), 4);
  auto store = OpenSqliteMetaStore(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto demo = (*store)->GetWorkspace("w1");
  ASSERT_TRUE(demo.ok()) << demo.status().ToString();
  EXPECT_EQ(*demo, (Workspace{"w1", "demo", kT0, 90}));
  EXPECT_EQ((*store)->ListWorkspaces()->at(0).retention_days, 90);
  // And it can be changed like any other.
  ASSERT_TRUE((*store)->SetWorkspaceRetention("w1", 14).ok());
  EXPECT_EQ((*store)->GetWorkspace("w1")->retention_days, 14);
}

TEST_F(SqliteMetaStoreTest, IsSafeToUseFromManyThreads) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        EXPECT_TRUE(store_->CreateWorkspace(MakeWorkspace("w" + id, "n" + id)).ok());
        EXPECT_TRUE(store_->GetWorkspace("w" + id).ok());
        EXPECT_TRUE(store_->Ping().ok());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(store_->ListWorkspaces()->size(), size_t{kThreads * kPerThread});
}

TEST_F(SqliteMetaStoreTest, PingsTheDatabase) { EXPECT_TRUE(store_->Ping().ok()); }

}  // namespace
}  // namespace cdp
