#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/login_throttle.h"
#include "auth/password.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/result.h"
#include "meta/account_store.h"

namespace cdp {

struct AccountOptions {
  // How long a session lives from login (absolute; a new login makes a new
  // one). CDP_SESSION_TTL.
  std::chrono::seconds session_ttl{14 * 24 * 3600};
  // Consecutive failed logins that lock an account, and for how long.
  // CDP_LOGIN_LOCKOUT_AFTER, CDP_LOGIN_LOCKOUT.
  int lockout_after = 5;
  std::chrono::seconds lockout_duration{15 * 60};
  // Login attempts per client address (LoginThrottle). CDP_LOGIN_RATE.
  double logins_per_minute = 10;
  int login_burst = 10;
  // Passwords hashed at once; more logins wait for a slot up to
  // hashing_wait, then get 503 (each hash holds 64 MiB).
  int max_concurrent_hashes = 4;
  std::chrono::milliseconds hashing_wait{2000};
  PasswordCost password_cost = PasswordCost::kInteractive;
};

// The options the configuration sets (CDP_SESSION_TTL, CDP_LOGIN_*,
// CDP_PASSWORD_COST); the others keep their defaults.
AccountOptions AccountOptionsFrom(const Config& config);

struct LoginRequest {
  std::string email;  // as typed; normalized here
  std::string password;
  SessionKind kind = SessionKind::kCookie;
  std::string ip;          // for the throttle and the session listing
  std::string user_agent;  // kept truncated to 256 bytes
};

// A session just made: the token exists in clear only here.
struct NewSession {
  Session session;
  std::string token;  // "st_..."
  User user;
};

// A user just made with a one-time password, which exists in clear only here.
struct NewUser {
  User user;
  std::string one_time_password;
};

// Accounts: login and its safeguards, sessions, passwords, new users.
// Thread safety: all methods are safe to call concurrently.
class AccountService {
 public:
  // REQUIRES: `accounts` and `clock` outlive this.
  AccountService(AccountStore& accounts, const Clock& clock, AccountOptions options);

  // Checks, in this order:
  //  1. the address's throttle: TooManyRequests with Retry-After;
  //  2. the email's shape (BadRequest, field "email") and password length
  //     (BadRequest, field "password", when empty or over kMaxPasswordBytes);
  //  3. a locked account: TooManyRequests, Retry-After until locked_until,
  //     whether or not the password is right (the lock is not an oracle);
  //  4. the password: Unauthorized "invalid email or password" for a wrong
  //     one and for an unknown email alike (a dummy hash keeps the timing
  //     the same); a wrong one counts towards the lockout.
  // Success resets the failure count and makes a session of `kind`.
  // Unavailable (Retry-After 1) when no hashing slot frees in time.
  Result<NewSession> Login(const LoginRequest& request);

  // Revokes the session (logout). NotFound when the user has no such session.
  Status Logout(std::string_view user_id, std::string_view session_id);

  // Changes the user's password: `current` must verify (Forbidden, field
  // "current_password", otherwise; it counts towards the lockout), `next`
  // must pass ValidateNewPassword (field "new_password") and differ from
  // `current` (BadRequest, field "new_password"). Clears the change-required
  // flag and revokes every other session of the user (not `session_id`).
  Status ChangePassword(std::string_view user_id, std::string_view session_id,
                        std::string_view current, std::string_view next);

  // The user's active sessions, newest first.
  Result<std::vector<Session>> ListSessions(std::string_view user_id);
  // Revokes one of them. NotFound when the user has no such session.
  Status RevokeSession(std::string_view user_id, std::string_view session_id);

  // A new user with a one-time password (password_change_required). The
  // email is normalized (BadRequest, field "email"); Conflict (field
  // "email") when taken.
  Result<NewUser> NewUserWithOneTimePassword(std::string_view email);
  // Makes the user with the password they chose (ValidateNewPassword, field
  // "password"), no change required.
  Result<User> CreateUser(std::string_view email, std::string_view password);
  // Gives the user a new one-time password and revokes all their sessions
  // (the command line's reset). NotFound (field "email") when unknown.
  Result<std::string> ResetPassword(std::string_view email);

  // The hash of a new password with this service's cost and hashing slots
  // (for callers that create users through the store themselves).
  Result<std::string> Hash(std::string_view password);

 private:
  // One of max_concurrent_hashes slots, held for one argon2 computation.
  class HashingSlot;
  // Waits up to hashing_wait for a free slot; Unavailable (Retry-After 1)
  // when none frees. Release with ReleaseHashingSlot (HashingSlot does).
  Status AcquireHashingSlot();
  void ReleaseHashingSlot();
  // VerifyPassword in a hashing slot.
  Result<bool> Verify(std::string_view password, std::string_view hash);
  // A user with `password` hashed, stored unless the store refuses.
  Result<User> StoreNewUser(std::string email, std::string_view password, bool change_required);
  // The clock's time to the millisecond, as the store keeps it: what this
  // returns equals what is read back.
  TimePoint Now() const;

  AccountStore& accounts_;
  const Clock& clock_;
  const AccountOptions options_;
  LoginThrottle throttle_;
  std::mutex hashing_mutex_;
  std::condition_variable hashing_freed_;  // signalled when a slot frees
  int hashing_ = 0;                        // slots taken; guarded by hashing_mutex_
};

}  // namespace cdp
