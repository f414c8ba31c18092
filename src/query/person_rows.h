#pragma once

#include <algorithm>
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

  // `workers`: the scan's parallelism. `partition_bits`: 2^bits partitions.
  explicit PersonRows(int workers, int partition_bits = 10)
      : shift_(64 - partition_bits),
        buffers_(size_t(workers) << partition_bits) {}

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
    ParallelFor(parallelism, partitions(), [&](int thread, size_t partition) {
      std::vector<Row>& rows = buffers_[partition];  // worker 0's buffer collects the others
      for (size_t worker = 1; worker < workers; ++worker) {
        std::vector<Row>& other = buffers_[worker * partitions() + partition];
        rows.insert(rows.end(), other.begin(), other.end());
        std::vector<Row>().swap(other);
      }
      std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        if (a.person != b.person) return a.person < b.person;
        if (a.micros != b.micros) return a.micros < b.micros;
        return a.payload < b.payload;
      });
      for (size_t first = 0; first < rows.size();) {
        size_t last = first + 1;
        while (last < rows.size() && rows[last].person == rows[first].person) ++last;
        visit(thread, std::span<const Row>(rows.data() + first, last - first));
        first = last;
      }
      std::vector<Row>().swap(rows);
    });
  }

 private:
  int shift_;
  std::vector<std::vector<Row>> buffers_;  // [worker][partition]
};

}  // namespace cdp::query
