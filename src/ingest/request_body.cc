#include "ingest/request_body.h"

#include <fmt/format.h>

#include <cstdint>
#include <optional>

namespace cdp::ingest {

namespace {

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t TrimmedSize(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && IsJsonWhitespace(text[begin])) ++begin;
  while (end > begin && IsJsonWhitespace(text[end - 1])) --end;
  return end - begin;
}

// This thread's DOM parser (see RequestBody).
simdjson::dom::parser& ThreadParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

// Where the last parse of a DOM parser found the JSON's structure in the text.
// simdjson parses in two stages: the first lists the byte offset of every
// structural character ({ } [ ] : ,) and of the first byte of every scalar
// (string, number, true, false, null), in text order; the second builds the
// DOM from that list, and the parser keeps it until its next parse. The DOM
// has no offsets, so this is how an item's extent in the text is found
// without a second parse. The list is a public member that simdjson marks
// private ("for benchmarking access"): it is only read here, and whoever
// reads it checks it against the DOM (ArrayItemSizes).
class StructuralIndex {
 public:
  // REQUIRES: `parser`'s last parse, a success, read `text`; both outlive this.
  StructuralIndex(std::string_view text, const simdjson::dom::parser& parser)
      : text_(text),
        offsets_(parser.implementation->structural_indexes.get()),
        count_(parser.implementation->n_structural_indexes) {}

  // The character at structural i; '\0' (never structural) past the end.
  char At(uint32_t i) const {
    return i < count_ && offsets_[i] < text_.size() ? text_[offsets_[i]] : '\0';
  }
  // REQUIRES: At(i) != '\0'.
  size_t Offset(uint32_t i) const { return offsets_[i]; }

  // The structural after the value that starts at structural i: past its
  // closing bracket for an object or array, else the next one. Past the
  // end when the brackets do not close.
  uint32_t SkipValue(uint32_t i) const {
    if (At(i) != '{' && At(i) != '[') return i + 1;
    size_t depth = 0;
    for (; i < count_; ++i) {
      const char c = At(i);
      if (c == '{' || c == '[') {
        ++depth;
      } else if ((c == '}' || c == ']') && --depth == 0) {
        return i + 1;
      }
    }
    return count_;
  }

 private:
  std::string_view text_;
  const uint32_t* offsets_;
  uint32_t count_;
};

}  // namespace

Status RequestBody::Parse(RequestText text) {
  text_ = text.text();
  // Without the padding, simdjson copies the text into a padded buffer of the
  // parser's, kept from request to request like the rest of it.
  const bool padded = text.capacity() - text_.size() >= simdjson::SIMDJSON_PADDING;
  simdjson::dom::element root;
  if (const auto error =
          ThreadParser().parse(text_.data(), text_.size(), /*realloc_if_needed=*/!padded).get(root);
      error != simdjson::SUCCESS) {
    return Status::BadRequest("request body is not valid JSON")
        .WithCause(simdjson::error_message(error));
  }
  if (root.get_object().get(root_) != simdjson::SUCCESS) {
    return Status::BadRequest("request body must be a JSON object");
  }
  trimmed_size_ = TrimmedSize(text_);
  return Status::Ok();
}

Result<std::vector<size_t>> RequestBody::ArrayItemSizes(std::string_view key) const {
  // The DOM parse succeeded, so every mismatch here is a bug: report it
  // rather than guess.
  const auto mismatch = [&](std::string_view what) {
    return Status::Internal(fmt::format("sizing the items of '{}': {}", key, what));
  };
  const StructuralIndex index(text_, ThreadParser());
  if (index.At(0) != '{') return mismatch("the root is not an object");
  // The root's fields, each a key, ':', its value and ',' or '}', beside the
  // DOM's, which has the keys unescaped. The first match, as at_key's.
  uint32_t i = 1;
  std::optional<uint32_t> array;
  for (const simdjson::dom::key_value_pair field : root_) {
    if (index.At(i) != '"' || index.At(i + 1) != ':') return mismatch("a key is out of place");
    if (field.key == key) {
      array = i + 2;
      break;
    }
    const uint32_t next = index.SkipValue(i + 2);
    if (index.At(next) != ',' && index.At(next) != '}') return mismatch("a field is out of place");
    i = next + 1;
  }
  if (!array || index.At(*array) != '[') return mismatch("no such array");
  // An item runs from its first structural to the ',' or ']' after it.
  std::vector<size_t> sizes;
  i = *array + 1;
  if (index.At(i) == ']') return sizes;
  while (true) {
    const uint32_t end = index.SkipValue(i);
    const char delimiter = index.At(end);
    if (delimiter != ',' && delimiter != ']') return mismatch("an item is out of place");
    sizes.push_back(
        TrimmedSize(text_.substr(index.Offset(i), index.Offset(end) - index.Offset(i))));
    if (delimiter == ']') return sizes;
    i = end + 1;
  }
}

bool HasTopLevelKey(std::string_view json, std::string_view key) {
  const simdjson::padded_string text(json);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document document;
  simdjson::ondemand::object object;
  if (parser.iterate(text).get(document) != simdjson::SUCCESS ||
      document.get_object().get(object) != simdjson::SUCCESS) {
    return false;
  }
  for (auto field : object) {
    std::string_view field_key;
    if (field.unescaped_key().get(field_key) != simdjson::SUCCESS) return false;
    if (field_key == key) return true;
  }
  return false;
}

}  // namespace cdp::ingest
