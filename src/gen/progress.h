#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace cdp::gen {

struct ProgressSample {
  uint64_t events = 0;   // generated so far
  double fraction = 0;   // of the time window generated, in [0, 1]
  bool posting = false;  // then `answered` counts the events the server answered for
  uint64_t answered = 0;
};

// "[#########...........]  45%  1,234,567 events  1.03 M events/s  ETA 0:07"
// (posting: "... 1,200,000 posted ..."). `elapsed` is the time since the start.
std::string FormatProgressLine(const ProgressSample& sample, double elapsed_seconds);

// 1234567 -> "1,234,567".
std::string GroupThousands(uint64_t value);

struct RunSummary {
  uint64_t events = 0;
  uint64_t persons = 0;
  uint64_t bytes = 0;  // of the messages (NDJSON text, or posted JSON)
  double seconds = 0;
  bool posted = false;
  uint64_t accepted = 0;
  uint64_t duplicates = 0;
  uint64_t rejected = 0;
  uint64_t requests = 0;
};

// One line for stderr, numbers without separators so scripts can read them:
// "cdp gen: 52340 events, 5000 persons, 41234567 bytes in 0.05 s (1046800 events/s,
// 824.7 MB/s)" and, when posting, "; posted: 52340 accepted, 0 duplicates,
// 0 rejected (105 requests)".
std::string FormatSummary(const RunSummary& summary);

// Draws a progress line on a terminal, in place, at most 5 times a second.
// Thread safety: none.
class ProgressReporter {
 public:
  // Draws on `fd` only when `enabled` (callers pass isatty(fd)).
  ProgressReporter(int fd, bool enabled);

  // Redraws when 200 ms have passed since the last drawing; cheap otherwise
  // (one clock read), so it can be called every few thousand events.
  void Update(const ProgressSample& sample);
  // Erases the line (before the summary is printed).
  void Clear();
  double elapsed_seconds() const;

 private:
  void Draw(const std::string& text);

  int fd_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  bool drawn_ = false;
};

}  // namespace cdp::gen
