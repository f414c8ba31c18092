// The dedup index at the sizes a 24 h window reaches: the cost of one
// event's Reserve + Confirm, the bytes an entry takes, and the pauses a shard
// imposes under its lock (doubling its table, expiring a minute of entries).
//
// usage: cdp_dedup_index_benchmark [--benchmark_filter=...]

#include <benchmark/benchmark.h>
#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "ingest/dedup_index.h"
#include "ingest/fingerprint_table.h"

namespace cdp::ingest {
namespace {

constexpr std::string_view kWorkspace = "3f6c1a2e-0d4b-4c1e-9a57-6b2f0e8d1c44";
const TimePoint kStart = TimePoint(std::chrono::sys_days{std::chrono::year{2026} / 11 / 25});

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EB;
  return x ^ (x >> 31);
}

// The `n`th of a sequence of distinct random-looking message ids, formatted
// as UUIDs (36 characters), as Segment's libraries make them.
class MessageIds {
 public:
  std::string_view Get(uint64_t n) {
    static constexpr char kHex[] = "0123456789abcdef";
    const uint64_t words[2] = {SplitMix64(n), SplitMix64(n ^ 0x5bd1e9955bd1e995)};
    int nibble = 0;
    for (char& c : id_) {
      if (c == '-') continue;
      c = kHex[(words[nibble / 16] >> (4 * (nibble % 16))) & 15];
      ++nibble;
    }
    return id_;
  }

 private:
  std::string id_ = "00000000-0000-0000-0000-000000000000";
};

int64_t ThreadCpuNanos() {
  timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

size_t HeapBytes() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

// Reserve + Confirm of new message ids, as the ingest service does for every
// event, in an index that already holds range(0) entries. Also reports the
// heap bytes an entry takes in that index.
void BM_ReserveConfirm(benchmark::State& state) {
  const auto entries = static_cast<uint64_t>(state.range(0));
  const size_t heap_before = HeapBytes();
  auto index = std::make_unique<DedupIndex>();
  MessageIds ids;
  for (uint64_t n = 0; n < entries; ++n) index->TryReserve(kWorkspace, ids.Get(n), kStart);
  state.counters["bytes/entry"] =
      static_cast<double>(HeapBytes() - heap_before) / static_cast<double>(entries);

  const auto append = std::make_shared<PendingAppend>();
  uint64_t n = entries;
  for (auto _ : state) {
    const std::string_view id = ids.Get(n++);
    const DedupReservation reservation = index->Reserve(kWorkspace, id, kStart, append);
    benchmark::DoNotOptimize(reservation.reserved);
    index->Confirm(kWorkspace, id);
  }
  state.counters["entries_at_end"] = static_cast<double>(index->size());
}
// A fixed number of operations, so that the index grows by 10% at most.
BENCHMARK(BM_ReserveConfirm)->Arg(1'000'000)->Iterations(100'000)->Unit(benchmark::kNanosecond);
BENCHMARK(BM_ReserveConfirm)->Arg(10'000'000)->Iterations(1'000'000)->Unit(benchmark::kNanosecond);

// From empty to range(0) entries: every doubling (or rehash) on the way is in
// the average.
void BM_ReserveConfirmFromEmpty(benchmark::State& state) {
  const auto entries = static_cast<uint64_t>(state.range(0));
  const auto append = std::make_shared<PendingAppend>();
  MessageIds ids;
  int64_t cpu_ns = 0;
  for (auto _ : state) {
    DedupIndex index;
    const int64_t start = ThreadCpuNanos();
    for (uint64_t n = 0; n < entries; ++n) {
      const std::string_view id = ids.Get(n);
      benchmark::DoNotOptimize(index.Reserve(kWorkspace, id, kStart, append).reserved);
      index.Confirm(kWorkspace, id);
    }
    cpu_ns += ThreadCpuNanos() - start;
    state.PauseTiming();  // not the destructor
    index = DedupIndex();
    state.ResumeTiming();
  }
  state.counters["cpu_ns_per_op"] =
      static_cast<double>(cpu_ns) / static_cast<double>(entries * state.iterations());
}
BENCHMARK(BM_ReserveConfirmFromEmpty)
    ->Arg(1'000'000)
    ->Arg(10'000'000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// The longest a Reserve + Confirm takes while the index grows from empty to
// range(0) entries: a shard's table doubling (or rehashing) under its lock.
// Measured in this thread's CPU time, so that being descheduled on a busy
// machine does not count.
void BM_LongestPauseFromEmpty(benchmark::State& state) {
  const auto entries = static_cast<uint64_t>(state.range(0));
  const auto append = std::make_shared<PendingAppend>();
  MessageIds ids;
  int64_t longest_ns = 0;
  uint64_t over_1ms = 0;
  for (auto _ : state) {
    DedupIndex index;
    for (uint64_t n = 0; n < entries; ++n) {
      const std::string_view id = ids.Get(n);
      const int64_t start = ThreadCpuNanos();
      benchmark::DoNotOptimize(index.Reserve(kWorkspace, id, kStart, append).reserved);
      index.Confirm(kWorkspace, id);
      const int64_t took = ThreadCpuNanos() - start;
      longest_ns = std::max(longest_ns, took);
      if (took > 1'000'000) ++over_1ms;
    }
    state.PauseTiming();
    index = DedupIndex();
    state.ResumeTiming();
  }
  state.counters["longest_ms"] = static_cast<double>(longest_ns) / 1e6;
  state.counters["ops_over_1ms"] = static_cast<double>(over_1ms);
}
BENCHMARK(BM_LongestPauseFromEmpty)->Arg(10'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);

// Expire once a minute in an index of range(0) entries received over 24 h:
// each call forgets the oldest minute (1/1440 of the entries).
void BM_ExpireAMinute(benchmark::State& state) {
  const auto entries = static_cast<uint64_t>(state.range(0));
  DedupIndex index;
  MessageIds ids;
  for (uint64_t n = 0; n < entries; ++n) {
    index.Restore(kWorkspace, ids.Get(n), kStart + std::chrono::seconds(n * 86'400 / entries));
  }
  TimePoint now = kStart + std::chrono::hours(24);
  for (auto _ : state) {
    now += std::chrono::minutes(1);
    index.Expire(now);
  }
  state.counters["entries_at_end"] = static_cast<double>(index.size());
}
BENCHMARK(BM_ExpireAMinute)
    ->Arg(1'000'000)
    ->Arg(10'000'000)
    ->Iterations(10)
    ->Unit(benchmark::kMillisecond);

// The longest pause a shard's table imposes on ingest: the insert that
// doubles a table of range(0) slots (at 3/4 load). At 10 M entries a shard of
// 1024 holds ~10 k, in 16 k slots; at 50 M, ~49 k in 64 k slots. 32 shards
// would hold ~310 k each at 10 M, in 512 k slots. The iterations reuse heap
// memory: a new array's first page faults, which can double the pause, are
// in BM_LongestPauseFromEmpty.
void BM_FingerprintTableDoubling(benchmark::State& state) {
  const auto capacity = static_cast<uint64_t>(state.range(0));
  uint64_t n = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto table = std::make_unique<FingerprintTable>();
    while (table->size() < capacity * 3 / 4) table->FindOrInsert({SplitMix64(++n), n}, 0);
    state.ResumeTiming();
    table->FindOrInsert({SplitMix64(++n), n}, 0);
    state.PauseTiming();
    if (table->capacity() != capacity * 2) state.SkipWithError("did not double");
    table.reset();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_FingerprintTableDoubling)
    ->Arg(1 << 14)
    ->Arg(1 << 16)
    ->Arg(1 << 19)
    ->Iterations(20)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace cdp::ingest

BENCHMARK_MAIN();
