#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace cdp {

using TimePoint = std::chrono::system_clock::time_point;

// Wall-clock time, injectable so tests control "now".
// Thread safety: implementations are safe to call from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
  // The process-wide instance.
  static const SystemClock& Instance();
};

// A clock that only moves when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{}) : now_(start.time_since_epoch().count()) {}
  TimePoint Now() const override {
    return TimePoint(TimePoint::duration(now_.load(std::memory_order_relaxed)));
  }
  void Set(TimePoint t) { now_.store(t.time_since_epoch().count(), std::memory_order_relaxed); }
  void Advance(TimePoint::duration d) { now_.fetch_add(d.count(), std::memory_order_relaxed); }

 private:
  std::atomic<TimePoint::duration::rep> now_;
};

// "2026-11-25T21:06:11.123Z": ISO-8601 in UTC with millisecond precision, the
// one time format of cdp's responses and logs.
std::string FormatIso8601(TimePoint t);

// Milliseconds since the Unix epoch.
int64_t UnixMillis(TimePoint t);
// Microseconds since the Unix epoch (rounded toward the past), the precision
// events are stored with, and back.
int64_t UnixMicros(TimePoint t);
TimePoint FromUnixMicros(int64_t micros);

}  // namespace cdp
