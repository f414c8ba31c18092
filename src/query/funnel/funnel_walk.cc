#include "query/funnel/funnel_walk.h"

namespace cdp::query {

void FunnelWalker::ClearWindow() {
  single_count_.fill(0);
  single_steps_ = 0;
  multi_.clear();
}

void FunnelWalker::AddToWindow(uint64_t mask) {
  if (std::has_single_bit(mask)) {
    const int bit = std::countr_zero(mask);
    if (single_count_[bit]++ == 0) single_steps_ |= mask;
    return;
  }
  for (auto& [known, count] : multi_) {
    if (known == mask) {
      ++count;
      return;
    }
  }
  multi_.emplace_back(mask, 1);
}

void FunnelWalker::RemoveFromWindow(uint64_t mask) {
  if (std::has_single_bit(mask)) {
    const int bit = std::countr_zero(mask);
    if (--single_count_[bit] == 0) single_steps_ &= ~mask;
    return;
  }
  for (size_t i = 0; i < multi_.size(); ++i) {
    if (multi_[i].first == mask) {
      if (--multi_[i].second == 0) {
        multi_[i] = multi_.back();
        multi_.pop_back();
      }
      return;
    }
  }
  assert(false && "removing a mask the window does not hold");
}

// An event of one step can only take that step, and some largest matching
// gives every such step to one of its events (swapping one in for whatever
// held the step never shrinks a matching). So the steps of one-step events
// are all matched, and the events of several steps compete, by augmenting
// paths, for the others. Events of the same mask are interchangeable: once
// one of them finds no path, none of the others will.
int FunnelWalker::WindowMatching() {
  int matched = std::popcount(single_steps_);
  if (multi_.empty()) return matched;
  const uint64_t free_steps = all_steps_ & ~single_steps_;
  owner_.fill(0);
  assigned_ = 0;
  for (const auto& [mask, count] : multi_) {
    const uint64_t usable = mask & free_steps;
    const uint32_t tries = std::min<uint32_t>(count, std::popcount(usable));
    for (uint32_t i = 0; i < tries; ++i) {
      uint64_t visited = 0;
      if (!Augment(usable, visited)) break;
      if (++matched == steps_) return matched;
    }
  }
  return matched;
}

bool FunnelWalker::Augment(uint64_t mask, uint64_t& visited) {
  const uint64_t open = mask & ~assigned_;
  if (open != 0) {  // a free step: the shortest path
    const int bit = std::countr_zero(open);
    owner_[bit] = mask;
    assigned_ |= uint64_t{1} << bit;
    return true;
  }
  for (uint64_t candidates = mask & ~visited; candidates != 0; candidates &= ~visited) {
    const int bit = std::countr_zero(candidates);
    visited |= uint64_t{1} << bit;
    if (Augment(owner_[bit], visited)) {
      owner_[bit] = mask;
      return true;
    }
  }
  return false;
}

}  // namespace cdp::query
