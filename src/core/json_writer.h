#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cdp {

// Appends `text` to `out` as the inside of a JSON string: quotes, backslashes
// and control characters escaped; invalid UTF-8 replaced by U+FFFD so that the
// output is always valid JSON whatever bytes a client sent.
void AppendJsonEscaped(std::string& out, std::string_view text);

// A streaming JSON writer that appends to a string. Commas are inserted
// automatically; the caller pairs Begin/End calls.
//
//   JsonWriter w;
//   w.BeginObject().Key("error").String("not found").EndObject();
//   w.str()  // {"error":"not found"}
class JsonWriter {
 public:
  JsonWriter() = default;
  explicit JsonWriter(std::string initial) : out_(std::move(initial)) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  // Non-finite values become null (JSON has no NaN or Infinity).
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Inserts already-serialized JSON as one value.
  JsonWriter& Raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string Take() && { return std::move(out_); }

 private:
  void BeforeValue();

  std::string out_;
  // One entry per open object/array: whether it already holds an element.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

}  // namespace cdp
