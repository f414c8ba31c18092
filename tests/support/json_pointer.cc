#include "support/json_pointer.h"

#include <simdjson.h>

namespace cdp::testing {

std::string JsonAt(std::string_view json, std::string_view pointer) {
  simdjson::dom::parser parser;
  simdjson::dom::element value;
  if (parser.parse(json.data(), json.size()).at_pointer(pointer).get(value) != simdjson::SUCCESS) {
    return "";
  }
  return simdjson::minify(value);
}

std::string StringAt(std::string_view json, std::string_view pointer) {
  simdjson::dom::parser parser;
  std::string_view value;
  if (parser.parse(json.data(), json.size()).at_pointer(pointer).get_string().get(value) !=
      simdjson::SUCCESS) {
    return "";
  }
  return std::string(value);
}

}  // namespace cdp::testing
