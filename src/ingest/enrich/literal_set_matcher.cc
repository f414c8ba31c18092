#include "ingest/enrich/literal_set_matcher.h"

#include <algorithm>
#include <deque>

namespace cdp::ingest::enrich {

LiteralSetMatcher::LiteralSetMatcher(const std::vector<std::string>& literals) {
  nodes_.emplace_back();
  for (size_t id = 0; id < literals.size(); ++id) {
    if (literals[id].empty()) continue;
    int32_t node = 0;
    for (const char c : literals[id]) {
      const auto byte = static_cast<uint8_t>(c);
      int32_t child = Child(node, byte);
      if (child < 0) {
        child = static_cast<int32_t>(nodes_.size());
        nodes_.emplace_back();
        auto& children = nodes_[node].children;
        children.insert(
            std::upper_bound(children.begin(), children.end(), std::make_pair(byte, int32_t{-1})),
            {byte, child});
      }
      node = child;
    }
    if (nodes_[node].literal < 0) nodes_[node].literal = static_cast<int32_t>(id);
  }
  for (int byte = 0; byte < 256; ++byte) {
    const int32_t child = Child(0, static_cast<uint8_t>(byte));
    root_next_[byte] = child < 0 ? 0 : child;
  }
  // Breadth first: a node's fail link points to a shallower node, already done.
  std::deque<int32_t> queue;
  for (const auto& [byte, child] : nodes_[0].children) queue.push_back(child);
  while (!queue.empty()) {
    const int32_t node = queue.front();
    queue.pop_front();
    for (const auto& [byte, child] : nodes_[node].children) {
      const int32_t fail = node == 0 ? 0 : Next(nodes_[node].fail, byte);
      nodes_[child].fail = fail;
      nodes_[child].output = nodes_[fail].literal >= 0 ? fail : nodes_[fail].output;
      queue.push_back(child);
    }
  }
}

int32_t LiteralSetMatcher::Child(int32_t node, uint8_t byte) const {
  const auto& children = nodes_[node].children;
  const auto it = std::lower_bound(children.begin(), children.end(), byte,
                                   [](const auto& child, uint8_t b) { return child.first < b; });
  return (it != children.end() && it->first == byte) ? it->second : -1;
}

int32_t LiteralSetMatcher::Next(int32_t node, uint8_t byte) const {
  while (node != 0) {
    const int32_t child = Child(node, byte);
    if (child >= 0) return child;
    node = nodes_[node].fail;
  }
  return root_next_[byte];
}

void LiteralSetMatcher::Find(std::string_view text, std::vector<int>& found) const {
  const size_t first = found.size();
  int32_t node = 0;
  for (const char c : text) {
    node = Next(node, static_cast<uint8_t>(c));
    for (int32_t hit = nodes_[node].literal >= 0 ? node : nodes_[node].output; hit >= 0;
         hit = nodes_[hit].output) {
      found.push_back(nodes_[hit].literal);
    }
  }
  std::sort(found.begin() + static_cast<std::ptrdiff_t>(first), found.end());
  found.erase(std::unique(found.begin() + static_cast<std::ptrdiff_t>(first), found.end()),
              found.end());
}

}  // namespace cdp::ingest::enrich
