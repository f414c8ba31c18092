#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <thread>
#include <vector>

#include "core/result.h"
#include "query/person_key.h"

namespace cdp::query {

// Runs `task(thread, i)` for i in [0, count) on `parallelism` threads (the
// calling one included), each i once; `thread` is in [0, parallelism).
void ParallelFor(int parallelism, size_t count, const std::function<void(int, size_t)>& task);

// Rows of a scan brought together by person, each person's rows in time
// order: what funnels, retention, sessions and paths walk.
//
// Scan workers Add rows without locks (each worker its own buffers), spread
// over partitions by the high bits of the person key, so that afterwards each
// partition can be sorted and walked by one thread on its own, and a person's
// rows are all in one partition. A partition is small enough to sort in cache.
//
// Rows are ordered by (person, micros, payload): a person's rows with the
// same timestamp come in payload order, whatever order the store returned
// them in, so answers never depend on how events were stored.
//
// `Payload` is what the analysis needs of a row (a step mask, an event code,
// a period); it must be trivially copyable and ordered (operator<).
template <typename Payload>
class PersonRows {
 public:
  struct Row {
    PersonKey person;
    int64_t micros;
    Payload payload;
  };

  // `workers`: the scan's parallelism. `partition_bits`: 2^bits partitions
  // (at most 56: the sort uses the next 8 bits).
  explicit PersonRows(int workers, int partition_bits = 10)
      : shift_(64 - partition_bits), buffers_(size_t(workers) << partition_bits) {}

  size_t partitions() const { return size_t(1) << (64 - shift_); }

  void Add(int worker, PersonKey person, int64_t micros, Payload payload) {
    buffers_[(size_t(worker) << (64 - shift_)) + (person >> shift_)].push_back(
        Row{person, micros, payload});
  }

  // Calls `visit(thread, rows)` once per person with all its rows in order,
  // from `parallelism` threads (`thread` in [0, parallelism), so callers keep
  // per-thread totals without locks). Persons come in no particular order.
  // Consumes the rows.
  void ForEachPerson(int parallelism,
                     const std::function<void(int thread, std::span<const Row> rows)>& visit) {
    const size_t workers = buffers_.size() / partitions();
    std::vector<std::vector<Row>> scratch(size_t(std::max(1, parallelism)));
    ParallelFor(parallelism, partitions(), [&](int thread, size_t partition) {
      // Counting sort on the next 8 bits of the key (the partition took the
      // top ones) into `sorted`, so that what is left to sort by comparison
      // are runs of a few dozen rows: several times cheaper than sorting
      // the whole partition.
      size_t total = 0;
      for (size_t worker = 0; worker < workers; ++worker) {
        total += buffers_[worker * partitions() + partition].size();
      }
      std::vector<Row>& sorted = scratch[size_t(thread)];
      sorted.resize(total);
      const int bucket_shift = shift_ - kBucketBits;
      std::array<uint32_t, (1 << kBucketBits) + 1> starts{};
      for (size_t worker = 0; worker < workers; ++worker) {
        for (const Row& row : buffers_[worker * partitions() + partition]) {
          ++starts[((row.person >> bucket_shift) & kBucketMask) + 1];
        }
      }
      for (size_t bucket = 0; bucket < kBuckets; ++bucket) starts[bucket + 1] += starts[bucket];
      std::array<uint32_t, kBuckets> next;
      std::copy(starts.begin(), starts.end() - 1, next.begin());
      for (size_t worker = 0; worker < workers; ++worker) {
        std::vector<Row>& rows = buffers_[worker * partitions() + partition];
        for (const Row& row : rows)
          sorted[next[(row.person >> bucket_shift) & kBucketMask]++] = row;
        std::vector<Row>().swap(rows);
      }
      for (size_t bucket = 0; bucket < kBuckets; ++bucket) {
        const auto first = sorted.begin() + starts[bucket];
        const auto last = sorted.begin() + starts[bucket + 1];
        std::sort(first, last, [](const Row& a, const Row& b) {
          if (a.person != b.person) return a.person < b.person;
          if (a.micros != b.micros) return a.micros < b.micros;
          return a.payload < b.payload;
        });
      }
      for (size_t first = 0; first < sorted.size();) {
        size_t last = first + 1;
        while (last < sorted.size() && sorted[last].person == sorted[first].person) ++last;
        visit(thread, std::span<const Row>(sorted.data() + first, last - first));
        first = last;
      }
    });
  }

 private:
  static constexpr int kBucketBits = 8;
  static constexpr size_t kBuckets = size_t(1) << kBucketBits;
  static constexpr uint64_t kBucketMask = kBuckets - 1;

  int shift_;
  std::vector<std::vector<Row>> buffers_;  // [worker][partition]
};

}  // namespace cdp::query
