#include "query/paths/path_totals.h"

#include <algorithm>

#include "query/session/sessionize.h"

namespace cdp::query {

namespace {

uint64_t TransitionKey(uint32_t earlier, uint32_t later) {
  return (uint64_t(earlier) << 32) | later;
}

// The `limit` entries with the most sessions, ties by key: by name, as codes
// follow names (and a transition's key puts its earlier name first).
std::vector<std::pair<uint64_t, uint64_t>> Top(const KeyCounter& counter, size_t limit) {
  std::vector<std::pair<uint64_t, uint64_t>> entries = counter.Entries();
  const size_t kept = std::min(limit, entries.size());
  std::partial_sort(entries.begin(), entries.begin() + kept, entries.end(),
                    [](const auto& a, const auto& b) {
                      return a.second != b.second ? a.second > b.second : a.first < b.first;
                    });
  entries.resize(kept);
  return entries;
}

}  // namespace

PathTotals::PathTotals(const PathShape& shape)
    : shape_(shape), transitions_(size_t(shape.steps)), dropoffs_(size_t(shape.steps)) {}

void PathTotals::AddPerson(std::span<const Step> steps) {
  ForEachSession(steps, shape_.timeout_micros,
                 [&](std::span<const Step> session) { AddSession(session); });
}

void PathTotals::AddSession(std::span<const Step> session) {
  const bool next = shape_.direction == PathDirection::kNext;
  size_t anchor = next ? 0 : session.size() - 1;
  if (shape_.anchored) {
    const auto found =
        std::find_if(session.begin(), session.end(), [](const Step& step) { return step.anchor; });
    if (found == session.end()) return;
    anchor = size_t(found - session.begin());
  }
  ++start_count_;
  uint32_t at = session[anchor].name;  // the path's last step so far
  int made = 0;                        // transitions so far
  const auto step_to = [&](uint32_t name) {
    if (shape_.collapse_repeats && name == at) return;
    transitions_[size_t(made)].Add(next ? TransitionKey(at, name) : TransitionKey(name, at));
    at = name;
    ++made;
  };
  if (next) {
    for (size_t i = anchor + 1; i < session.size() && made < shape_.steps; ++i) {
      step_to(session[i].name);
    }
  } else {
    for (size_t i = anchor; i > 0 && made < shape_.steps; --i) step_to(session[i - 1].name);
  }
  if (made < shape_.steps) dropoffs_[size_t(made)].Add(at);
}

void PathTotals::Merge(const PathTotals& other) {
  start_count_ += other.start_count_;
  for (size_t i = 0; i < transitions_.size(); ++i) {
    transitions_[i].Merge(other.transitions_[i]);
    dropoffs_[i].Merge(other.dropoffs_[i]);
  }
}

uint64_t PathTotals::Write(JsonWriter& out, const StepDictionary& names, size_t limit) const {
  uint64_t rows = 0;
  out.BeginObject();
  out.Key("start_count").Uint(start_count_);
  out.Key("transitions").BeginArray();
  for (size_t step = 0; step < transitions_.size(); ++step) {
    for (const auto& [key, sessions] : Top(transitions_[step], limit)) {
      out.BeginObject()
          .Key("step")
          .Uint(step + 1)
          .Key("from")
          .String(names.Name(uint32_t(key >> 32)))
          .Key("to")
          .String(names.Name(uint32_t(key)))
          .Key("sessions")
          .Uint(sessions)
          .EndObject();
      ++rows;
    }
  }
  out.EndArray();
  out.Key("dropoffs").BeginArray();
  for (size_t step = 0; step < dropoffs_.size(); ++step) {
    for (const auto& [key, sessions] : Top(dropoffs_[step], limit)) {
      out.BeginObject()
          .Key("step")
          .Uint(step)
          .Key("at")
          .String(names.Name(uint32_t(key)))
          .Key("sessions")
          .Uint(sessions)
          .EndObject();
      ++rows;
    }
  }
  out.EndArray();
  out.EndObject();
  return rows;
}

}  // namespace cdp::query
