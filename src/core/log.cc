#include "core/log.h"

#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>

#include "core/json_writer.h"
#include "core/status.h"

namespace cdp::log {

namespace {

// Writes formatted lines to a file descriptor, batching them into few write(2)
// calls: at a hundred thousand requests a second, one system call per access
// log line would cost more than serving the request.
class BufferedFdSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit BufferedFdSink(int fd) : fd_(fd), unbuffered_(isatty(fd) == 1) {}
  ~BufferedFdSink() override { WriteOut(); }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    buffer_.append(formatted.data(), formatted.size());
    if (unbuffered_ || buffer_.size() >= kHighWater || msg.level >= spdlog::level::warn) {
      WriteOut();
    }
  }
  void flush_() override { WriteOut(); }

 private:
  static constexpr size_t kHighWater = 64 * 1024;

  void WriteOut() {
    size_t written = 0;
    while (written < buffer_.size()) {
      const ssize_t n = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // nowhere to report a failing log; drop rather than spin
      written += static_cast<size_t>(n);
    }
    buffer_.clear();
  }

  int fd_;
  bool unbuffered_;
  std::string buffer_;
};

std::atomic<int> g_min_level{static_cast<int>(Level::kInfo)};

spdlog::level::level_enum ToSpdlog(Level level) {
  switch (level) {
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

// %L: the level as CDP_LOG_LEVEL spells it (spdlog's %l says "warning" and "critical").
class LevelNameFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string_view name;
    switch (msg.level) {
      case spdlog::level::trace:
      case spdlog::level::debug:
        name = "debug";
        break;
      case spdlog::level::info:
        name = "info";
        break;
      case spdlog::level::warn:
        name = "warn";
        break;
      default:
        name = "error";
        break;
    }
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelNameFlag>();
  }
};

std::shared_ptr<spdlog::logger> MakeLogger(int fd) {
  auto sink = std::make_shared<BufferedFdSink>(fd);
  auto logger = std::make_shared<spdlog::logger>("cdp", std::move(sink));
  // The message (%v) is the rest of the JSON object, built by Event.
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<LevelNameFlag>('L').set_pattern(
      R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%L",%v})");
  logger->set_formatter(std::move(formatter));
  logger->set_level(spdlog::level::trace);  // filtering happens in Event
  logger->flush_on(spdlog::level::warn);
  return logger;
}

spdlog::logger& Logger() {
  static const bool installed = [] {
    spdlog::set_default_logger(MakeLogger(STDERR_FILENO));
    return true;
  }();
  (void)installed;
  return *spdlog::default_logger_raw();
}

constexpr std::array<std::string_view, 8> kSecretWords = {
    "password", "secret", "token", "authorization", "cookie", "api_key", "write_key", "apikey"};

// Writes buffered lines out every 200 ms (spdlog's own flusher counts in
// whole seconds, too slow for someone watching the log).
class PeriodicFlusher {
 public:
  PeriodicFlusher()
      : thread_([](std::stop_token stop) {
          std::mutex mu;
          std::condition_variable_any wake;
          std::unique_lock lock(mu);
          while (!wake.wait_for(lock, stop, std::chrono::milliseconds(200),
                                [&] { return stop.stop_requested(); })) {
            // A shared reference: a concurrent Init() may replace the logger meanwhile.
            if (const auto logger = spdlog::default_logger()) logger->flush();
          }
        }) {}

 private:
  std::jthread thread_;
};

}  // namespace

void Init(const LogOptions& options) {
  // Install the lazy stderr default now: installed on the first event after
  // this call, it would replace the logger configured here.
  Logger();
  g_min_level.store(static_cast<int>(options.level));
  spdlog::set_default_logger(MakeLogger(options.fd));
  static PeriodicFlusher flusher;
}

void Flush() { Logger().flush(); }

bool Enabled(Level level) { return static_cast<int>(level) >= g_min_level.load(); }

std::string MaskSecret(std::string_view secret) {
  const size_t keep = std::min<size_t>(8, secret.size() / 3);
  return std::string(secret.substr(0, keep)) + "\xE2\x80\xA6";  // "…"
}

bool IsSecretFieldName(std::string_view key) {
  // Runs for every logged field: ASCII case folding by hand, since
  // std::tolower consults the locale on each call.
  const auto same_letter = [](char a, char b) {
    return (a >= 'A' && a <= 'Z' ? static_cast<char>(a + ('a' - 'A')) : a) == b;
  };
  for (auto word : kSecretWords) {
    if (key.size() >= word.size() &&
        std::search(key.begin(), key.end(), word.begin(), word.end(), same_letter) != key.end()) {
      return true;
    }
  }
  return false;
}

Event::Event(Level level, std::string_view message) : level_(level), enabled_(Enabled(level)) {
  if (!enabled_) return;
  fields_.reserve(256);
  fields_ += "\"msg\":\"";
  AppendJsonEscaped(fields_, message);
  fields_.push_back('"');
}

Event::~Event() {
  if (!enabled_) return;
  Logger().log(ToSpdlog(level_), spdlog::string_view_t(fields_.data(), fields_.size()));
}

void Event::AppendKey(std::string_view key) {
  fields_ += ",\"";
  AppendJsonEscaped(fields_, key);
  fields_ += "\":";
}

Event& Event::Str(std::string_view key, std::string_view value) {
  if (!enabled_) return *this;
  if (IsSecretFieldName(key)) return Secret(key, value);
  AppendKey(key);
  fields_.push_back('"');
  AppendJsonEscaped(fields_, value);
  fields_.push_back('"');
  return *this;
}

Event& Event::Secret(std::string_view key, std::string_view value) {
  if (!enabled_) return *this;
  AppendKey(key);
  fields_.push_back('"');
  AppendJsonEscaped(fields_, MaskSecret(value));
  fields_.push_back('"');
  return *this;
}

Event& Event::Int(std::string_view key, int64_t value) {
  if (!enabled_) return *this;
  AppendKey(key);
  fmt::format_to(std::back_inserter(fields_), "{}", value);
  return *this;
}

Event& Event::Double(std::string_view key, double value) {
  if (!enabled_) return *this;
  AppendKey(key);
  JsonWriter number;
  number.Double(value);
  fields_ += number.str();
  return *this;
}

Event& Event::Bool(std::string_view key, bool value) {
  if (!enabled_) return *this;
  AppendKey(key);
  fields_ += value ? "true" : "false";
  return *this;
}

Event& Event::Err(const Status& status) {
  if (!enabled_ || status.ok()) return *this;
  Str("error_code", ErrorCodeName(status.code()));
  Str("error", status.message());
  if (!status.field().empty()) Str("field", status.field());
  if (!status.cause().empty()) Str("cause", status.cause());
  return *this;
}

}  // namespace cdp::log
