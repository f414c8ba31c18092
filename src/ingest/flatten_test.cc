#include "ingest/flatten.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "core/iso8601.h"
#include "core/json_writer.h"
#include "ingest/property_test_util.h"

namespace cdp::ingest {
namespace {

struct Flattened {
  Status status;
  std::vector<Property> properties;
};

Flattened Flatten(std::string_view json) {
  simdjson::dom::parser parser;
  const simdjson::padded_string text(json);
  simdjson::dom::object object = parser.parse(text).get_object().value();
  Flattened out;
  out.status = FlattenObject(object, "properties", out.properties);
  return out;
}

Flattened FlattenOver(std::string_view json, std::string_view defaults_json) {
  simdjson::dom::parser parser, defaults_parser;
  const simdjson::padded_string text(json), defaults_text(defaults_json);
  simdjson::dom::object object = parser.parse(text).get_object().value();
  simdjson::dom::object defaults = defaults_parser.parse(defaults_text).get_object().value();
  Flattened out;
  out.status = FlattenMerged(object, "context", defaults, "batch_context", out.properties);
  return out;
}

TEST(FlattenTest, ConvertsEachJsonType) {
  Flattened out =
      Flatten(R"({"plan":"pro","seats":3,"price":9.5,"big":18446744073709551615,"trial":false,)"
              R"("coupon":null,"tags":["a", 1, {"b": null}],"empty":[]})");
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(Describe(out.properties), (PropertyMap{{"plan", "s:pro"},
                                                   {"seats", "n:3"},
                                                   {"price", "n:9.5"},
                                                   {"big", "n:1.8446744073709552e+19"},
                                                   {"trial", "b:false"},
                                                   {"coupon", "null"},
                                                   {"tags", R"(s:["a",1,{"b":null}])"},
                                                   {"empty", "s:[]"}}));
}

TEST(FlattenTest, KeepsDocumentOrder) {
  Flattened out = Flatten(R"({"b":1,"a":{"z":1,"y":2},"c":3})");
  ASSERT_TRUE(out.status.ok());
  std::vector<std::string> names;
  for (const Property& property : out.properties) names.push_back(property.name);
  EXPECT_EQ(names, (std::vector<std::string>{"b", "a_z", "a_y", "c"}));
}

TEST(FlattenTest, JoinsNestedNamesAndDropsEmptyObjects) {
  Flattened out = Flatten(
      R"({"address":{"streetName":"Main","geo":{"lat":1.5,"Lng":-2}},"$meta":{},"userID2":"x"})");
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(Describe(out.properties), (PropertyMap{{"address_street_name", "s:Main"},
                                                   {"address_geo_lat", "n:1.5"},
                                                   {"address_geo_lng", "n:-2"},
                                                   {"user_id2", "s:x"}}));
}

TEST(FlattenTest, MarksIso8601DateTimes) {
  Flattened out =
      Flatten(R"({"a":"2024-05-01T10:00:00Z","b":"2024-05-01T12:00:00.5+02:00","c":"2024-05-01",)"
              R"("d":"10:00:00","e":"2024-05-01T10:00:00"})");
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(Describe(out.properties), (PropertyMap{{"a", "t:2024-05-01T10:00:00Z"},
                                                   {"b", "t:2024-05-01T12:00:00.5+02:00"},
                                                   {"c", "s:2024-05-01"},
                                                   {"d", "s:10:00:00"},
                                                   {"e", "t:2024-05-01T10:00:00"}}));
  EXPECT_EQ(out.properties[1].timestamp, *ParseIso8601("2024-05-01T10:00:00.500Z"));
  EXPECT_EQ(out.properties[1].type(), PropertyType::kTimestamp);
}

TEST(FlattenTest, RefusesCollidingNamesAtTheSecondKey) {
  Flattened out = Flatten(R"({"first_name":"a","firstName":"b"})");
  EXPECT_EQ(out.status.code(), ErrorCode::kBadRequest);
  EXPECT_EQ(out.status.field(), "properties.firstName");
  EXPECT_NE(out.status.message().find("'first_name'"), std::string::npos) << out.status.message();

  out = Flatten(R"({"a_b":1,"a":{"c":2,"B":3}})");
  EXPECT_EQ(out.status.field(), "properties.a.B");

  out = Flatten(R"({"plan":1,"plan":2})");
  EXPECT_EQ(out.status.field(), "properties.plan");
}

TEST(FlattenTest, RefusesNamesWithoutLetterOrDigit) {
  Flattened out = Flatten(R"({"ok":{"$":1}})");
  EXPECT_EQ(out.status.code(), ErrorCode::kBadRequest);
  EXPECT_EQ(out.status.field(), "properties.ok.$");
  EXPECT_EQ(Flatten(R"({"":1})").status.field(), "properties.");
}

// {"l1":{"l2":...{"l<depth>":1}}}
std::string Nested(int depth) {
  std::string json;
  for (int i = 1; i <= depth; ++i) json += "{\"l" + std::to_string(i) + "\":";
  json += "1";
  json += std::string(depth, '}');
  return json;
}

TEST(FlattenTest, CapsNestingAtTenLevels) {
  Flattened ok = Flatten(Nested(10));
  ASSERT_TRUE(ok.status.ok()) << ok.status.ToString();
  EXPECT_EQ(ok.properties.at(0).name, "l1_l2_l3_l4_l5_l6_l7_l8_l9_l10");

  Flattened deep = Flatten(Nested(11));
  EXPECT_EQ(deep.status.code(), ErrorCode::kBadRequest);
  EXPECT_EQ(deep.status.field(), "properties.l1.l2.l3.l4.l5.l6.l7.l8.l9.l10.l11");
}

TEST(FlattenTest, SkipsListedTopLevelKeys) {
  simdjson::dom::parser parser;
  const simdjson::padded_string text(std::string_view(R"({"$set":{"a":1},"b":{"$set":2}})"));
  std::vector<Property> out;
  constexpr std::string_view kSkip[] = {"$set"};
  ASSERT_TRUE(FlattenObject(parser.parse(text).get_object().value(), "p", out, kSkip).ok());
  EXPECT_EQ(Describe(out), (PropertyMap{{"b_set", "n:2"}}));
}

TEST(FlattenMergedTest, DeepMergesTheObjectOverItsDefaults) {
  Flattened out = FlattenOver(R"({"library":{"version":"2"},"locale":"en","page":"home"})",
                              R"({"library":{"name":"js","version":"1"},"ip":"1.2.3.4",)"
                              R"("page":{"url":"https://x"}})");
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(Describe(out.properties), (PropertyMap{{"library_version", "s:2"},
                                                   {"library_name", "s:js"},
                                                   {"locale", "s:en"},
                                                   {"page", "s:home"},
                                                   {"ip", "s:1.2.3.4"}}));
}

TEST(FlattenMergedTest, ObjectWinsOnFlattenedNamesToo) {
  // "userAgent" and "user_agent" are different keys but one name.
  Flattened out =
      FlattenOver(R"({"userAgent":"mine","ip":null})", R"({"user_agent":"batch","ip":"1.2.3.4"})");
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(Describe(out.properties), (PropertyMap{{"user_agent", "s:mine"}, {"ip", "null"}}));

  // The default came first (merged inside "page"), the object's key later.
  out = FlattenOver(R"({"page":{"url":"u"},"page_path":"/mine"})", R"({"page":{"path":"/x"}})");
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(Describe(out.properties), (PropertyMap{{"page_url", "s:u"}, {"page_path", "s:/mine"}}));
}

TEST(FlattenMergedTest, ReportsErrorsWhereTheyWereSent) {
  Flattened out = FlattenOver(R"({"a":1,"A":2})", R"({})");
  EXPECT_EQ(out.status.field(), "context.A");
  out = FlattenOver(R"({})", R"({"a":1,"A":2})");
  EXPECT_EQ(out.status.field(), "batch_context.A");
}

// Writes random nested objects whose keys come in every spelling the
// snake_case rule folds (camelCase, PascalCase, spaces, dashes, "$"), each
// with a unique word so that names never collide, and records the expected
// flattened name and value of every leaf.
class RandomObjectWriter {
 public:
  explicit RandomObjectWriter(uint32_t seed) : rng_(seed) {}

  // The deepest level of keys written so far.
  size_t max_depth() const { return max_depth_; }

  void Object(size_t depth, const std::string& prefix, std::string& json, PropertyMap& expected) {
    max_depth_ = std::max(max_depth_, depth);
    json += '{';
    const int keys = Uniform(0, depth == 1 ? 8 : 4);
    for (int i = 0; i < keys; ++i) {
      if (i > 0) json += ',';
      std::string snake;
      json += '"' + Key(snake) + "\":";
      const std::string name = prefix.empty() ? snake : prefix + "_" + snake;
      if (depth < kMaxPropertyDepth && Uniform(0, 9) < 3) {
        Object(depth + 1, name, json, expected);
      } else {
        Leaf(name, json, expected);
      }
    }
    json += '}';
  }

 private:
  int Uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }

  static std::string Capitalized(std::string word) {
    word[0] = static_cast<char>(word[0] - 'a' + 'A');
    return word;
  }

  // A key as sent; `snake` gets its snake_case form.
  std::string Key(std::string& snake) {
    static const char* const kWords[] = {"first", "name", "user", "id", "page", "url", "zip", "ok"};
    std::vector<std::string> words;
    for (int i = Uniform(1, 3); i > 0; --i) words.push_back(kWords[Uniform(0, 7)]);
    words.push_back("n" + std::to_string(next_id_++));
    snake.clear();
    for (const std::string& word : words) snake += (snake.empty() ? "" : "_") + word;
    std::string key;
    const int style = Uniform(0, 5);
    for (size_t i = 0; i < words.size(); ++i) {
      switch (style) {
        case 0:  // snake_case
          key += (i ? "_" : "") + words[i];
          break;
        case 1:  // camelCase
          key += i ? Capitalized(words[i]) : words[i];
          break;
        case 2:  // PascalCase
          key += Capitalized(words[i]);
          break;
        case 3:  // Title Words
          key += (i ? " " : "") + Capitalized(words[i]);
          break;
        case 4:  // kebab-case
          key += (i ? "-" : "") + words[i];
          break;
        default:  // $prefixed
          key += (i ? "_" : "$") + words[i];
          break;
      }
    }
    return key;
  }

  void Leaf(const std::string& name, std::string& json, PropertyMap& expected) {
    switch (Uniform(0, 7)) {
      case 0: {
        const int value = Uniform(-1000, 1000);
        json += std::to_string(value);
        expected[name] = "n:" + std::to_string(value);
        break;
      }
      case 1: {
        const std::string value = fmt::format("{}", Uniform(-4000, 4000) / 8.0);
        json += value;
        expected[name] = "n:" + value;
        break;
      }
      case 2: {
        const bool value = Uniform(0, 1) == 1;
        json += value ? "true" : "false";
        expected[name] = value ? "b:true" : "b:false";
        break;
      }
      case 3:
        json += "null";
        expected[name] = "null";
        break;
      case 4: {
        static const char* const kPieces[] = {"a",  "Z", " ",  "0",       "\"",
                                              "\\", "/", "\t", "\xc3\xa9"};
        std::string value;
        for (int i = Uniform(0, 12); i > 0; --i) value += kPieces[Uniform(0, 8)];
        json += '"';
        AppendJsonEscaped(json, value);
        json += '"';
        expected[name] = "s:" + value;
        break;
      }
      case 5: {
        const std::string value =
            fmt::format("2024-0{}-1{}T0{}:30:00Z", Uniform(1, 9), Uniform(0, 9), Uniform(0, 9));
        json += '"' + value + '"';
        expected[name] = "t:" + value;
        break;
      }
      case 6: {
        const std::string value = fmt::format(R"([{},"x",[true,null]])", Uniform(0, 99));
        json += value;
        expected[name] = "s:" + value;
        break;
      }
      default:
        json += "{}";  // an empty object: no property at all
        break;
    }
  }

  std::mt19937 rng_;
  int next_id_ = 0;
  size_t max_depth_ = 0;
};

TEST(FlattenRandomTest, EveryLeafAppearsOnceUnderItsExpectedName) {
  size_t leaves = 0, deepest = 0;
  for (uint32_t seed = 1; seed <= 500; ++seed) {
    RandomObjectWriter writer(seed);
    std::string json;
    PropertyMap expected;
    writer.Object(1, "", json, expected);
    Flattened out = Flatten(json);
    ASSERT_TRUE(out.status.ok()) << "seed " << seed << ": " << out.status.ToString() << "\n"
                                 << json;
    ASSERT_EQ(out.properties.size(), expected.size()) << "seed " << seed << "\n" << json;
    ASSERT_EQ(Describe(out.properties), expected) << "seed " << seed << "\n" << json;
    leaves += expected.size();
    deepest = std::max(deepest, writer.max_depth());
  }
  // The generator really covers the ground: many leaves, some at the depth cap.
  EXPECT_GT(leaves, 2000u);
  EXPECT_EQ(deepest, kMaxPropertyDepth);
}

}  // namespace
}  // namespace cdp::ingest
