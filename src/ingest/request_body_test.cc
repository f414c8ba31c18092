#include "ingest/request_body.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

namespace cdp::ingest {
namespace {

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t TrimmedSize(std::string_view text) {
  while (!text.empty() && IsJsonWhitespace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsJsonWhitespace(text.back())) text.remove_suffix(1);
  return text.size();
}

// The sizes as simdjson's On-Demand parser finds them (raw_json), a second
// parse of the text: the reference ArrayItemSizes must agree with.
std::vector<size_t> OnDemandItemSizes(std::string_view json, std::string_view key) {
  const simdjson::padded_string text(json);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document document = parser.iterate(text);
  for (auto field : document.get_object()) {
    if (std::string_view(field.unescaped_key()) != key) continue;
    std::vector<size_t> sizes;
    for (simdjson::ondemand::value item : field.value().get_array()) {
      std::string_view raw;
      switch (item.type()) {
        case simdjson::ondemand::json_type::object:
          raw = simdjson::ondemand::object(item.get_object()).raw_json();
          break;
        case simdjson::ondemand::json_type::array:
          raw = simdjson::ondemand::array(item.get_array()).raw_json();
          break;
        default:
          raw = item.raw_json_token();
      }
      sizes.push_back(TrimmedSize(raw));
    }
    return sizes;
  }
  ADD_FAILURE() << "no " << key << " in " << json;
  return {};
}

// A random JSON body with a "batch" array among other fields: whitespace
// anywhere, strings full of brackets, commas, quotes and escapes, nested
// containers, keys escaped or repeated.
class RandomBody {
 public:
  explicit RandomBody(uint32_t seed) : rng_(seed) {}

  std::string Next() {
    std::string body = Space() + "{" + Space();
    const int before = Pick(3), after = Pick(3);
    bool first = true;
    const auto field = [&](const std::string& key, const std::string& value) {
      if (!first) body += Space() + "," + Space();
      first = false;
      body += key + Space() + ":" + Space() + value;
    };
    for (int i = 0; i < before; ++i) field(Pick(4) ? String() : "\"batc\"", Value(1));
    std::string items = "[" + Space();
    for (int i = 0, n = Pick(8); i < n; ++i) items += (i ? Space() + "," + Space() : "") + Value(1);
    field(Pick(3) ? "\"batch\"" : "\"\\u0062atch\"", items + Space() + "]");
    // A later "batch" is not the one the DOM's at_key finds.
    for (int i = 0; i < after; ++i) field(Pick(3) ? String() : "\"batch\"", Value(1));
    return body + Space() + "}" + Space();
  }

 private:
  int Pick(int n) { return static_cast<int>(rng_() % n); }

  std::string Space() {
    static const char* const kSpaces[] = {"", "", "", " ", "\n", "\t", "  \r\n ", "\n    "};
    return kSpaces[Pick(8)];
  }

  std::string String() {
    static const char* const kParts[] = {"a",       "]",   "}",     ",",    ":",
                                         "[",       "{",   "\\\"",  "\\\\", "é",
                                         "\\u0041", "\\n", "batch", "\\/",  " x "};
    std::string text = "\"";
    for (int i = 0, n = Pick(6); i < n; ++i) text += kParts[Pick(15)];
    // Not "batch" itself: the batch's key comes first (see Next).
    return text == "\"batch" ? "\"batcH\"" : text + "\"";
  }

  std::string Value(int depth) {
    static const char* const kScalars[] = {
        "0", "-1", "3.25", "1e5", "-0.5E-3", "true", "false", "null", "1234567890123456789"};
    switch (Pick(depth > 3 ? 2 : 4)) {
      case 0:
        return String();
      case 1:
        return kScalars[Pick(9)];
      case 2: {
        std::string object = "{" + Space();
        for (int i = 0, n = Pick(4); i < n; ++i) {
          object += (i ? Space() + "," + Space() : "") + String() + Space() + ":" + Space() +
                    Value(depth + 1);
        }
        return object + Space() + "}";
      }
      default: {
        std::string array = "[" + Space();
        for (int i = 0, n = Pick(4); i < n; ++i) {
          array += (i ? Space() + "," + Space() : "") + Value(depth + 1);
        }
        return array + Space() + "]";
      }
    }
  }

  std::mt19937 rng_;
};

// Sizes `count` random bodies both ways; the number that agreed.
int CompareWithOnDemand(uint32_t seed, int count) {
  RandomBody bodies(seed);
  int agreed = 0;
  for (int i = 0; i < count; ++i) {
    const std::string body = bodies.Next();
    RequestBody request;
    EXPECT_TRUE(request.Parse(body).ok()) << body;
    Result<std::vector<size_t>> sizes = request.ArrayItemSizes("batch");
    EXPECT_TRUE(sizes.ok()) << sizes.status().ToString() << " on " << body;
    if (!sizes.ok()) continue;
    EXPECT_EQ(*sizes, OnDemandItemSizes(body, "batch")) << body;
    if (*sizes == OnDemandItemSizes(body, "batch")) ++agreed;
  }
  return agreed;
}

TEST(RequestBodyTest, ItemSizesAreTheItemsAsWritten) {
  const std::string body = R"({"a":{"batch":[1]},"batch" : [ {"k": "v ]}, \"x"} ,
      [1, [2]],"s\"]" , 12.5e3, true ,null, {} ,[]
    ], "z": 1})";
  RequestBody request;
  ASSERT_TRUE(request.Parse(body).ok());
  Result<std::vector<size_t>> sizes = request.ArrayItemSizes("batch");
  ASSERT_TRUE(sizes.ok()) << sizes.status().ToString();
  EXPECT_EQ(*sizes, (std::vector<size_t>{18, 8, 6, 6, 4, 4, 2, 2}));

  RequestBody empty;
  ASSERT_TRUE(empty.Parse(R"({"batch":[ ]})").ok());
  EXPECT_EQ(empty.ArrayItemSizes("batch").value(), std::vector<size_t>{});
}

TEST(RequestBodyTest, ItemSizesAgreeWithOnDemandOnRandomBodies) {
  EXPECT_EQ(CompareWithOnDemand(1, 3000), 3000);
}

// simdjson picks its kernel by CPU (icelake, haswell, westmere, fallback):
// the structural index ArrayItemSizes reads must be the same from each.
TEST(RequestBodyTest, ItemSizesAgreeWithOnDemandWithEveryKernel) {
  const simdjson::implementation* const active = simdjson::get_active_implementation();
  for (const simdjson::implementation* kernel : simdjson::get_available_implementations()) {
    if (!kernel->supported_by_runtime_system()) continue;
    simdjson::get_active_implementation() = kernel;
    int agreed = 0;
    // A new thread, for a new thread-local parser with this kernel.
    std::thread([&] { agreed = CompareWithOnDemand(2, 500); }).join();
    EXPECT_EQ(agreed, 500) << kernel->name();
  }
  simdjson::get_active_implementation() = active;
}

TEST(RequestBodyTest, ReadsPaddedTextInPlaceAndOnlyUpToItsSize) {
  const std::string json = R"({"batch":[{"a":"b"}, 1]})";
  std::string padded;
  padded.reserve(json.size() + 2 * simdjson::SIMDJSON_PADDING);
  // What lies in the spare capacity is never read as part of the text.
  padded = json + R"(,{"x":[)" + std::string(70, '{');
  padded.resize(json.size());
  ASSERT_GE(padded.capacity() - padded.size(), simdjson::SIMDJSON_PADDING);
  for (const RequestText text : {RequestText(padded), RequestText(std::string_view(json))}) {
    RequestBody request;
    ASSERT_TRUE(request.Parse(text).ok());
    EXPECT_EQ(request.size(), json.size());
    EXPECT_EQ(request.ArrayItemSizes("batch").value(), (std::vector<size_t>{9, 1}));
  }
  RequestBody truncated;
  EXPECT_FALSE(truncated.Parse(std::string_view(json).substr(0, json.size() - 1)).ok());
}

}  // namespace
}  // namespace cdp::ingest
