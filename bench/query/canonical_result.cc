#include "canonical_result.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace cdp::bench {

namespace {

using simdjson::dom::element;

Status Malformed(std::string_view what) {
  return Status::BadRequest(fmt::format("the result has no {}", what));
}

std::string Funnel(element result) {
  std::string text;
  int step = 1;
  for (const element entry : result["steps"].get_array()) {
    text += fmt::format("{}\t{}\n", step++, int64_t(entry["persons"].get_int64()));
  }
  return text;
}

std::string Retention(element result) {
  std::string text;
  int cohort = 0;
  for (const element entry : result["cohorts"].get_array()) {
    for (const element value : entry["values"].get_array()) {
      const int64_t persons = value["persons"].get_int64();
      if (persons > 0) {
        text += fmt::format("{}\t{}\t{}\n", cohort, int64_t(value["period"].get_int64()), persons);
      }
    }
    ++cohort;
  }
  return text;
}

std::string Trends(element result) {
  std::vector<std::string> buckets;
  for (const element bucket : result["buckets"].get_array()) {
    buckets.push_back(std::string(std::string_view(bucket.get_string()).substr(0, 10)));
  }
  std::vector<std::string> lines;
  for (const element series : result["series"].get_array()) {
    std::string value;
    element breakdown;
    if (series["breakdown_value"].get(breakdown) == simdjson::SUCCESS && breakdown.is_string()) {
      value = std::string(std::string_view(breakdown.get_string()));
    }
    bool is_other = false;
    if (series["breakdown_other"].get(breakdown) == simdjson::SUCCESS && breakdown.is_bool()) {
      is_other = breakdown.get_bool();
    }
    if (is_other) value = "(other)";
    size_t i = 0;
    for (const element point : series["values"].get_array()) {
      const double number = point.is_number() ? double(point) : 0;
      if (number != 0 && i < buckets.size()) {
        lines.push_back(fmt::format("{}\t{}\t{}", buckets[i], value, std::llround(number)));
      }
      ++i;
    }
  }
  std::sort(lines.begin(), lines.end());
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

std::string Session(element result) {
  const int64_t sessions = result["sessions"].get_int64();
  const double average = result["duration_seconds"]["average"].is_number()
                             ? double(result["duration_seconds"]["average"])
                             : 0.0;
  // The data's times are whole milliseconds, so the total is too: rounding
  // the product only removes floating-point noise.
  return fmt::format("{}\t{}\n", sessions, std::llround(average * double(sessions) * 1000));
}

std::string Events(element result) {
  std::string text;
  for (const element row : result["events"].get_array()) {
    text += fmt::format("{}\n", std::string_view(row["message_id"].get_string()));
  }
  return text;
}

}  // namespace

Result<std::string> CanonicalResult(std::string_view kind, std::string_view request,
                                    std::string_view result) {
  (void)request;
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(result.data(), result.size()).get(root) != simdjson::SUCCESS) {
    return Malformed("valid JSON");
  }
  try {
    if (kind == "funnel") return Funnel(root);
    if (kind == "retention") return Retention(root);
    if (kind == "trends") return Trends(root);
    if (kind == "session") return Session(root);
    if (kind == "events") return Events(root);
  } catch (const simdjson::simdjson_error& error) {
    return Malformed(fmt::format("expected field ({})", error.what()));
  }
  return Status::BadRequest(fmt::format("no canonical form for {}", kind));
}

}  // namespace cdp::bench
