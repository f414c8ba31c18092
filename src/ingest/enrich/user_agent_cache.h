#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "ingest/enrich/user_agent.h"
#include "ingest/enrich/user_agent_parser.h"

namespace cdp::ingest::enrich {

// A UserAgentParser behind a bounded LRU cache keyed by the user agent string
// (its first kMaxUserAgentBytes bytes, what the parser reads). Many events share
// a handful of user agents; a hit costs a hash, a lock and a list splice instead
// of a regex scan.
//
// The cache is split into shards (kDefaultShards) by the key's hash, each an
// LRU list with its own mutex, so that threads parsing different user agents
// rarely wait for each other. Each shard holds at most ceil(capacity / shards)
// entries; a miss parses outside the lock, then inserts (two threads missing on
// the same key both parse; the second insert keeps the first's entry).
//
// Entries are immutable and shared: Parse returns a shared_ptr to the cached
// value, which stays valid after the entry is evicted.
// Thread safety: every method may be called from any number of threads.
class CachingUserAgentParser {
 public:
  static constexpr size_t kDefaultCapacity = 10'000;
  static constexpr size_t kDefaultShards = 16;

  // REQUIRES: parser != nullptr, capacity > 0, shards > 0.
  explicit CachingUserAgentParser(std::unique_ptr<UserAgentParser> parser,
                                  size_t capacity = kDefaultCapacity,
                                  size_t shards = kDefaultShards);
  CachingUserAgentParser(const CachingUserAgentParser&) = delete;
  CachingUserAgentParser& operator=(const CachingUserAgentParser&) = delete;
  ~CachingUserAgentParser();

  std::shared_ptr<const UserAgentInfo> Parse(std::string_view user_agent);

  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    size_t entries = 0;
  };
  Stats stats() const;

  const UserAgentParser& parser() const { return *parser_; }

 private:
  class Shard;

  std::unique_ptr<UserAgentParser> parser_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace cdp::ingest::enrich
