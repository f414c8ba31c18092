#include "ingest/request_body.h"

#include <fmt/format.h>

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

}  // namespace

Status RequestBody::Parse(std::string_view text) {
  text_ = simdjson::padded_string(text);
  simdjson::dom::element root;
  if (const auto error = ThreadParser().parse(text_).get(root); error != simdjson::SUCCESS) {
    return Status::BadRequest("request body is not valid JSON")
        .WithCause(simdjson::error_message(error));
  }
  if (root.get_object().get(root_) != simdjson::SUCCESS) {
    return Status::BadRequest("request body must be a JSON object");
  }
  trimmed_size_ = TrimmedSize(text);
  return Status::Ok();
}

Result<std::vector<size_t>> RequestBody::ArrayItemSizes(std::string_view key) const {
  // The text is valid JSON (the DOM parse said so), so every error here is a
  // bug; report it rather than guess.
  const auto failed = [](simdjson::error_code error) {
    return Status::Internal(fmt::format("sizing batch items: {}", simdjson::error_message(error)));
  };
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document document;
  simdjson::ondemand::object object;
  const size_t capacity = text_.size() + simdjson::SIMDJSON_PADDING;  // padded_string's
  if (auto error = parser.iterate(text_.data(), text_.size(), capacity).get(document); error) {
    return failed(error);
  }
  if (auto error = document.get_object().get(object); error) return failed(error);
  // Compare unescaped keys and stop at the first match, as the DOM's at_key does.
  for (auto field : object) {
    std::string_view field_key;
    if (auto error = field.unescaped_key().get(field_key); error) return failed(error);
    if (field_key != key) continue;
    simdjson::ondemand::array array;
    if (auto error = field.value().get_array().get(array); error) return failed(error);
    std::vector<size_t> sizes;
    for (auto item : array) {
      simdjson::ondemand::value value;
      simdjson::ondemand::json_type type;
      if (auto error = item.get(value); error) return failed(error);
      if (auto error = value.type().get(type); error) return failed(error);
      std::string_view raw;
      if (type == simdjson::ondemand::json_type::object) {
        simdjson::ondemand::object item_object;
        if (auto error = value.get_object().get(item_object); error) return failed(error);
        if (auto error = item_object.raw_json().get(raw); error) return failed(error);
      } else if (type == simdjson::ondemand::json_type::array) {
        simdjson::ondemand::array item_array;
        if (auto error = value.get_array().get(item_array); error) return failed(error);
        if (auto error = item_array.raw_json().get(raw); error) return failed(error);
      } else {
        raw = value.raw_json_token();
      }
      sizes.push_back(TrimmedSize(raw));
    }
    return sizes;
  }
  return Status::Internal(fmt::format("sizing batch items: no array '{}'", key));
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
