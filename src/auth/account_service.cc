#include "auth/account_service.h"

#include <algorithm>
#include <utility>

#include "auth/api_key_format.h"
#include "core/uuid.h"

namespace cdp {

namespace {

constexpr size_t kMaxUserAgentBytes = 256;
// The one answer for a wrong password and an unknown email.
constexpr char kInvalidLogin[] = "invalid email or password";

// `text` cut to at most `max` bytes, not inside a UTF-8 sequence.
std::string TruncateUtf8(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

// Whole seconds until `until`, rounded up, at least 1 (a Retry-After).
std::chrono::seconds SecondsUntil(TimePoint now, TimePoint until) {
  return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(until - now));
}

Status Locked(TimePoint now, TimePoint until) {
  return Status::TooManyRequests("too many failed logins: the account is locked for a while",
                                 SecondsUntil(now, until));
}

}  // namespace

class AccountService::HashingSlot {
 public:
  explicit HashingSlot(AccountService& service) : service_(service) {}
  ~HashingSlot() { service_.ReleaseHashingSlot(); }
  HashingSlot(const HashingSlot&) = delete;
  HashingSlot& operator=(const HashingSlot&) = delete;

 private:
  AccountService& service_;
};

AccountService::AccountService(AccountStore& accounts, const Clock& clock, AccountOptions options)
    : accounts_(accounts),
      clock_(clock),
      options_(options),
      throttle_(clock, LoginThrottle::Options{.per_minute = options.logins_per_minute,
                                              .burst = options.login_burst}) {}

TimePoint AccountService::Now() const {
  return std::chrono::floor<std::chrono::milliseconds>(clock_.Now());
}

Status AccountService::AcquireHashingSlot() {
  std::unique_lock lock(hashing_mutex_);
  const bool free = hashing_freed_.wait_for(
      lock, options_.hashing_wait, [this] { return hashing_ < options_.max_concurrent_hashes; });
  if (!free) {
    return Status::Unavailable("too many logins at once: try again shortly",
                               std::chrono::seconds(1));
  }
  ++hashing_;
  return Status::Ok();
}

void AccountService::ReleaseHashingSlot() {
  {
    std::lock_guard lock(hashing_mutex_);
    --hashing_;
  }
  hashing_freed_.notify_one();
}

Result<bool> AccountService::Verify(std::string_view password, std::string_view hash) {
  CDP_RETURN_IF_ERROR(AcquireHashingSlot());
  HashingSlot slot(*this);
  return VerifyPassword(password, hash);
}

Result<std::string> AccountService::Hash(std::string_view password) {
  CDP_RETURN_IF_ERROR(AcquireHashingSlot());
  HashingSlot slot(*this);
  return HashPassword(password, options_.password_cost);
}

Result<NewSession> AccountService::Login(const LoginRequest& request) {
  CDP_RETURN_IF_ERROR(throttle_.Acquire(request.ip));
  CDP_ASSIGN_OR_RETURN(const std::string email, NormalizeEmail(request.email, "email"));
  if (request.password.empty()) return Status::BadRequest("password is required", "password");
  if (request.password.size() > kMaxPasswordBytes) {
    return Status::BadRequest("password is too long", "password");
  }

  Result<User> found = accounts_.FindUserByEmail(email);
  if (!found.ok()) {
    if (found.status().code() != ErrorCode::kNotFound) return found.status();
    // As long as a wrong password, so the answer does not tell the email has
    // no account.
    CDP_RETURN_IF_ERROR(AcquireHashingSlot());
    HashingSlot slot(*this);
    VerifyAgainstDummyHash(request.password, options_.password_cost);
    return Status::Unauthorized(kInvalidLogin);
  }
  User user = std::move(found).value();
  TimePoint now = Now();
  // Before the password: while locked, the right password gets the same
  // answer as a wrong one.
  if (user.locked_until && now < *user.locked_until) return Locked(now, *user.locked_until);

  CDP_ASSIGN_OR_RETURN(const bool matches, Verify(request.password, user.password_hash));
  now = Now();  // hashing takes a while
  if (!matches) {
    CDP_RETURN_IF_ERROR(
        accounts_
            .RecordFailedLogin(user.id, options_.lockout_after, now + options_.lockout_duration)
            .status());
    return Status::Unauthorized(kInvalidLogin);
  }
  if (user.failed_logins != 0 || user.locked_until) {
    CDP_RETURN_IF_ERROR(accounts_.RecordSuccessfulLogin(user.id));
    user.failed_logins = 0;
    user.locked_until.reset();
  }

  NewSession made;
  made.token = NewSessionToken();
  Session& session = made.session;
  session.id = Uuid::NewV7(clock_).ToString();
  session.user_id = user.id;
  session.token_hash = HashToken(made.token);
  session.kind = request.kind;
  session.created_at = now;
  session.expires_at = now + options_.session_ttl;
  session.ip = request.ip;
  session.user_agent = TruncateUtf8(request.user_agent, kMaxUserAgentBytes);
  CDP_RETURN_IF_ERROR(accounts_.CreateSession(session));
  made.user = std::move(user);
  return made;
}

Status AccountService::Logout(std::string_view user_id, std::string_view session_id) {
  return accounts_.RevokeSession(user_id, session_id, Now());
}

Status AccountService::ChangePassword(std::string_view user_id, std::string_view session_id,
                                      std::string_view current, std::string_view next) {
  CDP_ASSIGN_OR_RETURN(const User user, accounts_.GetUser(user_id));
  TimePoint now = Now();
  // A stolen session must not make a way around the login's lockout to guess
  // the password: the same lock applies here.
  if (user.locked_until && now < *user.locked_until) return Locked(now, *user.locked_until);
  bool matches = false;
  if (!current.empty() && current.size() <= kMaxPasswordBytes) {
    CDP_ASSIGN_OR_RETURN(matches, Verify(current, user.password_hash));
  }
  now = Now();
  if (!matches) {
    CDP_RETURN_IF_ERROR(
        accounts_
            .RecordFailedLogin(user.id, options_.lockout_after, now + options_.lockout_duration)
            .status());
    return Status::Forbidden("the current password is wrong").WithField("current_password");
  }
  CDP_RETURN_IF_ERROR(ValidateNewPassword(next, user.email, "new_password"));
  if (next == current) {
    return Status::BadRequest("new_password must differ from the current password", "new_password");
  }
  CDP_ASSIGN_OR_RETURN(const std::string hash, Hash(next));
  now = Now();
  CDP_RETURN_IF_ERROR(accounts_.SetPassword(user.id, hash, /*change_required=*/false, now));
  return accounts_.RevokeUserSessions(user.id, session_id, now).status();
}

Result<std::vector<Session>> AccountService::ListSessions(std::string_view user_id) {
  return accounts_.ListActiveSessions(user_id, clock_.Now());
}

Status AccountService::RevokeSession(std::string_view user_id, std::string_view session_id) {
  return accounts_.RevokeSession(user_id, session_id, Now());
}

Result<User> AccountService::StoreNewUser(std::string email, std::string_view password,
                                          bool change_required) {
  CDP_ASSIGN_OR_RETURN(std::string hash, Hash(password));
  User user;
  user.id = Uuid::NewV7(clock_).ToString();
  user.email = std::move(email);
  user.password_hash = std::move(hash);
  user.password_change_required = change_required;
  user.created_at = Now();
  user.password_changed_at = user.created_at;
  CDP_RETURN_IF_ERROR(accounts_.CreateUser(user));
  return user;
}

Result<NewUser> AccountService::NewUserWithOneTimePassword(std::string_view email) {
  CDP_ASSIGN_OR_RETURN(std::string normalized, NormalizeEmail(email, "email"));
  NewUser made;
  made.one_time_password = NewOneTimePassword();
  CDP_ASSIGN_OR_RETURN(made.user, StoreNewUser(std::move(normalized), made.one_time_password,
                                               /*change_required=*/true));
  return made;
}

Result<User> AccountService::CreateUser(std::string_view email, std::string_view password) {
  CDP_ASSIGN_OR_RETURN(std::string normalized, NormalizeEmail(email, "email"));
  CDP_RETURN_IF_ERROR(ValidateNewPassword(password, normalized, "password"));
  return StoreNewUser(std::move(normalized), password, /*change_required=*/false);
}

Result<std::string> AccountService::ResetPassword(std::string_view email) {
  CDP_ASSIGN_OR_RETURN(const std::string normalized, NormalizeEmail(email, "email"));
  Result<User> user = accounts_.FindUserByEmail(normalized);
  if (!user.ok()) {
    if (user.status().code() == ErrorCode::kNotFound) {
      return Status::NotFound("no user has this email").WithField("email");
    }
    return user.status();
  }
  std::string password = NewOneTimePassword();
  CDP_ASSIGN_OR_RETURN(const std::string hash, Hash(password));
  const TimePoint now = Now();
  CDP_RETURN_IF_ERROR(accounts_.SetPassword(user->id, hash, /*change_required=*/true, now));
  CDP_RETURN_IF_ERROR(accounts_.RevokeUserSessions(user->id, "", now).status());
  return password;
}

AccountOptions AccountOptionsFrom(const Config& config) {
  AccountOptions options;
  options.session_ttl = config.session_ttl;
  options.lockout_after = config.login_lockout_after;
  options.lockout_duration = config.login_lockout;
  options.logins_per_minute = config.login_rate;
  options.login_burst = config.login_rate;
  options.password_cost =
      config.password_cost == "moderate" ? PasswordCost::kModerate : PasswordCost::kInteractive;
  return options;
}

}  // namespace cdp
