#include "query/trends/trends_person_counts.h"

#include <algorithm>
#include <bit>

#include "query/person_rows.h"

namespace cdp::query {

constexpr int kWindowDays[2] = {7, 30};

PersonCounts::PersonCounts(const TrendsTimeline& timeline, size_t groups, Needs needs)
    : needs(needs), groups_(groups) {
  bucket_base_.push_back(0);
  for (size_t period = 0; period < timeline.periods(); ++period) {
    bucket_counts_.push_back(timeline.buckets(period).size());
    bucket_base_.push_back(bucket_base_.back() + groups * bucket_counts_.back());
  }
  persons.assign(bucket_indices(), 0);
  events.assign(bucket_indices(), 0);
  total_persons.assign(total_indices(), 0);
  total_events.assign(total_indices(), 0);
  for (int w = 0; w < 2; ++w) {
    if (needs.windows[w]) window_persons[w].assign(bucket_indices(), 0);
  }
}

// One thread's share of the walk: its counts, summed into the result at the
// end, so threads never share a counter.
class PersonCounter {
 public:
  PersonCounter(const TrendsTimeline& timeline, const PersonCounts& layout)
      : timeline_(timeline), layout_(layout) {
    persons_.assign(layout.bucket_indices(), 0);
    events_.assign(layout.bucket_indices(), 0);
    total_persons_.assign(layout.total_indices(), 0);
    total_events_.assign(layout.total_indices(), 0);
    for (int w = 0; w < 2; ++w) {
      // A difference array per (period, group): +1 where a person's merged
      // run of windows starts, -1 where it ends; one extra slot per run.
      if (layout.needs.windows[w]) window_starts_[w].assign(layout.bucket_indices() + Extra(), 0);
    }
  }

  // `records`: one person's, sorted by cell (group, then slice).
  void Count(std::span<const PersonRecord> records) {
    const int slice_bits = timeline_.slice_bits();
    for (size_t first = 0; first < records.size();) {
      const uint32_t group = records[first].cell >> slice_bits;
      size_t last = first + 1;
      while (last < records.size() && records[last].cell >> slice_bits == group) ++last;
      for (size_t period = 0; period < timeline_.periods(); ++period) {
        CountPeriod(records.subspan(first, last - first), group, period);
      }
      first = last;
    }
  }

  void AddTo(PersonCounts& counts, std::vector<std::pair<uint32_t, double>>& lists,
             std::vector<std::pair<uint32_t, double>>& total_lists) const {
    for (size_t i = 0; i < persons_.size(); ++i) {
      counts.persons[i] += persons_[i];
      counts.events[i] += events_[i];
    }
    for (size_t i = 0; i < total_persons_.size(); ++i) {
      counts.total_persons[i] += total_persons_[i];
      counts.total_events[i] += total_events_[i];
    }
    for (int w = 0; w < 2; ++w) {
      if (!layout_.needs.windows[w]) continue;
      for (size_t period = 0; period < timeline_.periods(); ++period) {
        const size_t buckets = layout_.bucket_counts_[period];
        for (size_t group = 0; group < layout_.groups_; ++group) {
          int64_t running = 0;
          const size_t diff = DiffIndex(period, group, 0);
          for (size_t bucket = 0; bucket < buckets; ++bucket) {
            running += window_starts_[w][diff + bucket];
            counts.window_persons[w][layout_.BucketIndex(period, group, bucket)] +=
                uint64_t(running);
          }
        }
      }
    }
    lists.insert(lists.end(), lists_.begin(), lists_.end());
    total_lists.insert(total_lists.end(), total_lists_.begin(), total_lists_.end());
  }

 private:
  size_t Extra() const { return layout_.bucket_counts_.size() * layout_.groups_; }
  // The difference arrays have one slot more per (period, group) than buckets.
  size_t DiffIndex(size_t period, size_t group, size_t bucket) const {
    return layout_.BucketIndex(period, group, bucket) + layout_.TotalIndex(period, group);
  }

  void CountPeriod(std::span<const PersonRecord> records, uint32_t group, size_t period) {
    const uint32_t slice_mask = timeline_.slice_mask();
    uint64_t period_events = 0;
    int bucket = -1;
    uint64_t bucket_events = 0;
    const auto flush = [&] {
      if (bucket < 0) return;
      const size_t index = layout_.BucketIndex(period, group, size_t(bucket));
      ++persons_[index];
      events_[index] += bucket_events;
      if (layout_.needs.count_lists) lists_.emplace_back(uint32_t(index), double(bucket_events));
    };
    // Slices ascend, and a bucket is a run of slices: each bucket the person
    // was active in is flushed once.
    for (const PersonRecord& record : records) {
      const int slice_bucket = timeline_.BucketOf(period, record.cell & slice_mask);
      if (slice_bucket < 0) continue;
      period_events += record.count;
      if (slice_bucket != bucket) {
        flush();
        bucket = slice_bucket;
        bucket_events = 0;
      }
      bucket_events += record.count;
    }
    flush();
    if (period_events > 0) {
      const size_t index = layout_.TotalIndex(period, group);
      ++total_persons_[index];
      total_events_[index] += period_events;
      if (layout_.needs.count_lists) {
        total_lists_.emplace_back(uint32_t(index), double(period_events));
      }
    }
    for (int w = 0; w < 2; ++w) {
      if (layout_.needs.windows[w]) CountWindows(records, group, period, w);
    }
  }

  // The buckets whose window holds some slice of the person form a union of
  // runs; each slice's run starts no earlier than the previous one's, so one
  // pass merges them.
  void CountWindows(std::span<const PersonRecord> records, uint32_t group, size_t period, int w) {
    const uint32_t slice_mask = timeline_.slice_mask();
    TrendsTimeline::Range run{0, 0};
    const auto flush = [&] {
      if (run.first >= run.last) return;
      ++window_starts_[w][DiffIndex(period, group, run.first)];
      --window_starts_[w][DiffIndex(period, group, run.last)];
    };
    for (const PersonRecord& record : records) {
      const TrendsTimeline::Range buckets =
          timeline_.WindowBucketsOf(period, kWindowDays[w], record.cell & slice_mask);
      if (buckets.first >= buckets.last) continue;
      if (run.first < run.last && buckets.first <= run.last) {
        run.last = std::max(run.last, buckets.last);
      } else {
        flush();
        run = buckets;
      }
    }
    flush();
  }

  const TrendsTimeline& timeline_;
  const PersonCounts& layout_;
  std::vector<uint64_t> persons_;
  std::vector<uint64_t> events_;
  std::vector<uint64_t> total_persons_;
  std::vector<uint64_t> total_events_;
  std::vector<int64_t> window_starts_[2];
  std::vector<std::pair<uint32_t, double>> lists_;
  std::vector<std::pair<uint32_t, double>> total_lists_;
};

namespace {

bool RecordBefore(const PersonRecord& a, const PersonRecord& b) {
  return a.person != b.person ? a.person < b.person : a.cell < b.cell;
}

// Sorts a run of records that share their key's top bits by (person, cell):
// usually a handful, where insertion sort wins.
void SortRun(std::span<PersonRecord> run) {
  if (run.size() > 24) {
    std::sort(run.begin(), run.end(), RecordBefore);
    return;
  }
  for (size_t i = 1; i < run.size(); ++i) {
    const PersonRecord record = run[i];
    size_t j = i;
    for (; j > 0 && RecordBefore(record, run[j - 1]); --j) run[j] = run[j - 1];
    run[j] = record;
  }
}

// A thread's buffers, reused from partition to partition.
struct PartitionScratch {
  std::vector<PersonRecord> rows;
  std::vector<uint32_t> offsets;
};

}  // namespace

PersonCounts CountPersons(int parallelism, const TrendsTimeline& timeline, size_t groups,
                          PersonCounts::Needs needs,
                          std::vector<std::vector<std::vector<PersonRecord>>>& records,
                          const std::vector<std::vector<uint32_t>>& final_group) {
  PersonCounts counts(timeline, groups, needs);
  parallelism = std::max(1, parallelism);
  std::vector<PersonCounter> counters;
  for (int thread = 0; thread < parallelism; ++thread) counters.emplace_back(timeline, counts);
  std::vector<PartitionScratch> scratch(static_cast<size_t>(parallelism));
  const size_t partitions = records.empty() ? 0 : records[0].size();
  const int partition_bits = std::countr_zero(std::max<size_t>(partitions, 1));
  const int slice_bits = timeline.slice_bits();
  const uint32_t slice_mask = timeline.slice_mask();
  ParallelFor(parallelism, partitions, [&](int thread, size_t partition) {
    // A person's records must come together. Rather than sorting them all,
    // they are scattered by the next bits of the key (a counting sort, about
    // two records per run), and only each short run is sorted.
    size_t total = 0;
    for (const auto& own : records) total += own[partition].size();
    if (total == 0) return;
    const int run_bits = std::clamp(int(std::bit_width(total / 2)), 1, 16);
    const int shift = 64 - partition_bits - run_bits;
    const uint64_t run_mask = (uint64_t(1) << run_bits) - 1;
    PartitionScratch& buffers = scratch[size_t(thread)];
    buffers.offsets.assign((size_t(1) << run_bits) + 1, 0);
    for (const auto& own : records) {
      for (const PersonRecord& record : own[partition]) {
        ++buffers.offsets[((record.person >> shift) & run_mask) + 1];
      }
    }
    for (size_t run = 1; run < buffers.offsets.size(); ++run) {
      buffers.offsets[run] += buffers.offsets[run - 1];
    }
    buffers.rows.resize(total);
    // The records in the answer's groups; those of no group get person 0
    // and are skipped (no real record has it).
    for (size_t worker = 0; worker < records.size(); ++worker) {
      std::vector<PersonRecord>& own = records[worker][partition];
      const std::vector<uint32_t>& group_of = final_group[worker];
      for (const PersonRecord& record : own) {
        const uint32_t group = group_of[record.cell >> slice_bits];
        PersonRecord& row = buffers.rows[buffers.offsets[(record.person >> shift) & run_mask]++];
        row = {group == kDroppedGroup ? 0 : record.person,
               (group << slice_bits) | (record.cell & slice_mask), record.count};
      }
      std::vector<PersonRecord>().swap(own);
    }
    // offsets[run] is now the end of the run.
    uint32_t first = 0;
    for (size_t run = 0; run + 1 < buffers.offsets.size(); ++run) {
      const uint32_t end = buffers.offsets[run];
      const std::span<PersonRecord> rows(buffers.rows.data() + first, end - first);
      first = end;
      SortRun(rows);
      for (size_t begin = 0; begin < rows.size();) {
        size_t last = begin + 1;
        while (last < rows.size() && rows[last].person == rows[begin].person) ++last;
        if (rows[begin].person != 0)
          counters[size_t(thread)].Count(rows.subspan(begin, last - begin));
        begin = last;
      }
    }
  });
  std::vector<std::pair<uint32_t, double>> lists;
  std::vector<std::pair<uint32_t, double>> total_lists;
  for (const PersonCounter& counter : counters) counter.AddTo(counts, lists, total_lists);
  if (needs.count_lists) {
    counts.per_person_events = GroupedValues(counts.bucket_indices(), lists);
    counts.total_per_person_events = GroupedValues(counts.total_indices(), total_lists);
  }
  return counts;
}

}  // namespace cdp::query
