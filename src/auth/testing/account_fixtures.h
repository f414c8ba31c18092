#pragma once

// Credentials stored straight into the stores, for tests of what uses them
// (the access decision, the API guard, routes): no password hashing, no
// service rules in the way.

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "auth/api_key_format.h"
#include "core/clock.h"
#include "core/uuid.h"
#include "meta/account_store.h"
#include "meta/meta_store.h"

namespace cdp::testing {

struct StoredCredential {
  std::string secret;  // the key or session token, in clear
  std::string id;      // the key's or session's id
};

// A secret key of `scope` for the workspace, revoked at `revoked_at` if given.
inline StoredCredential StoreSecretKey(MetaStore& store, const Clock& clock,
                                       const std::string& workspace_id, ApiKeyScope scope,
                                       std::optional<TimePoint> revoked_at = std::nullopt) {
  const std::string key = NewSecretKey();
  ApiKey record;
  record.id = Uuid::NewV7(clock).ToString();
  record.workspace_id = workspace_id;
  record.kind = ApiKeyKind::kSecret;
  record.scope = scope;
  record.name = "test";
  record.display_prefix = KeyDisplayPrefix(key);
  record.key_hash = HashToken(key);
  record.created_at = clock.Now();
  record.revoked_at = revoked_at;
  const Status created = store.CreateApiKey(record);
  EXPECT_TRUE(created.ok()) << created.ToString();
  return {key, record.id};
}

// A user whose stored password hash is not a hash: it verifies no password
// (these tests sign in by session, not by password); returns the id.
inline std::string StoreUser(AccountStore& store, const Clock& clock, const std::string& email,
                             bool password_change_required = false) {
  User user;
  user.id = Uuid::NewV7(clock).ToString();
  user.email = email;
  user.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$not-a-real-hash";
  user.password_change_required = password_change_required;
  user.created_at = clock.Now();
  user.password_changed_at = user.created_at;
  const Status created = store.CreateUser(user);
  EXPECT_TRUE(created.ok()) << created.ToString();
  return user.id;
}

// A session of the user, expiring `ttl` from now.
inline StoredCredential StoreSession(AccountStore& store, const Clock& clock,
                                     const std::string& user_id, SessionKind kind,
                                     std::chrono::milliseconds ttl) {
  const std::string token = NewSessionToken();
  Session session;
  session.id = Uuid::NewV7(clock).ToString();
  session.user_id = user_id;
  session.token_hash = HashToken(token);
  session.kind = kind;
  session.created_at = clock.Now();
  session.expires_at = session.created_at + ttl;
  const Status created = store.CreateSession(session);
  EXPECT_TRUE(created.ok()) << created.ToString();
  return {token, session.id};
}

}  // namespace cdp::testing
