#include "auth/api_key_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

#include "auth/api_key_format.h"
#include "core/uuid.h"
#include "meta/sqlite/sqlite_meta_store.h"
#include "meta/sqlite/sqlite_test_store.h"
#include "support/temp_dir.h"

namespace cdp {
namespace {

using namespace std::chrono_literals;

class ApiKeyServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenMigratedSqliteMetaStore(dir_.File("meta.sqlite"));
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(store_->CreateWorkspace({"w1", "demo", clock_.Now() - 1h}).ok());
    ASSERT_TRUE(store_->CreateWorkspace({"w2", "other", clock_.Now() - 1h}).ok());
    service_ = std::make_unique<ApiKeyService>(*store_, clock_);
  }

  CreatedApiKey Create(std::string_view workspace_id, ApiKeySpec spec,
                       std::string_view created_by = "user-1") {
    auto created = service_->Create(workspace_id, spec, created_by);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? std::move(created).value() : CreatedApiKey{};
  }

  testing::TempDir dir_;
  // Sub-millisecond on purpose: the store keeps milliseconds.
  ManualClock clock_{TimePoint{} + 1'800'000'000'123'456us};
  std::unique_ptr<SqliteMetaStore> store_;
  std::unique_ptr<ApiKeyService> service_;
};

TEST_F(ApiKeyServiceTest, CreatesKeysOfBothKindsShownOnceAndStoredByHash) {
  const std::vector<ApiKeySpec> specs = {
      {ApiKeyKind::kWrite, ApiKeyScope::kIngest, "web site"},
      {ApiKeyKind::kSecret, ApiKeyScope::kRead, "nightly export"},
      {ApiKeyKind::kSecret, ApiKeyScope::kAdmin, ""},
  };
  for (const ApiKeySpec& spec : specs) {
    const CreatedApiKey created = Create("w1", spec);
    const ApiKey& key = created.api_key;
    if (spec.kind == ApiKeyKind::kWrite) {
      EXPECT_TRUE(LooksLikeWriteKey(created.key));
    } else {
      EXPECT_TRUE(LooksLikeSecretKey(created.key));
    }
    EXPECT_EQ(key.kind, spec.kind);
    EXPECT_EQ(key.scope, spec.scope);
    EXPECT_EQ(key.name, spec.name);
    EXPECT_EQ(key.workspace_id, "w1");
    EXPECT_EQ(key.key_hash, HashToken(created.key));
    EXPECT_EQ(key.display_prefix, KeyDisplayPrefix(created.key));
    EXPECT_EQ(key.created_by, "user-1");
    EXPECT_EQ(key.created_at, TimePoint{} + 1'800'000'000'123ms);
    EXPECT_FALSE(key.revoked());
    ASSERT_TRUE(Uuid::Parse(key.id).has_value());
    EXPECT_EQ(Uuid::Parse(key.id)->version(), 7);
    // What the store holds is exactly what Create returned, and it is found
    // by the key's hash.
    auto found = store_->FindApiKeyByHash(HashToken(created.key));
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    EXPECT_EQ(*found, key);
  }
}

TEST_F(ApiKeyServiceTest, ScopeMustFitTheKind) {
  const std::vector<ApiKeySpec> misfits = {
      {ApiKeyKind::kWrite, ApiKeyScope::kRead, ""},
      {ApiKeyKind::kWrite, ApiKeyScope::kAdmin, ""},
      {ApiKeyKind::kSecret, ApiKeyScope::kIngest, ""},
  };
  for (const ApiKeySpec& spec : misfits) {
    auto created = service_->Create("w1", spec, "");
    EXPECT_EQ(created.status().code(), ErrorCode::kBadRequest);
    EXPECT_EQ(created.status().field(), "scope");
  }
  EXPECT_TRUE(store_->ListApiKeys("w1")->empty());
}

TEST_F(ApiKeyServiceTest, NameIsAtMostTheLimit) {
  ApiKeySpec spec{ApiKeyKind::kSecret, ApiKeyScope::kRead, std::string(kMaxApiKeyNameBytes, 'n')};
  EXPECT_EQ(Create("w1", spec).api_key.name.size(), kMaxApiKeyNameBytes);
  spec.name.push_back('n');
  auto refused = service_->Create("w1", spec, "");
  EXPECT_EQ(refused.status().code(), ErrorCode::kBadRequest);
  EXPECT_EQ(refused.status().field(), "name");
  EXPECT_EQ(store_->ListApiKeys("w1")->size(), 1u);
}

TEST_F(ApiKeyServiceTest, CreatingInAnUnknownWorkspaceIsNotFound) {
  auto created = service_->Create("nope", {}, "");
  EXPECT_EQ(created.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(created.status().field(), "workspace_id");
}

TEST_F(ApiKeyServiceTest, ListsTheWorkspacesKeysOldestFirstWithoutTheKeys) {
  const CreatedApiKey first = Create("w1", {ApiKeyKind::kWrite, ApiKeyScope::kIngest, "a"});
  clock_.Advance(1ms);
  const CreatedApiKey second = Create("w1", {ApiKeyKind::kSecret, ApiKeyScope::kAdmin, "b"}, "");
  const CreatedApiKey elsewhere = Create("w2", {ApiKeyKind::kSecret, ApiKeyScope::kRead, "c"});

  auto listed = service_->List("w1");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(*listed, (std::vector<ApiKey>{first.api_key, second.api_key}));
  // An ApiKey has no field for the clear key; none of its fields holds it.
  for (const ApiKey& key : *listed) {
    for (const CreatedApiKey* created : {&first, &second}) {
      const std::string token = created->key.substr(3);
      for (const std::string* field : {&key.id, &key.workspace_id, &key.name, &key.display_prefix,
                                       &key.key_hash, &key.created_by}) {
        EXPECT_EQ(field->find(token), std::string::npos) << *field;
      }
    }
  }
  EXPECT_EQ(service_->List("w2")->size(), 1u);
  EXPECT_EQ(service_->List("nope").status().code(), ErrorCode::kNotFound);
}

TEST_F(ApiKeyServiceTest, RevokesNowAndKeepsTheFirstTime) {
  const CreatedApiKey created = Create("w1", {ApiKeyKind::kSecret, ApiKeyScope::kAdmin, "ops"});
  const CreatedApiKey other = Create("w1", {ApiKeyKind::kWrite, ApiKeyScope::kIngest, "web"});
  clock_.Advance(5min);
  const TimePoint revoked_at = std::chrono::floor<std::chrono::milliseconds>(clock_.Now());

  auto revoked = service_->Revoke("w1", created.api_key.id);
  ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
  ApiKey expected = created.api_key;
  expected.revoked_at = revoked_at;
  EXPECT_EQ(*revoked, expected);
  EXPECT_EQ(*store_->FindApiKeyByHash(HashToken(created.key)), expected);
  EXPECT_FALSE(store_->FindApiKeyByHash(HashToken(other.key))->revoked());

  clock_.Advance(1h);
  auto again = service_->Revoke("w1", created.api_key.id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->revoked_at, revoked_at);
}

TEST_F(ApiKeyServiceTest, RevokingAnotherWorkspacesKeyIsNotFound) {
  const CreatedApiKey created = Create("w2", {ApiKeyKind::kSecret, ApiKeyScope::kAdmin, ""});
  for (const std::string& id : {created.api_key.id, std::string("nope")}) {
    auto revoked = service_->Revoke("w1", id);
    EXPECT_EQ(revoked.status().code(), ErrorCode::kNotFound) << id;
    EXPECT_EQ(revoked.status().field(), "id") << id;
  }
  EXPECT_FALSE(store_->FindApiKeyByHash(HashToken(created.key))->revoked());
}

}  // namespace
}  // namespace cdp
