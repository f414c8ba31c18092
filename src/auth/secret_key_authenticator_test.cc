#include "auth/secret_key_authenticator.h"

#include <gtest/gtest.h>

#include "auth/api_key_format.h"
#include "auth/workspace_provisioner.h"
#include "meta/sqlite/sqlite_test_store.h"
#include "support/temp_dir.h"

namespace cdp {
namespace {

using namespace std::chrono_literals;

class SecretKeyAuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenMigratedSqliteMetaStore(dir_.File("meta.sqlite"));
    ASSERT_NE(store_, nullptr);
    auto created = WorkspaceProvisioner(*store_, clock_).Create("acme");
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    workspace_ = std::move(created).value();
  }

  std::string SecretKeyId() {
    const std::vector<ApiKey> keys = store_->ListApiKeys(workspace_.workspace.id).value();
    for (const ApiKey& key : keys) {
      if (key.kind == ApiKeyKind::kSecret) return key.id;
    }
    return "";
  }

  testing::TempDir dir_;
  ManualClock clock_{TimePoint{} + 1'800'000'000s};
  std::unique_ptr<SqliteMetaStore> store_;
  ProvisionedWorkspace workspace_;
};

TEST_F(SecretKeyAuthenticatorTest, ResolvesAKeyToItsWorkspace) {
  SecretKeyAuthenticator authenticator(*store_, clock_);
  auto key = authenticator.Authenticate(workspace_.secret_key);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->workspace_id, workspace_.workspace.id);
  EXPECT_EQ(key->key_id, SecretKeyId());
}

TEST_F(SecretKeyAuthenticatorTest, RefusesMalformedUnknownAndWriteKeys) {
  SecretKeyAuthenticator authenticator(*store_, clock_);
  for (const std::string& key :
       {std::string(), std::string("sk_short"), NewSecretKey(), workspace_.write_key}) {
    auto result = authenticator.Authenticate(key);
    ASSERT_FALSE(result.ok()) << key;
    EXPECT_EQ(result.status().code(), ErrorCode::kUnauthorized) << key;
  }
}

TEST_F(SecretKeyAuthenticatorTest, ARevocationTakesEffectAtOnceAndAFutureOneAtItsTime) {
  SecretKeyAuthenticator authenticator(*store_, clock_);
  ASSERT_TRUE(
      store_->RevokeApiKey(workspace_.workspace.id, SecretKeyId(), clock_.Now() + 10s).ok());
  EXPECT_TRUE(authenticator.Authenticate(workspace_.secret_key).ok());
  clock_.Advance(10s);
  EXPECT_EQ(authenticator.Authenticate(workspace_.secret_key).status().code(),
            ErrorCode::kUnauthorized);
}

}  // namespace
}  // namespace cdp
