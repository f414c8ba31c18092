#include "query/session/session_totals.h"

#include <algorithm>
#include <string_view>

#include "query/quantile.h"
#include "query/session/sessionize.h"

namespace cdp::query {

namespace {

constexpr double kMicrosPerSecond = 1e6;

// The bin of `value` among ascending `edges` (value >= edges[0]).
template <size_t N>
size_t BinOf(const std::array<int64_t, N>& edges, int64_t value, int64_t edge_scale) {
  size_t bin = 0;
  while (bin + 1 < N && value >= edges[bin + 1] * edge_scale) ++bin;
  return bin;
}

template <typename T>
void AddAll(std::vector<T>& into, const std::vector<T>& from) {
  for (size_t i = 0; i < into.size(); ++i) into[i] += from[i];
}

template <size_t N>
void WriteHistogram(JsonWriter& out, const std::array<int64_t, N>& edges,
                    const std::array<uint64_t, N>& bins, std::string_view from_key,
                    std::string_view to_key) {
  out.Key("histogram").BeginArray();
  for (size_t i = 0; i < N; ++i) {
    out.BeginObject().Key(from_key).Int(edges[i]).Key(to_key);
    if (i + 1 < N) {
      out.Int(edges[i + 1]);
    } else {
      out.Null();
    }
    out.Key("sessions").Uint(bins[i]).EndObject();
  }
  out.EndArray();
}

// The `limit` names most sessions entered (or left) by, most first, ties by
// name (codes follow names).
size_t WriteTopNames(JsonWriter& out, const std::vector<uint64_t>& sessions_by_name,
                     const StepDictionary& names, size_t limit) {
  std::vector<uint32_t> codes;
  for (size_t code = 0; code < sessions_by_name.size(); ++code) {
    if (sessions_by_name[code] > 0) codes.push_back(uint32_t(code));
  }
  const size_t kept = std::min(limit, codes.size());
  std::partial_sort(codes.begin(), codes.begin() + kept, codes.end(), [&](uint32_t a, uint32_t b) {
    if (sessions_by_name[a] != sessions_by_name[b])
      return sessions_by_name[a] > sessions_by_name[b];
    return a < b;
  });
  out.BeginArray();
  for (size_t i = 0; i < kept; ++i) {
    out.BeginObject()
        .Key("event")
        .String(names.Name(codes[i]))
        .Key("sessions")
        .Uint(sessions_by_name[codes[i]])
        .EndObject();
  }
  out.EndArray();
  return kept;
}

double Ratio(double total, uint64_t count) { return count == 0 ? 0 : total / double(count); }

}  // namespace

SessionTotals::SessionTotals(size_t names, size_t buckets)
    : entries_(names, 0),
      exits_(names, 0),
      bucket_sessions_(buckets, 0),
      bucket_persons_(buckets, 0),
      bucket_duration_micros_(buckets, 0) {}

void SessionTotals::AddPerson(std::span<const Step> steps, int64_t timeout_micros,
                              const TimeBuckets& buckets) {
  if (steps.empty()) return;
  ++persons_;
  int last_bucket = -1;  // sessions come in time order: so do their buckets
  ForEachSession(steps, timeout_micros, [&](std::span<const Step> session) {
    const int64_t duration = session.back().micros - session.front().micros;
    ++sessions_;
    events_ += session.size();
    duration_micros_ += double(duration);
    durations_.push_back(duration);
    event_counts_.push_back(uint32_t(session.size()));
    ++duration_bins_[BinOf(kSessionDurationEdgesSeconds, duration, 1'000'000)];
    ++event_count_bins_[BinOf(kSessionEventCountEdges, int64_t(session.size()), 1)];
    ++entries_[session.front().name];
    ++exits_[session.back().name];
    const int bucket = buckets.Index(session.front().micros);
    if (bucket < 0) return;  // not in [from, to): the scan's range prevents it
    ++bucket_sessions_[size_t(bucket)];
    bucket_duration_micros_[size_t(bucket)] += double(duration);
    if (bucket != last_bucket) ++bucket_persons_[size_t(bucket)];
    last_bucket = bucket;
  });
}

void SessionTotals::Merge(SessionTotals& other) {
  sessions_ += other.sessions_;
  persons_ += other.persons_;
  events_ += other.events_;
  duration_micros_ += other.duration_micros_;
  durations_.insert(durations_.end(), other.durations_.begin(), other.durations_.end());
  event_counts_.insert(event_counts_.end(), other.event_counts_.begin(), other.event_counts_.end());
  for (size_t i = 0; i < duration_bins_.size(); ++i) duration_bins_[i] += other.duration_bins_[i];
  for (size_t i = 0; i < event_count_bins_.size(); ++i) {
    event_count_bins_[i] += other.event_count_bins_[i];
  }
  AddAll(entries_, other.entries_);
  AddAll(exits_, other.exits_);
  AddAll(bucket_sessions_, other.bucket_sessions_);
  AddAll(bucket_persons_, other.bucket_persons_);
  AddAll(bucket_duration_micros_, other.bucket_duration_micros_);
  other = SessionTotals(0, 0);
}

uint64_t SessionTotals::Write(JsonWriter& out, const StepDictionary& names,
                              const TimeBuckets& buckets, size_t entry_exit_limit) {
  uint64_t rows = buckets.size();
  out.BeginObject();
  out.Key("sessions").Uint(sessions_);
  out.Key("persons").Uint(persons_);

  out.Key("duration_seconds").BeginObject();
  out.Key("average").Double(Ratio(duration_micros_, sessions_) / kMicrosPerSecond);
  out.Key("median").Double(InterpolatedQuantile(std::span(durations_), 0.5) / kMicrosPerSecond);
  out.Key("p90").Double(InterpolatedQuantile(std::span(durations_), 0.9) / kMicrosPerSecond);
  WriteHistogram(out, kSessionDurationEdgesSeconds, duration_bins_, "from_seconds", "to_seconds");
  out.EndObject();

  out.Key("events_per_session").BeginObject();
  out.Key("average").Double(Ratio(double(events_), sessions_));
  out.Key("median").Double(InterpolatedQuantile(std::span(event_counts_), 0.5));
  out.Key("p90").Double(InterpolatedQuantile(std::span(event_counts_), 0.9));
  WriteHistogram(out, kSessionEventCountEdges, event_count_bins_, "from_events", "to_events");
  out.EndObject();

  out.Key("entry_events");
  rows += WriteTopNames(out, entries_, names, entry_exit_limit);
  out.Key("exit_events");
  rows += WriteTopNames(out, exits_, names, entry_exit_limit);

  out.Key("over_time").BeginArray();
  for (size_t bucket = 0; bucket < buckets.size(); ++bucket) {
    out.BeginObject()
        .Key("bucket")
        .String(buckets.Label(bucket))
        .Key("sessions")
        .Uint(bucket_sessions_[bucket])
        .Key("average_duration_seconds")
        .Double(Ratio(bucket_duration_micros_[bucket], bucket_sessions_[bucket]) / kMicrosPerSecond)
        .Key("persons")
        .Uint(bucket_persons_[bucket])
        .EndObject();
  }
  out.EndArray();
  out.EndObject();
  return rows;
}

}  // namespace cdp::query
