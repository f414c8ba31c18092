#include "auth/account_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "auth/api_key_format.h"
#include "core/uuid.h"
#include "meta/sqlite/sqlite_account_store.h"
#include "meta/sqlite/sqlite_test_store.h"
#include "support/temp_dir.h"

namespace cdp {
namespace {

using namespace std::chrono_literals;

// Sub-millisecond on purpose: the store keeps milliseconds.
const TimePoint kT0 = TimePoint{} + 1'800'000'000'123'456us;
const TimePoint kT0Ms = std::chrono::floor<std::chrono::milliseconds>(kT0);
constexpr char kPassword[] = "correct horse battery";

void ExpectError(const Status& status, ErrorCode code, std::string_view field = "") {
  EXPECT_EQ(status.code(), code) << status.ToString();
  EXPECT_EQ(status.field(), field) << status.ToString();
}

class AccountServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    meta_ = testing::OpenMigratedSqliteMetaStore(path_);
    ASSERT_NE(meta_, nullptr);
    auto accounts = OpenSqliteAccountStore(path_);
    ASSERT_TRUE(accounts.ok()) << accounts.status().ToString();
    accounts_ = std::move(accounts).value();
    options_.lockout_after = 3;
    options_.lockout_duration = 15min;
    options_.session_ttl = 24h;
    options_.logins_per_minute = 60;
    options_.login_burst = 100;  // the throttle has its own test
    Restart();
  }

  // A service with options_ as they are now.
  void Restart() { service_ = std::make_unique<AccountService>(*accounts_, clock_, options_); }

  User Created(std::string_view email = "ada@example.com", std::string_view password = kPassword) {
    auto user = service_->CreateUser(email, password);
    EXPECT_TRUE(user.ok()) << user.status().ToString();
    return user.ok() ? *user : User{};
  }

  Result<NewSession> Login(std::string_view email, std::string_view password,
                           std::string ip = "203.0.113.7") {
    LoginRequest request;
    request.email = std::string(email);
    request.password = std::string(password);
    request.ip = std::move(ip);
    return service_->Login(request);
  }

  User Stored(const User& user) { return *accounts_->GetUser(user.id); }

  testing::TempDir dir_;
  std::string path_ = dir_.File("meta.sqlite");
  ManualClock clock_{kT0};
  std::unique_ptr<SqliteMetaStore> meta_;
  std::unique_ptr<SqliteAccountStore> accounts_;
  AccountOptions options_;
  std::unique_ptr<AccountService> service_;
};

TEST_F(AccountServiceTest, LoginMakesASessionStoredByItsTokensHash) {
  const User ada = Created("  Ada@Example.com ");
  EXPECT_EQ(ada.email, "ada@example.com");
  EXPECT_FALSE(ada.password_change_required);
  clock_.Advance(1h);

  LoginRequest request;
  request.email = "ADA@example.com";
  request.password = kPassword;
  request.kind = SessionKind::kToken;
  request.ip = "2001:db8::7";
  request.user_agent = "curl/8.0";
  auto made = service_->Login(request);
  ASSERT_TRUE(made.ok()) << made.status().ToString();

  EXPECT_TRUE(LooksLikeSessionToken(made->token));
  EXPECT_EQ(made->user, ada);
  const Session& session = made->session;
  EXPECT_EQ(Uuid::Parse(session.id)->version(), 7);
  EXPECT_EQ(session.user_id, ada.id);
  EXPECT_EQ(session.token_hash, HashToken(made->token));
  EXPECT_EQ(session.kind, SessionKind::kToken);
  EXPECT_EQ(session.created_at, kT0Ms + 1h);
  EXPECT_EQ(session.expires_at, kT0Ms + 1h + 24h);
  EXPECT_FALSE(session.revoked_at.has_value());
  EXPECT_EQ(session.ip, "2001:db8::7");
  EXPECT_EQ(session.user_agent, "curl/8.0");
  // Stored by hash only, and read back as returned.
  EXPECT_EQ(*accounts_->FindSessionByTokenHash(HashToken(made->token)), session);
  EXPECT_EQ(accounts_->FindSessionByTokenHash(made->token).status().code(), ErrorCode::kNotFound);

  // A cookie session by default; each login a new session.
  auto cookie = Login("ada@example.com", kPassword);
  ASSERT_TRUE(cookie.ok());
  EXPECT_EQ(cookie->session.kind, SessionKind::kCookie);
  EXPECT_NE(cookie->token, made->token);
  EXPECT_EQ(service_->ListSessions(ada.id)->size(), 2u);
}

TEST_F(AccountServiceTest, KeepsAtMost256BytesOfTheUserAgentWholeCharacters) {
  Created();
  LoginRequest request;
  request.email = "ada@example.com";
  request.password = kPassword;
  request.user_agent = std::string(255, 'a') + "é";  // 257 bytes: é would be cut
  auto cut = service_->Login(request);
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_EQ(cut->session.user_agent, std::string(255, 'a'));

  request.user_agent = std::string(300, 'b');
  auto ascii = service_->Login(request);
  ASSERT_TRUE(ascii.ok());
  EXPECT_EQ(ascii->session.user_agent, std::string(256, 'b'));
}

TEST_F(AccountServiceTest, AWrongPasswordAndAnUnknownEmailAnswerAlike) {
  const User ada = Created();
  const Status wrong = Login("ada@example.com", "not the password").status();
  const Status unknown = Login("bob@example.com", kPassword).status();
  EXPECT_EQ(wrong.code(), ErrorCode::kUnauthorized);
  EXPECT_EQ(wrong.message(), "invalid email or password");
  EXPECT_EQ(wrong.ToString(), unknown.ToString());
  EXPECT_EQ(wrong.retry_after(), unknown.retry_after());
  EXPECT_EQ(Stored(ada).failed_logins, 1);
  EXPECT_TRUE(service_->ListSessions(ada.id)->empty());
}

TEST_F(AccountServiceTest, RefusesMalformedInputNamingTheField) {
  ExpectError(Login("not an email", kPassword).status(), ErrorCode::kBadRequest, "email");
  ExpectError(Login("", kPassword).status(), ErrorCode::kBadRequest, "email");
  ExpectError(Login("ada@example.com", "").status(), ErrorCode::kBadRequest, "password");
  ExpectError(Login("ada@example.com", std::string(kMaxPasswordBytes + 1, 'x')).status(),
              ErrorCode::kBadRequest, "password");
}

TEST_F(AccountServiceTest, LocksTheAccountAfterRepeatedFailures) {
  const User ada = Created();
  for (int i = 0; i < 3; ++i) {
    ExpectError(Login("ada@example.com", "not the password").status(), ErrorCode::kUnauthorized);
  }
  EXPECT_EQ(Stored(ada).locked_until, kT0Ms + 15min);

  // Locked: even the right password is refused, with the time left.
  clock_.Advance(1min);
  const Status locked = Login("ada@example.com", kPassword).status();
  ExpectError(locked, ErrorCode::kTooManyRequests);
  EXPECT_EQ(locked.retry_after(), 14min);
  const Status wrong_while_locked = Login("ada@example.com", "not the password").status();
  EXPECT_EQ(wrong_while_locked.ToString(), locked.ToString());
  EXPECT_EQ(Stored(ada).failed_logins, 0);  // a lock's refusals do not count
  clock_.Advance(13min + 59s + 500ms);
  EXPECT_EQ(Login("ada@example.com", kPassword).status().retry_after(), 1s);  // rounded up

  clock_.Advance(1s);
  auto in = Login("ada@example.com", kPassword);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(in->user.failed_logins, 0);
  EXPECT_FALSE(in->user.locked_until.has_value());
  EXPECT_EQ(Stored(ada), in->user);
}

TEST_F(AccountServiceTest, ASuccessResetsTheFailureCount) {
  const User ada = Created();
  for (int i = 0; i < 2; ++i) ASSERT_FALSE(Login("ada@example.com", "not the password").ok());
  EXPECT_EQ(Stored(ada).failed_logins, 2);
  ASSERT_TRUE(Login("ada@example.com", kPassword).ok());
  EXPECT_EQ(Stored(ada).failed_logins, 0);
  for (int i = 0; i < 2; ++i) ASSERT_FALSE(Login("ada@example.com", "not the password").ok());
  EXPECT_TRUE(Login("ada@example.com", kPassword).ok());  // 2 + 2 failures: never 3 in a row
}

TEST_F(AccountServiceTest, ThrottlesEachAddress) {
  options_.logins_per_minute = 1;
  options_.login_burst = 2;
  Restart();
  // The throttle comes first: malformed attempts count too (and cost no hash).
  ExpectError(Login("x", kPassword, "203.0.113.7").status(), ErrorCode::kBadRequest, "email");
  ExpectError(Login("x", kPassword, "203.0.113.7").status(), ErrorCode::kBadRequest, "email");
  const Status throttled = Login("x", kPassword, "203.0.113.7").status();
  ExpectError(throttled, ErrorCode::kTooManyRequests);
  EXPECT_EQ(throttled.retry_after(), 60s);
  ExpectError(Login("x", kPassword, "203.0.113.8").status(), ErrorCode::kBadRequest, "email");
  clock_.Advance(60s);
  ExpectError(Login("x", kPassword, "203.0.113.7").status(), ErrorCode::kBadRequest, "email");
}

TEST_F(AccountServiceTest, LogoutRevokesTheSession) {
  const User ada = Created();
  const User bob = Created("bob@example.com");
  auto made = Login("ada@example.com", kPassword);
  ASSERT_TRUE(made.ok());
  EXPECT_EQ(service_->Logout(bob.id, made->session.id).code(), ErrorCode::kNotFound);
  clock_.Advance(5min);
  ASSERT_TRUE(service_->Logout(ada.id, made->session.id).ok());
  const Session session = *accounts_->FindSessionByTokenHash(HashToken(made->token));
  EXPECT_EQ(session.revoked_at, kT0Ms + 5min);
  EXPECT_TRUE(service_->ListSessions(ada.id)->empty());
  EXPECT_EQ(service_->Logout(ada.id, "nope").code(), ErrorCode::kNotFound);
}

TEST_F(AccountServiceTest, ListsAndRevokesActiveSessions) {
  const User ada = Created();
  auto first = Login("ada@example.com", kPassword);
  clock_.Advance(1h);
  auto second = Login("ada@example.com", kPassword);
  ASSERT_TRUE(first.ok() && second.ok());
  auto sessions = service_->ListSessions(ada.id);
  ASSERT_TRUE(sessions.ok());
  EXPECT_EQ(*sessions, (std::vector<Session>{second->session, first->session}));

  ASSERT_TRUE(service_->RevokeSession(ada.id, second->session.id).ok());
  EXPECT_EQ(*service_->ListSessions(ada.id), std::vector<Session>{first->session});
  // Sessions end at their expiry without anyone revoking them.
  clock_.Advance(23h);
  EXPECT_TRUE(service_->ListSessions(ada.id)->empty());
  EXPECT_EQ(service_->RevokeSession(ada.id, "nope").code(), ErrorCode::kNotFound);
}

TEST_F(AccountServiceTest, ChangingThePasswordKeepsOnlyTheCurrentSession) {
  auto made = service_->NewUserWithOneTimePassword("ada@example.com");
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  const std::string one_time = made->one_time_password;
  auto current = Login("ada@example.com", one_time);
  auto other = Login("ada@example.com", one_time);
  ASSERT_TRUE(current.ok() && other.ok());
  EXPECT_TRUE(current->user.password_change_required);

  const std::string id = made->user.id;
  const std::string session = current->session.id;
  ExpectError(service_->ChangePassword(id, session, one_time, "short"), ErrorCode::kBadRequest,
              "new_password");
  ExpectError(service_->ChangePassword(id, session, one_time, one_time), ErrorCode::kBadRequest,
              "new_password");
  ExpectError(service_->ChangePassword(id, session, one_time, "ada@example.com"),
              ErrorCode::kBadRequest, "new_password");

  clock_.Advance(1min);
  ASSERT_TRUE(service_->ChangePassword(id, session, one_time, "a new passphrase").ok());
  const User changed = Stored(made->user);
  EXPECT_FALSE(changed.password_change_required);
  EXPECT_EQ(changed.password_changed_at, kT0Ms + 1min);
  EXPECT_EQ(*service_->ListSessions(id), std::vector<Session>{current->session});
  EXPECT_FALSE(Login("ada@example.com", one_time).ok());
  EXPECT_TRUE(Login("ada@example.com", "a new passphrase").ok());
}

TEST_F(AccountServiceTest, AWrongCurrentPasswordCountsTowardsTheLockout) {
  const User ada = Created();
  auto made = Login("ada@example.com", kPassword);
  ASSERT_TRUE(made.ok());
  const std::string session = made->session.id;
  for (int i = 0; i < 3; ++i) {
    const Status wrong = service_->ChangePassword(ada.id, session, "not the password", "new one!!");
    ExpectError(wrong, ErrorCode::kForbidden, "current_password");
  }
  // Locked: for logins and for further guesses here.
  ExpectError(Login("ada@example.com", kPassword).status(), ErrorCode::kTooManyRequests);
  ExpectError(service_->ChangePassword(ada.id, session, kPassword, "a new passphrase"),
              ErrorCode::kTooManyRequests);
  EXPECT_TRUE(VerifyPassword(kPassword, Stored(ada).password_hash));
  EXPECT_EQ(service_->ChangePassword("nope", session, kPassword, "a new passphrase").code(),
            ErrorCode::kNotFound);
}

TEST_F(AccountServiceTest, NewUsersGetAOneTimePasswordToChange) {
  auto made = service_->NewUserWithOneTimePassword(" Bob@Example.com");
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_EQ(made->user.email, "bob@example.com");
  EXPECT_TRUE(made->user.password_change_required);
  EXPECT_EQ(made->one_time_password.size(), 20u);
  EXPECT_EQ(made->user.created_at, kT0Ms);
  EXPECT_EQ(Stored(made->user), made->user);
  EXPECT_TRUE(VerifyPassword(made->one_time_password, made->user.password_hash));

  ExpectError(service_->NewUserWithOneTimePassword("BOB@example.com").status(),
              ErrorCode::kConflict, "email");
  ExpectError(service_->NewUserWithOneTimePassword("bob").status(), ErrorCode::kBadRequest,
              "email");
  ExpectError(service_->CreateUser("cat@example.com", "short").status(), ErrorCode::kBadRequest,
              "password");
  ExpectError(service_->CreateUser("cat", kPassword).status(), ErrorCode::kBadRequest, "email");
}

TEST_F(AccountServiceTest, ResettingAPasswordEndsEverySession) {
  const User ada = Created();
  auto made = Login("ada@example.com", kPassword);
  ASSERT_TRUE(made.ok());
  clock_.Advance(1min);
  auto password = service_->ResetPassword("ADA@example.com");
  ASSERT_TRUE(password.ok()) << password.status().ToString();
  const User reset = Stored(ada);
  EXPECT_TRUE(reset.password_change_required);
  EXPECT_TRUE(VerifyPassword(*password, reset.password_hash));
  EXPECT_TRUE(service_->ListSessions(ada.id)->empty());

  ExpectError(service_->ResetPassword("nobody@example.com").status(), ErrorCode::kNotFound,
              "email");
  ExpectError(service_->ResetPassword("nobody").status(), ErrorCode::kBadRequest, "email");
}

TEST_F(AccountServiceTest, AnswersUnavailableWhenNoHashingSlotFrees) {
  const User ada = Created();
  options_.max_concurrent_hashes = 0;  // never a free slot
  options_.hashing_wait = 10ms;
  Restart();
  for (const char* email : {"ada@example.com", "bob@example.com"}) {
    const Status busy = Login(email, kPassword).status();
    ExpectError(busy, ErrorCode::kUnavailable);
    EXPECT_EQ(busy.retry_after(), 1s);
  }
  EXPECT_EQ(Stored(ada).failed_logins, 0);
  ExpectError(service_->Hash(kPassword).status(), ErrorCode::kUnavailable);
}

TEST_F(AccountServiceTest, ConcurrentLoginsShareTheHashingSlots) {
  Created();
  options_.max_concurrent_hashes = 1;
  options_.hashing_wait = 60s;  // never reached: each waits for the others' hashes
  Restart();
  constexpr int kThreads = 4;
  std::vector<Status> results(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = Login("ada@example.com", kPassword).status();
    });
  }
  for (auto& thread : threads) thread.join();
  for (const Status& status : results) EXPECT_TRUE(status.ok()) << status.ToString();
}

}  // namespace
}  // namespace cdp
