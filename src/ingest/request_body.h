#pragma once

#include <simdjson.h>

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ingest/request_parser.h"

namespace cdp::ingest {

// The parsed JSON body of one ingestion request: the DOM built over the text,
// which must outlive it. Objects and views handed out point into this and
// live as long as it.
// The DOM lives in a parser per thread, reused from request to request (a
// fresh parser allocates and faults in its buffers every time: ~7% of an
// ingest server's CPU). So at most one RequestBody per thread may be alive
// at a time; the request parsers hold one for the length of a call.
class RequestBody {
 public:
  RequestBody() = default;
  RequestBody(const RequestBody&) = delete;
  RequestBody& operator=(const RequestBody&) = delete;

  // BadRequest (field "") when `text` is not JSON or not a JSON object. Reads
  // the text in place when it has simdjson's padding (see RequestText), else
  // from a copy in the thread's parser.
  // REQUIRES: called once; `text` outlives this.
  Status Parse(RequestText text);

  // REQUIRES: Parse succeeded.
  const simdjson::dom::object& root() const { return root_; }
  // The body's length in bytes, and without the whitespace around the object.
  size_t size() const { return text_.size(); }
  size_t trimmed_size() const { return trimmed_size_; }

  // The length of each item of the top-level array `key` as written in the
  // body. The DOM keeps no source positions, but the parser's first stage
  // listed them: this walks that list (see the .cc) rather than parse again.
  // REQUIRES: Parse succeeded, on this thread, and root()[key] is an array.
  Result<std::vector<size_t>> ArrayItemSizes(std::string_view key) const;

 private:
  std::string_view text_;
  simdjson::dom::object root_;
  size_t trimmed_size_ = 0;
};

// Whether `json` is an object with a top-level `key` (compared unescaped).
// False for anything else, invalid JSON included. Reads only the top level.
bool HasTopLevelKey(std::string_view json, std::string_view key);

}  // namespace cdp::ingest
