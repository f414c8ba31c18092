#include "core/log.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/status.h"

namespace cdp::log {
namespace {

// ---------------------------------------------------------------------------
// A small strict JSON reader, independent of the code under test, so the
// tests can check that every log line is one valid JSON object.

struct JsonValue {
  enum class Type { kString, kNumber, kBool, kNull, kObject, kArray };
  Type type;
  std::string text;  // decoded string, or the literal text of other values
};

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}

  // The members of a single top-level object in order, or nullopt when
  // `text` is anything but exactly one valid JSON object.
  std::optional<std::vector<std::pair<std::string, JsonValue>>> ReadObject() {
    std::vector<std::pair<std::string, JsonValue>> members;
    SkipBlanks();
    if (!Consume('{')) return std::nullopt;
    SkipBlanks();
    if (!Consume('}')) {
      do {
        SkipBlanks();
        std::string key;
        if (!ReadString(key)) return std::nullopt;
        SkipBlanks();
        if (!Consume(':')) return std::nullopt;
        auto value = ReadValue();
        if (!value) return std::nullopt;
        members.emplace_back(std::move(key), std::move(*value));
        SkipBlanks();
      } while (Consume(','));
      if (!Consume('}')) return std::nullopt;
    }
    SkipBlanks();
    if (pos_ != text_.size()) return std::nullopt;
    return members;
  }

 private:
  std::optional<JsonValue> ReadValue() {
    SkipBlanks();
    if (pos_ >= text_.size()) return std::nullopt;
    const size_t start = pos_;
    const char c = text_[pos_];
    if (c == '"') {
      std::string s;
      if (!ReadString(s)) return std::nullopt;
      return JsonValue{JsonValue::Type::kString, std::move(s)};
    }
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++pos_;
      SkipBlanks();
      if (!Consume(close)) {
        do {
          if (c == '{') {
            SkipBlanks();
            std::string key;
            if (!ReadString(key)) return std::nullopt;
            SkipBlanks();
            if (!Consume(':')) return std::nullopt;
          }
          if (!ReadValue()) return std::nullopt;
          SkipBlanks();
        } while (Consume(','));
        if (!Consume(close)) return std::nullopt;
      }
      return JsonValue{c == '{' ? JsonValue::Type::kObject : JsonValue::Type::kArray,
                       std::string(text_.substr(start, pos_ - start))};
    }
    for (std::string_view literal : {"true", "false", "null"}) {
      if (text_.substr(pos_, literal.size()) == literal) {
        pos_ += literal.size();
        return JsonValue{literal == "null" ? JsonValue::Type::kNull : JsonValue::Type::kBool,
                         std::string(literal)};
      }
    }
    // number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    Consume('-');
    if (Consume('0')) {
    } else if (!Digits()) {
      return std::nullopt;
    }
    if (Consume('.') && !Digits()) return std::nullopt;
    if (Consume('e') || Consume('E')) {
      if (!Consume('+')) Consume('-');
      if (!Digits()) return std::nullopt;
    }
    return JsonValue{JsonValue::Type::kNumber, std::string(text_.substr(start, pos_ - start))};
  }

  bool ReadString(std::string& out) {
    if (!Consume('"')) return false;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return false;
      const char e = text_[pos_++];
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          if (pos_ + 4 > text_.size()) return false;
          const unsigned long code =
              std::strtoul(std::string(text_.substr(pos_, 4)).c_str(), nullptr, 16);
          pos_ += 4;
          if (code >= 0x80) return false;  // the logger only escapes control characters
          out.push_back(static_cast<char>(code));
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  bool Digits() {
    const size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }
  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void SkipBlanks() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// One parsed log line: its members by name, and their order.
struct LogLine {
  std::string raw;
  std::map<std::string, JsonValue> fields;
  std::vector<std::string> keys;

  bool Has(const std::string& key) const { return fields.count(key) > 0; }
  const JsonValue& at(const std::string& key) const { return fields.at(key); }
};

// ---------------------------------------------------------------------------

// Sends the log to a temporary file for the duration of a test and reads it back.
class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char path[] = "/tmp/cdp_log_test_XXXXXX";
    fd_ = mkstemp(path);
    ASSERT_GE(fd_, 0);
    unlink(path);
    InitAt(Level::kDebug);
  }

  void TearDown() override {
    Flush();
    // Back to stderr, so later tests never write into the closed descriptor.
    Init({.level = Level::kInfo, .fd = STDERR_FILENO});
    close(fd_);
  }

  void InitAt(Level level) { Init({.level = level, .fd = fd_}); }

  // Everything written to the file so far.
  std::string Written() const {
    std::string out;
    char buffer[4096];
    for (off_t offset = 0;;) {
      const ssize_t n = pread(fd_, buffer, sizeof(buffer), offset);
      if (n <= 0) break;
      out.append(buffer, static_cast<size_t>(n));
      offset += n;
    }
    return out;
  }

  // Flushes, then parses every line written so far; each must be a JSON object.
  std::vector<LogLine> Lines() {
    Flush();
    const std::string text = Written();
    std::vector<LogLine> lines;
    EXPECT_TRUE(text.empty() || text.back() == '\n') << "last line unterminated: " << text;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      LogLine line;
      line.raw = text.substr(start, end - start);
      const auto members = JsonReader(line.raw).ReadObject();
      EXPECT_TRUE(members.has_value()) << "not one JSON object: " << line.raw;
      if (members) {
        for (const auto& [key, value] : *members) {
          EXPECT_TRUE(line.fields.emplace(key, value).second)
              << "duplicate key " << key << " in " << line.raw;
          line.keys.push_back(key);
        }
      }
      lines.push_back(std::move(line));
      start = end + 1;
    }
    return lines;
  }

  LogLine OnlyLine() {
    auto lines = Lines();
    EXPECT_EQ(lines.size(), 1u);
    return lines.empty() ? LogLine{} : lines.front();
  }

  int fd_ = -1;
};

// Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS.mmmZ", or nullopt if malformed.
std::optional<double> ParseTimestamp(const std::string& ts) {
  if (ts.size() != 24 || ts[4] != '-' || ts[7] != '-' || ts[10] != 'T' || ts[13] != ':' ||
      ts[16] != ':' || ts[19] != '.' || ts[23] != 'Z') {
    return std::nullopt;
  }
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22}) {
    if (ts[i] < '0' || ts[i] > '9') return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = std::stoi(ts.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(ts.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(ts.substr(8, 2));
  tm.tm_hour = std::stoi(ts.substr(11, 2));
  tm.tm_min = std::stoi(ts.substr(14, 2));
  tm.tm_sec = std::stoi(ts.substr(17, 2));
  return static_cast<double>(timegm(&tm)) + std::stoi(ts.substr(20, 3)) / 1000.0;
}

TEST(MaskSecretTest, KeepsAtMostEightCharacters) {
  const std::string masked = MaskSecret("sk_abcdefghijklmnopqrstuvwxyz0123456789ABCD");
  EXPECT_EQ(masked, "sk_abcde\xE2\x80\xA6");
  EXPECT_EQ(masked.find("fgh"), std::string::npos);
}

TEST(MaskSecretTest, ShortSecretsKeepAtMostAThird) {
  EXPECT_EQ(MaskSecret("abcdef"), "ab\xE2\x80\xA6");
  EXPECT_EQ(MaskSecret("abcdefgh"), "ab\xE2\x80\xA6");
  EXPECT_EQ(MaskSecret("hunter2"), "hu\xE2\x80\xA6");
  EXPECT_EQ(MaskSecret("ab"), "\xE2\x80\xA6");
  EXPECT_EQ(MaskSecret(""), "\xE2\x80\xA6");
  for (size_t length = 0; length < 64; ++length) {
    const std::string secret(length, 'x');
    const std::string masked = MaskSecret(secret);
    ASSERT_TRUE(masked.ends_with("\xE2\x80\xA6"));
    const size_t kept = masked.size() - 3;
    EXPECT_LE(kept, 8u) << length;
    EXPECT_LE(kept * 3, length) << length;
  }
}

TEST(IsSecretFieldNameTest, SecretNames) {
  for (std::string_view name :
       {"password", "Authorization", "secret_key", "write_key", "X-Api-Token", "cookie",
        "Set-Cookie", "api_key", "PASSWORD", "db_password", "token", "apikey", "client_secret"}) {
    EXPECT_TRUE(IsSecretFieldName(name)) << name;
  }
}

TEST(IsSecretFieldNameTest, OrdinaryNames) {
  for (std::string_view name : {"request_id", "workspace_id", "route", "status", "method", "msg",
                                "error", "field", "", "path", "user_agent", "key_count"}) {
    EXPECT_FALSE(IsSecretFieldName(name)) << name;
  }
}

TEST_F(LogTest, OneJsonObjectPerLine) {
  Info("workspace created").Str("workspace_id", "ws_1").Int("keys", 2);
  const LogLine line = OnlyLine();
  ASSERT_GE(line.keys.size(), 3u) << line.raw;
  EXPECT_EQ(line.keys[0], "ts");
  EXPECT_EQ(line.keys[1], "level");
  EXPECT_EQ(line.keys[2], "msg");
  EXPECT_EQ(line.at("level").text, "info");
  EXPECT_EQ(line.at("msg").text, "workspace created");
  EXPECT_EQ(line.at("workspace_id").type, JsonValue::Type::kString);
  EXPECT_EQ(line.at("workspace_id").text, "ws_1");
  EXPECT_EQ(line.at("keys").type, JsonValue::Type::kNumber);
  EXPECT_EQ(line.at("keys").text, "2");
}

TEST_F(LogTest, TimestampIsIso8601UtcNow) {
  const auto before = std::chrono::system_clock::now();
  Info("tick");
  const LogLine line = OnlyLine();
  const auto after = std::chrono::system_clock::now();
  ASSERT_TRUE(line.Has("ts")) << line.raw;
  ASSERT_EQ(line.at("ts").type, JsonValue::Type::kString);
  const std::string& ts = line.at("ts").text;
  const auto seconds = ParseTimestamp(ts);
  ASSERT_TRUE(seconds.has_value()) << ts;
  const auto to_seconds = [](auto t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
  };
  EXPECT_GE(*seconds, to_seconds(before) - 0.002) << ts;
  EXPECT_LE(*seconds, to_seconds(after) + 0.002) << ts;
}

TEST_F(LogTest, FieldTypes) {
  Warn("typed")
      .Str("s", "text")
      .Int("i", -42)
      .Int("big", std::numeric_limits<int64_t>::min())
      .Double("d", 1.5)
      .Double("nan", std::nan(""))
      .Bool("t", true)
      .Bool("f", false);
  const LogLine line = OnlyLine();
  EXPECT_EQ(line.at("level").text, "warn");
  EXPECT_EQ(line.at("s").type, JsonValue::Type::kString);
  EXPECT_EQ(line.at("i").type, JsonValue::Type::kNumber);
  EXPECT_EQ(line.at("i").text, "-42");
  EXPECT_EQ(line.at("big").text, "-9223372036854775808");
  EXPECT_EQ(line.at("d").type, JsonValue::Type::kNumber);
  EXPECT_EQ(line.at("d").text, "1.5");
  EXPECT_EQ(line.at("nan").type, JsonValue::Type::kNull);
  EXPECT_EQ(line.at("t").type, JsonValue::Type::kBool);
  EXPECT_EQ(line.at("t").text, "true");
  EXPECT_EQ(line.at("f").text, "false");
}

TEST_F(LogTest, EscapesMessageAndValues) {
  Info("line one\nline \"two\" {} %s").Str("path", "C:\\x\t{}").Str("bad\"key", "\x01\xFF");
  const LogLine line = OnlyLine();
  EXPECT_EQ(line.at("msg").text, "line one\nline \"two\" {} %s");
  EXPECT_EQ(line.at("path").text, "C:\\x\t{}");
  EXPECT_EQ(line.at("bad\"key").text, "\x01\xEF\xBF\xBD");
}

TEST_F(LogTest, EachLevelAndItsName) {
  Debug("d");
  Info("i");
  Warn("w");
  Error("e");
  const auto lines = Lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].at("level").text, "debug");
  EXPECT_EQ(lines[1].at("level").text, "info");
  EXPECT_EQ(lines[2].at("level").text, "warn");
  EXPECT_EQ(lines[3].at("level").text, "error");
  EXPECT_EQ(lines[3].at("msg").text, "e");
}

TEST_F(LogTest, EventsBelowLevelAreNotWritten) {
  InitAt(Level::kWarn);
  EXPECT_FALSE(Enabled(Level::kDebug));
  EXPECT_FALSE(Enabled(Level::kInfo));
  EXPECT_TRUE(Enabled(Level::kWarn));
  EXPECT_TRUE(Enabled(Level::kError));
  Debug("hidden debug").Str("k", "v");
  Info("hidden info").Int("n", 1);
  Warn("shown warn");
  Error("shown error");
  const auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].at("msg").text, "shown warn");
  EXPECT_EQ(lines[1].at("msg").text, "shown error");
  EXPECT_EQ(Written().find("hidden"), std::string::npos);
}

TEST_F(LogTest, ErrorLevelOnly) {
  InitAt(Level::kError);
  Warn("hidden");
  Error("shown");
  const auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].at("msg").text, "shown");
}

TEST_F(LogTest, SecretFieldNamesAreMasked) {
  const std::string password = "correct-horse-battery-staple";
  const std::string bearer = "Bearer sk_live_abcdefghijklmnopqrstuvwxyz";
  Info("login")
      .Str("password", password)
      .Str("Authorization", bearer)
      .Str("X-Api-Token", "tok_0123456789abcdef")
      .Str("request_id", "req_1");
  const LogLine line = OnlyLine();
  const std::string raw = Written();
  EXPECT_EQ(raw.find(password), std::string::npos) << raw;
  EXPECT_EQ(raw.find("battery"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("abcdefghijklmnop"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("0123456789abcdef"), std::string::npos) << raw;
  EXPECT_EQ(line.at("password").text, MaskSecret(password));
  EXPECT_EQ(line.at("Authorization").text, MaskSecret(bearer));
  EXPECT_EQ(line.at("request_id").text, "req_1");
}

TEST_F(LogTest, SecretValuesAreMaskedWhateverTheirName) {
  const std::string key = "wk_9f8e7d6c5b4a39281706f5e4d3c2b1a0";
  Info("key used").Secret("key", key);
  const LogLine line = OnlyLine();
  EXPECT_EQ(Written().find(key.substr(8)), std::string::npos);
  EXPECT_EQ(line.at("key").text, MaskSecret(key));
  EXPECT_EQ(line.at("key").text, "wk_9f8e7\xE2\x80\xA6");
}

TEST_F(LogTest, ErrWritesStatusFields) {
  Error("request failed")
      .Str("request_id", "req_7")
      .Err(Status::BadRequest("event is required", "batch[3].event").WithCause("parser: eof"));
  const LogLine line = OnlyLine();
  EXPECT_EQ(line.at("error_code").text, "BadRequest");
  EXPECT_EQ(line.at("error").text, "event is required");
  EXPECT_EQ(line.at("field").text, "batch[3].event");
  EXPECT_EQ(line.at("cause").text, "parser: eof");
  EXPECT_EQ(line.at("request_id").text, "req_7");
}

TEST_F(LogTest, ErrOfInternalLogsTheCause) {
  Error("query failed").Err(Status::Internal("sqlite3_step: disk I/O error"));
  const LogLine line = OnlyLine();
  EXPECT_EQ(line.at("error_code").text, "Internal");
  EXPECT_EQ(line.at("error").text, "internal error");
  EXPECT_EQ(line.at("cause").text, "sqlite3_step: disk I/O error");
  EXPECT_FALSE(line.Has("field"));
}

TEST_F(LogTest, ErrOfOkWritesNothing) {
  Info("fine").Err(Status::Ok());
  const LogLine line = OnlyLine();
  EXPECT_FALSE(line.Has("error_code"));
  EXPECT_FALSE(line.Has("error"));
  EXPECT_EQ(line.keys.size(), 3u) << line.raw;
}

TEST_F(LogTest, WarningsAreWrittenWithoutFlush) {
  Info("buffered");
  Warn("urgent");
  // No Flush(): a warning writes out itself and everything before it.
  const std::string written = Written();
  EXPECT_NE(written.find("\"msg\":\"buffered\""), std::string::npos) << written;
  EXPECT_NE(written.find("\"msg\":\"urgent\""), std::string::npos) << written;
}

TEST_F(LogTest, InfoIsFlushedPeriodically) {
  Info("eventually");
  // The periodic flusher writes buffered lines every 200 ms.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (Written().find("eventually") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(Written().find("eventually"), std::string::npos);
}

TEST_F(LogTest, ConcurrentEventsStayWholeLines) {
  constexpr int kThreads = 4;
  constexpr int kEventsPerThread = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < kEventsPerThread; ++i) {
        Info("concurrent").Int("thread", t).Int("i", i).Str("pad", std::string(40, 'x'));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto lines = Lines();
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kEventsPerThread));
  std::vector<int> next(kThreads, 0);
  for (const auto& line : lines) {
    ASSERT_TRUE(line.Has("thread")) << line.raw;
    const int t = std::stoi(line.at("thread").text);
    ASSERT_GE(t, 0);
    ASSERT_LT(t, kThreads);
    // Lines of one thread keep their order.
    ASSERT_EQ(std::stoi(line.at("i").text), next[t]++) << line.raw;
  }
}

}  // namespace
}  // namespace cdp::log
