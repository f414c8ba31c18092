#include "queries/json_difference.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>

#include "core/json_writer.h"

namespace cdp::query::cases {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::string Text(element value) { return simdjson::minify(value); }

std::string Where(const std::string& path) { return path.empty() ? "(the result)" : path; }

bool IsNumber(element value) {
  const element_type type = value.type();
  return type == element_type::INT64 || type == element_type::UINT64 ||
         type == element_type::DOUBLE;
}

class Differ {
 public:
  Differ(double tolerance, size_t max) : tolerance_(tolerance), max_(max) {}

  void Compare(element actual, element expected, const std::string& path) {
    if (Full()) return;
    if (IsNumber(actual) && IsNumber(expected)) {
      const double a = double(actual);
      const double e = double(expected);
      if (std::fabs(a - e) > tolerance_ * std::max({1.0, std::fabs(a), std::fabs(e)})) {
        Add(fmt::format("{}: got {}, expected {}", Where(path), Text(actual), Text(expected)));
      }
      return;
    }
    if (actual.type() != expected.type()) {
      Add(fmt::format("{}: got {}, expected {}", Where(path), Text(actual), Text(expected)));
      return;
    }
    if (expected.is_object()) {
      CompareObjects(actual.get_object().value_unsafe(), expected.get_object().value_unsafe(),
                     path);
    } else if (expected.is_array()) {
      CompareArrays(actual.get_array().value_unsafe(), expected.get_array().value_unsafe(), path);
    } else if (Text(actual) != Text(expected)) {
      Add(fmt::format("{}: got {}, expected {}", Where(path), Text(actual), Text(expected)));
    }
  }

  void Add(std::string line) {
    if (lines_.size() < max_) {
      lines_.push_back(std::move(line));
    } else if (!truncated_) {
      truncated_ = true;
      lines_.push_back("... (more differences)");
    }
  }

  std::vector<std::string> Take() && { return std::move(lines_); }

 private:
  bool Full() const { return truncated_; }

  static std::string Child(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
  }

  void CompareObjects(simdjson::dom::object actual, simdjson::dom::object expected,
                      const std::string& path) {
    for (const auto field : expected) {
      element value;
      if (actual.at_key(field.key).get(value) != simdjson::SUCCESS) {
        Add(fmt::format("{}: missing (expected {})", Child(path, field.key), Text(field.value)));
        continue;
      }
      Compare(value, field.value, Child(path, field.key));
    }
    for (const auto field : actual) {
      element value;
      if (expected.at_key(field.key).get(value) != simdjson::SUCCESS) {
        Add(fmt::format("{}: not expected (got {})", Child(path, field.key), Text(field.value)));
      }
    }
  }

  void CompareArrays(simdjson::dom::array actual, simdjson::dom::array expected,
                     const std::string& path) {
    const size_t a = actual.size();
    const size_t e = expected.size();
    if (a != e) Add(fmt::format("{}: {} elements, expected {}", Where(path), a, e));
    for (size_t i = 0; i < std::min(a, e); ++i) {
      Compare(actual.at(i).value_unsafe(), expected.at(i).value_unsafe(),
              fmt::format("{}[{}]", path, i));
    }
    for (size_t i = e; i < a; ++i) {
      Add(fmt::format("{}[{}]: not expected (got {})", path, i, Text(actual.at(i).value_unsafe())));
    }
    for (size_t i = a; i < e; ++i) {
      Add(fmt::format("{}[{}]: missing (expected {})", path, i,
                      Text(expected.at(i).value_unsafe())));
    }
  }

  const double tolerance_;
  const size_t max_;
  bool truncated_ = false;
  std::vector<std::string> lines_;
};

void Indent(std::string& out, int depth) {
  out += '\n';
  out.append(size_t(depth) * 2, ' ');
}

void Pretty(element value, int depth, std::string& out) {
  if (value.is_object()) {
    const simdjson::dom::object object = value.get_object().value_unsafe();
    if (object.size() == 0) {
      out += "{}";
      return;
    }
    out += '{';
    bool first = true;
    for (const auto field : object) {
      if (!first) out += ',';
      first = false;
      Indent(out, depth + 1);
      out += '"';
      AppendJsonEscaped(out, field.key);
      out += "\": ";
      Pretty(field.value, depth + 1, out);
    }
    Indent(out, depth);
    out += '}';
  } else if (value.is_array()) {
    const simdjson::dom::array array = value.get_array().value_unsafe();
    // Arrays of scalars stay on one line: bucket labels, counts.
    bool scalars = true;
    for (const element item : array) scalars = scalars && !item.is_object() && !item.is_array();
    if (scalars) {
      out += Text(value);
      return;
    }
    out += '[';
    bool first = true;
    for (const element item : array) {
      if (!first) out += ',';
      first = false;
      Indent(out, depth + 1);
      Pretty(item, depth + 1, out);
    }
    Indent(out, depth);
    out += ']';
  } else {
    out += Text(value);
  }
}

}  // namespace

std::vector<std::string> JsonDifferences(std::string_view actual, std::string_view expected,
                                         double tolerance, size_t max_differences) {
  simdjson::dom::parser actual_parser;
  simdjson::dom::parser expected_parser;
  element a;
  element e;
  if (actual_parser.parse(actual.data(), actual.size()).get(a) != simdjson::SUCCESS) {
    return {fmt::format("the result is not valid JSON: {}", actual)};
  }
  if (expected_parser.parse(expected.data(), expected.size()).get(e) != simdjson::SUCCESS) {
    return {fmt::format("the expected result is not valid JSON: {}", expected)};
  }
  Differ differ(tolerance, std::max<size_t>(1, max_differences));
  differ.Compare(a, e, "");
  return std::move(differ).Take();
}

std::string PrettyJson(std::string_view json) {
  simdjson::dom::parser parser;
  element value;
  if (parser.parse(json.data(), json.size()).get(value) != simdjson::SUCCESS) {
    return std::string(json);
  }
  std::string out;
  Pretty(value, 0, out);
  return out;
}

}  // namespace cdp::query::cases
