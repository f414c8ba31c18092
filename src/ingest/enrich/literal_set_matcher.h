#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cdp::ingest::enrich {

// Finds which of a fixed set of byte strings occur in a text, in one pass
// (Aho-Corasick): time linear in the text plus the matches, whatever the
// number of strings. The user agent parser uses it to tell RE2's prefilter
// which literal atoms a user agent contains.
// Thread safety: immutable after construction; Find may run concurrently.
class LiteralSetMatcher {
 public:
  // Ids are the strings' indices. Empty strings never match.
  explicit LiteralSetMatcher(const std::vector<std::string>& literals);

  // Appends to `found` the id of every literal that occurs in `text`, each
  // once, in ascending order. Case-sensitive (bytes).
  void Find(std::string_view text, std::vector<int>& found) const;

  size_t node_count() const { return nodes_.size(); }

 private:
  struct Node {
    std::vector<std::pair<uint8_t, int32_t>> children;  // sorted by byte
    int32_t fail = 0;      // the longest proper suffix that is a trie node
    int32_t literal = -1;  // the literal ending here, if any
    int32_t output = -1;   // the next node on the fail chain that ends a literal
  };

  int32_t Child(int32_t node, uint8_t byte) const;
  int32_t Next(int32_t node, uint8_t byte) const;

  std::vector<Node> nodes_;             // nodes_[0] is the root
  std::array<int32_t, 256> root_next_;  // the root's transitions, dense
};

}  // namespace cdp::ingest::enrich
