#include "gen/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace cdp::gen {

namespace {

constexpr auto kRedrawInterval = std::chrono::milliseconds(200);
constexpr int kBarWidth = 20;

std::string Rate(double per_second) {
  if (per_second >= 1e6) return fmt::format("{:.2f} M ", per_second / 1e6);
  if (per_second >= 1e3) return fmt::format("{:.1f} k ", per_second / 1e3);
  return fmt::format("{:.0f} ", per_second);
}

std::string Duration(double seconds) {
  const auto total = static_cast<int64_t>(std::llround(std::max(seconds, 0.0)));
  if (total >= 3600)
    return fmt::format("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60);
  return fmt::format("{}:{:02}", total / 60, total % 60);
}

}  // namespace

std::string GroupThousands(uint64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string FormatProgressLine(const ProgressSample& sample, double elapsed_seconds) {
  const double fraction = std::clamp(sample.fraction, 0.0, 1.0);
  const int filled = static_cast<int>(fraction * kBarWidth);
  std::string line = "[";
  line.append(static_cast<size_t>(filled), '#');
  line.append(static_cast<size_t>(kBarWidth - filled), '.');
  line += fmt::format("] {:3.0f}%  {} events", std::floor(fraction * 100),
                      GroupThousands(sample.events));
  if (sample.posting) line += fmt::format(", {} posted", GroupThousands(sample.answered));
  const uint64_t done = sample.posting ? sample.answered : sample.events;
  if (elapsed_seconds > 0) {
    line += fmt::format("  {}events/s", Rate(static_cast<double>(done) / elapsed_seconds));
  }
  if (fraction > 0.01 && fraction < 1 && elapsed_seconds > 0.5) {
    line += "  ETA " + Duration(elapsed_seconds * (1 - fraction) / fraction);
  }
  return line;
}

std::string FormatSummary(const RunSummary& s) {
  const double seconds = std::max(s.seconds, 1e-6);
  std::string line = fmt::format(
      "cdp gen: {} events, {} persons, {} bytes in {:.2f} s ({:.0f} events/s, {:.1f} MB/s)",
      s.events, s.persons, s.bytes, s.seconds, static_cast<double>(s.events) / seconds,
      static_cast<double>(s.bytes) / seconds / 1e6);
  if (s.posted) {
    line += fmt::format("; posted: {} accepted, {} duplicates, {} rejected ({} requests)",
                        s.accepted, s.duplicates, s.rejected, s.requests);
  }
  return line;
}

ProgressReporter::ProgressReporter(int fd, bool enabled)
    : fd_(fd), enabled_(enabled), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

double ProgressReporter::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressReporter::Update(const ProgressSample& sample) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  Draw(FormatProgressLine(sample, std::chrono::duration<double>(now - start_).count()));
}

void ProgressReporter::Clear() {
  if (!enabled_ || !drawn_) return;
  Draw("");
  drawn_ = false;
}

void ProgressReporter::Draw(const std::string& text) {
  // Carriage return, the text, erase to the end of the line.
  const std::string frame = "\r" + text + "\033[K";
  size_t done = 0;
  while (done < frame.size()) {
    const ssize_t n = ::write(fd_, frame.data() + done, frame.size() - done);
    if (n <= 0) return;  // a progress line that cannot be drawn is not worth failing the run
    done += static_cast<size_t>(n);
  }
  drawn_ = true;
}

}  // namespace cdp::gen
