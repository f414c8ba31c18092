#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cdp {
class Status;
}

namespace cdp::log {

enum class Level { kDebug, kInfo, kWarn, kError };

struct LogOptions {
  Level level = Level::kInfo;
  // Where lines go. Output is buffered and flushed every 200 ms and on every
  // warning or error, except to a terminal, where each line is written at once.
  int fd = 1;
};

// Installs the process-wide JSON-lines logger. Until called, lines go to
// stderr at info level. Thread safety: call once, before other threads log.
void Init(const LogOptions& options);
// Writes out everything buffered. Called at shutdown.
void Flush();
bool Enabled(Level level);

// Keeps a short prefix of a secret so an operator can tell keys apart in the
// log without the log ever holding a usable key: "sk_4f9Q…" (at most a third of
// the secret, never more than 8 characters).
std::string MaskSecret(std::string_view secret);

// Whether a field of this name holds a secret (password, token, secret,
// authorization, cookie, api_key, write_key): such values are masked wherever
// they are logged, whatever the call site asked for.
bool IsSecretFieldName(std::string_view key);

// One structured log line, written when the object is destroyed:
//
//   log::Info("workspace created").Str("workspace_id", id).Int("keys", 2);
//
// emits {"ts":"…Z","level":"info","msg":"workspace created","workspace_id":"…","keys":2}.
// A line below the configured level costs one comparison and no allocation.
class Event {
 public:
  Event(Level level, std::string_view message);
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  ~Event();

  Event& Str(std::string_view key, std::string_view value);
  Event& Int(std::string_view key, int64_t value);
  Event& Double(std::string_view key, double value);
  Event& Bool(std::string_view key, bool value);
  // Always masked with MaskSecret.
  Event& Secret(std::string_view key, std::string_view value);
  // error_code, error (message), field and cause of a non-ok Status.
  Event& Err(const Status& status);

 private:
  void AppendKey(std::string_view key);

  Level level_;
  bool enabled_;
  std::string fields_;  // `"msg":"…","k":v,…` — the line without ts and level
};

inline Event Debug(std::string_view message) { return Event(Level::kDebug, message); }
inline Event Info(std::string_view message) { return Event(Level::kInfo, message); }
inline Event Warn(std::string_view message) { return Event(Level::kWarn, message); }
inline Event Error(std::string_view message) { return Event(Level::kError, message); }

}  // namespace cdp::log
