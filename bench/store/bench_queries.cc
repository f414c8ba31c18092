#include "bench_queries.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <ctime>

namespace cdp::bench {

namespace {

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

LoadClock::LoadClock() : process_cpu_start_(CpuSeconds()), thread_cpu_mark_(ThreadCpuSeconds()) {}

void LoadClock::StartEngine() {
  const double now = ThreadCpuSeconds();
  parse_cpu_ += now - thread_cpu_mark_;
  thread_cpu_mark_ = now;
  wall_mark_ = WallSeconds();
}

void LoadClock::StopEngine() {
  engine_seconds_ += WallSeconds() - wall_mark_;
  thread_cpu_mark_ = ThreadCpuSeconds();
}

LoadReport LoadClock::Finish(uint64_t events) const {
  LoadReport report;
  report.events = events;
  report.seconds = engine_seconds_;
  report.cpu_seconds = CpuSeconds() - process_cpu_start_ - parse_cpu_;
  return report;
}

std::string FormatResults(const CountByEvent& a, const FilteredSum& b) {
  std::string out;
  for (const auto& [event, count] : a.counts) out += fmt::format("a\t{}\t{}\n", event, count);
  out += fmt::format("b\t{}\t{:.6f}\n", b.count, b.sum);
  return out;
}

Result<QueryTiming> TimeRuns(int runs, const std::function<Status()>& query) {
  QueryTiming timing;
  for (int run = 0; run < runs; ++run) {
    const double cpu_before = CpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    CDP_RETURN_IF_ERROR(query());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    timing.total_cpu_seconds += CpuSeconds() - cpu_before;
    timing.total_seconds += seconds;
    timing.best_seconds = run == 0 ? seconds : std::min(timing.best_seconds, seconds);
    ++timing.runs;
  }
  return timing;
}

std::string FormatTiming(std::string_view name, const QueryTiming& timing) {
  return fmt::format("{} {} {:.6f} {:.6f} {:.6f}", name, timing.runs, timing.best_seconds,
                     timing.total_seconds, timing.total_cpu_seconds);
}

}  // namespace cdp::bench
