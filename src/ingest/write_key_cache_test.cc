#include "ingest/write_key_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "auth/api_key_format.h"
#include "auth/workspace_provisioner.h"
#include "meta/sqlite/sqlite_meta_store.h"
#include "meta/sqlite/sqlite_migrator.h"
#include "meta/sqlite/sqlite_test_store.h"
#include "meta/testing/counting_meta_store.h"
#include "support/temp_dir.h"

namespace cdp::ingest {
namespace {

using namespace std::chrono_literals;
using testing::CountingMetaStore;

class WriteKeyAuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sqlite_ = testing::OpenMigratedSqliteMetaStore(dir_.File("meta.sqlite"));
    ASSERT_NE(sqlite_, nullptr);
    store_ = std::make_unique<CountingMetaStore>(*sqlite_);

    auto created = WorkspaceProvisioner(*sqlite_, clock_).Create("demo");
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    workspace_id_ = created->workspace.id;
    write_key_ = created->write_key;
    secret_key_ = created->secret_key;
    auto key = sqlite_->FindApiKeyByHash(HashToken(write_key_));
    ASSERT_TRUE(key.ok());
    key_id_ = key->id;

    authenticator_ = std::make_unique<WriteKeyAuthenticator>(*store_, clock_, 30s);
  }

  void Revoke(TimePoint at) { ASSERT_TRUE(sqlite_->RevokeApiKey(workspace_id_, key_id_, at).ok()); }

  static void ExpectUnauthorized(const Result<AuthenticatedWriteKey>& result,
                                 std::string_view message) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), ErrorCode::kUnauthorized);
    EXPECT_EQ(result.status().message(), message);
  }

  testing::TempDir dir_;
  // Sub-millisecond on purpose: the store keeps milliseconds.
  ManualClock clock_{TimePoint{} + 1'800'000'000'123'456us};
  std::unique_ptr<SqliteMetaStore> sqlite_;
  std::unique_ptr<CountingMetaStore> store_;
  std::unique_ptr<WriteKeyAuthenticator> authenticator_;
  std::string workspace_id_;
  std::string write_key_;
  std::string secret_key_;
  std::string key_id_;
};

TEST_F(WriteKeyAuthenticatorTest, ValidKeyResolvesToItsWorkspaceAndIsCached) {
  const AuthenticatedWriteKey expected{workspace_id_, key_id_};
  auto first = authenticator_->Authenticate(write_key_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, expected);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(*authenticator_->Authenticate(write_key_), expected);
  EXPECT_EQ(store_->lookups(), 1);

  clock_.Advance(30s);  // expired: asked again
  EXPECT_EQ(*authenticator_->Authenticate(write_key_), expected);
  EXPECT_EQ(store_->lookups(), 2);
}

TEST_F(WriteKeyAuthenticatorTest, UnknownKeyIsUnauthorizedAndTheAnswerIsCached) {
  const std::string unknown = NewWriteKey();
  for (int i = 0; i < 10; ++i) {
    ExpectUnauthorized(authenticator_->Authenticate(unknown), "unknown write key");
  }
  EXPECT_EQ(store_->lookups(), 1);
  EXPECT_EQ(authenticator_->Authenticate(unknown).status().http_status(), 401);

  clock_.Advance(30s);
  ExpectUnauthorized(authenticator_->Authenticate(unknown), "unknown write key");
  EXPECT_EQ(store_->lookups(), 2);
}

TEST_F(WriteKeyAuthenticatorTest, RevocationTakesEffectWithinTheTtlButNotBefore) {
  ASSERT_TRUE(authenticator_->Authenticate(write_key_).ok());
  clock_.Advance(1s);
  Revoke(clock_.Now());

  clock_.Advance(28'999ms);  // 29.999 s after the cached answer
  EXPECT_TRUE(authenticator_->Authenticate(write_key_).ok());
  EXPECT_EQ(store_->lookups(), 1);

  clock_.Advance(1ms);
  ExpectUnauthorized(authenticator_->Authenticate(write_key_), "write key revoked");
  ExpectUnauthorized(authenticator_->Authenticate(write_key_), "write key revoked");
  EXPECT_EQ(store_->lookups(), 2);  // the refusal is cached too
}

TEST_F(WriteKeyAuthenticatorTest, InvalidateMakesARevocationTakeEffectAtOnce) {
  ASSERT_TRUE(authenticator_->Authenticate(write_key_).ok());
  Revoke(clock_.Now());
  authenticator_->Invalidate(write_key_);
  ExpectUnauthorized(authenticator_->Authenticate(write_key_), "write key revoked");
}

TEST_F(WriteKeyAuthenticatorTest, KeyRevokedInTheFutureWorksUntilThen) {
  Revoke(clock_.Now() + 10s);
  ASSERT_TRUE(authenticator_->Authenticate(write_key_).ok());
  clock_.Advance(9s);
  EXPECT_TRUE(authenticator_->Authenticate(write_key_).ok());
  EXPECT_EQ(store_->lookups(), 1);
  clock_.Advance(1s);  // the cached answer ends with the key, not with the TTL
  ExpectUnauthorized(authenticator_->Authenticate(write_key_), "write key revoked");
  EXPECT_EQ(store_->lookups(), 2);
}

TEST_F(WriteKeyAuthenticatorTest, MalformedKeyNeverReachesTheStore) {
  const std::string valid_shape = NewWriteKey();
  for (const std::string& key :
       {std::string(), std::string("wk_short"), NewSecretKey(), valid_shape + "x",
        "Wk_" + valid_shape.substr(3), valid_shape.substr(0, 34) + "-"}) {
    ExpectUnauthorized(authenticator_->Authenticate(key), "malformed write key");
  }
  EXPECT_EQ(store_->lookups(), 0);
  EXPECT_EQ(authenticator_->CachedKeys(), 0u);
}

// A secret key is never a write key: its shape alone refuses it, before the
// store is asked, whatever the workspace.
TEST_F(WriteKeyAuthenticatorTest, SecretKeyIsRefusedAsAWriteKey) {
  ExpectUnauthorized(authenticator_->Authenticate(secret_key_), "malformed write key");
  EXPECT_EQ(store_->lookups(), 0);
  EXPECT_EQ(authenticator_->CachedKeys(), 0u);
}

// And should the store hold a key of another kind under a write key's hash,
// the kind decides: it is unknown as a write key.
TEST_F(WriteKeyAuthenticatorTest, AKeyOfAnotherKindIsUnknown) {
  const std::string shaped_like_a_write_key = NewWriteKey();
  ApiKey secret;
  secret.id = "k-secret";
  secret.workspace_id = workspace_id_;
  secret.kind = ApiKeyKind::kSecret;
  secret.scope = ApiKeyScope::kAdmin;
  secret.display_prefix = "sk_xxxxx";
  secret.key_hash = HashToken(shaped_like_a_write_key);
  secret.created_at = clock_.Now();
  ASSERT_TRUE(sqlite_->CreateApiKey(secret).ok());

  ExpectUnauthorized(authenticator_->Authenticate(shaped_like_a_write_key), "unknown write key");
  EXPECT_EQ(store_->lookups(), 1);
  ExpectUnauthorized(authenticator_->Authenticate(shaped_like_a_write_key), "unknown write key");
  EXPECT_EQ(store_->lookups(), 1);  // cached like any unknown key
}

TEST_F(WriteKeyAuthenticatorTest, StoreFailureIsReturnedAndNotCached) {
  store_->FailLookupsWith(Status::Unavailable("metadata store busy", 1s));
  for (int i = 1; i <= 3; ++i) {
    auto result = authenticator_->Authenticate(write_key_);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), ErrorCode::kUnavailable);
    EXPECT_EQ(store_->lookups(), i);
  }
  store_->FailLookupsWith(Status::Internal("disk I/O error"));
  EXPECT_EQ(authenticator_->Authenticate(write_key_).status().code(), ErrorCode::kInternal);
  EXPECT_EQ(authenticator_->CachedKeys(), 0u);

  store_->FailLookupsWith(Status::Ok());
  EXPECT_TRUE(authenticator_->Authenticate(write_key_).ok());
}

TEST_F(WriteKeyAuthenticatorTest, CacheSizeIsBounded) {
  WriteKeyAuthenticator small(*store_, clock_, 30s, /*max_entries=*/32);
  for (int i = 0; i < 1000; ++i) {
    ExpectUnauthorized(small.Authenticate(NewWriteKey()), "unknown write key");
    ASSERT_LE(small.CachedKeys(), 32u);
  }
  EXPECT_TRUE(small.Authenticate(write_key_).ok());
  EXPECT_LE(small.CachedKeys(), 32u);
}

TEST_F(WriteKeyAuthenticatorTest, ConcurrentCallersGetConsistentAnswers) {
  std::vector<std::string> unknown;
  for (int i = 0; i < 8; ++i) unknown.push_back(NewWriteKey());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        auto valid = authenticator_->Authenticate(write_key_);
        if (!valid.ok() || valid->workspace_id != workspace_id_) ++wrong;
        if (authenticator_->Authenticate(unknown[(t + i) % unknown.size()]).ok()) ++wrong;
        if (i % 100 == 0) clock_.Advance(10s);  // expire entries now and then
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace cdp::ingest
