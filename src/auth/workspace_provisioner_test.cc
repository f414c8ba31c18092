#include "auth/workspace_provisioner.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "auth/api_key_format.h"
#include "core/uuid.h"
#include "meta/sqlite/sqlite_meta_store.h"
#include "meta/sqlite/sqlite_migrator.h"
#include "meta/sqlite/sqlite_test_store.h"
#include "support/temp_dir.h"

namespace cdp {
namespace {

using namespace std::chrono_literals;

class WorkspaceProvisionerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenMigratedSqliteMetaStore(dir_.File("meta.sqlite"));
    ASSERT_NE(store_, nullptr);
    provisioner_ = std::make_unique<WorkspaceProvisioner>(*store_, clock_);
  }

  testing::TempDir dir_;
  // Sub-millisecond on purpose: the store keeps milliseconds.
  ManualClock clock_{TimePoint{} + 1'800'000'000'123'456us};
  std::unique_ptr<SqliteMetaStore> store_;
  std::unique_ptr<WorkspaceProvisioner> provisioner_;
};

TEST_F(WorkspaceProvisionerTest, CreatesAWorkspaceWithAWriteKeyAndASecretKey) {
  auto created = provisioner_->Create("demo");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const Workspace& workspace = created->workspace;
  EXPECT_EQ(workspace.name, "demo");
  const auto id = Uuid::Parse(workspace.id);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->version(), 7);
  EXPECT_EQ(workspace.created_at, TimePoint{} + 1'800'000'000'123ms);
  EXPECT_EQ(*store_->GetWorkspace(workspace.id), workspace);
  EXPECT_TRUE(LooksLikeWriteKey(created->write_key));
  EXPECT_TRUE(LooksLikeSecretKey(created->secret_key));

  auto keys = store_->ListApiKeys(workspace.id);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(*keys, (std::vector<ApiKey>{created->write_api_key, created->secret_api_key}));
  auto write = store_->FindApiKeyByHash(HashToken(created->write_key));
  ASSERT_TRUE(write.ok()) << write.status().ToString();
  EXPECT_EQ(*write, created->write_api_key);
  EXPECT_EQ(write->kind, ApiKeyKind::kWrite);
  EXPECT_EQ(write->scope, ApiKeyScope::kIngest);
  EXPECT_EQ(write->name, "default");
  EXPECT_EQ(write->created_by, "");
  EXPECT_EQ(write->workspace_id, workspace.id);
  EXPECT_EQ(write->display_prefix, created->write_key.substr(0, 8));
  EXPECT_EQ(write->created_at, workspace.created_at);
  EXPECT_EQ(Uuid::Parse(write->id)->version(), 7);
  EXPECT_FALSE(write->revoked());

  auto secret = store_->FindApiKeyByHash(HashToken(created->secret_key));
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_EQ(*secret, created->secret_api_key);
  EXPECT_EQ(secret->kind, ApiKeyKind::kSecret);
  EXPECT_EQ(secret->scope, ApiKeyScope::kAdmin);
  EXPECT_EQ(secret->name, "default");
  EXPECT_EQ(secret->display_prefix, created->secret_key.substr(0, 8));
}

TEST_F(WorkspaceProvisionerTest, RecordsWhoCreatedTheKeys) {
  auto created = provisioner_->Create("demo", "user-1");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  // Named: a range-for over *ListApiKeys(...) would not keep the Result alive.
  auto keys = store_->ListApiKeys(created->workspace.id);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  for (const ApiKey& key : *keys) EXPECT_EQ(key.created_by, "user-1") << key.id;
}

TEST_F(WorkspaceProvisionerTest, StoresOnlyTheHashesOfTheKeys) {
  auto created = provisioner_->Create("demo");
  ASSERT_TRUE(created.ok()) << created.status().ToString();

  auto keys = store_->ListApiKeys(created->workspace.id);
  ASSERT_TRUE(keys.ok());
  for (const std::string& clear : {created->write_key, created->secret_key}) {
    for (const ApiKey& key : *keys) {
      for (const std::string* field : {&key.id, &key.workspace_id, &key.name, &key.display_prefix,
                                       &key.key_hash, &key.created_by}) {
        EXPECT_EQ(field->find(clear.substr(3)), std::string::npos) << *field;
      }
    }
  }
  // Nor does the database file hold them anywhere (WAL included).
  for (const char* file : {"meta.sqlite", "meta.sqlite-wal"}) {
    std::ifstream in(dir_.File(file), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const std::string& clear : {created->write_key, created->secret_key}) {
      EXPECT_EQ(bytes.find(clear.substr(3)), std::string::npos) << file;
    }
  }
}

TEST_F(WorkspaceProvisionerTest, EachWorkspaceGetsItsOwnKeys) {
  auto a = provisioner_->Create("a");
  auto b = provisioner_->Create("b");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->workspace.id, b->workspace.id);
  EXPECT_NE(a->write_key, b->write_key);
  EXPECT_NE(a->secret_key, b->secret_key);
}

TEST_F(WorkspaceProvisionerTest, DuplicateNameIsAConflictOnName) {
  ASSERT_TRUE(provisioner_->Create("demo").ok());
  auto again = provisioner_->Create("demo");
  EXPECT_EQ(again.status().code(), ErrorCode::kConflict);
  EXPECT_EQ(again.status().field(), "name");
  EXPECT_EQ(store_->ListWorkspaces()->size(), 1u);
}

TEST_F(WorkspaceProvisionerTest, RefusesInvalidNamesNamingTheField) {
  for (const std::string& name :
       {std::string(), std::string(65, 'a'), std::string("a/b"), std::string("caf\xc3\xa9"),
        std::string(" lead"), std::string("trail "), std::string("tab\there")}) {
    auto created = provisioner_->Create(name);
    EXPECT_EQ(created.status().code(), ErrorCode::kBadRequest) << name;
    EXPECT_EQ(created.status().field(), "name") << name;
  }
  EXPECT_TRUE(store_->ListWorkspaces()->empty());
  EXPECT_TRUE(provisioner_->Create("My App-1_prod.v2").ok());
  EXPECT_TRUE(provisioner_->Create(std::string(64, 'z')).ok());
}

}  // namespace
}  // namespace cdp
