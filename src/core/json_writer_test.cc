#include "core/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace cdp {
namespace {

std::string Escaped(std::string_view text) {
  std::string out;
  AppendJsonEscaped(out, text);
  return out;
}

// Whether `text` is well-formed UTF-8 (no overlongs, surrogates or values
// beyond U+10FFFF), checked independently of the code under test.
bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t length;
    uint32_t code;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      length = 2, code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3, code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4, code = c & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    const uint32_t min_code = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
    if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

TEST(JsonWriterTest, EmptyContainers) {
  EXPECT_EQ(JsonWriter().BeginObject().EndObject().str(), "{}");
  EXPECT_EQ(JsonWriter().BeginArray().EndArray().str(), "[]");
}

TEST(JsonWriterTest, ObjectWithCommas) {
  JsonWriter w;
  w.BeginObject().Key("error").String("not found").Key("code").Int(404).Key("ok").Bool(false);
  w.Key("none").Null().EndObject();
  EXPECT_EQ(w.str(), R"({"error":"not found","code":404,"ok":false,"none":null})");
}

TEST(JsonWriterTest, NestedObjectsAndArrays) {
  JsonWriter w;
  w.BeginObject()
      .Key("results")
      .BeginArray()
      .BeginObject()
      .Key("id")
      .Int(1)
      .Key("tags")
      .BeginArray()
      .String("a")
      .String("b")
      .EndArray()
      .EndObject()
      .BeginObject()
      .Key("id")
      .Int(2)
      .Key("tags")
      .BeginArray()
      .EndArray()
      .Key("meta")
      .BeginObject()
      .EndObject()
      .EndObject()
      .EndArray()
      .Key("next_cursor")
      .Null()
      .Key("matrix")
      .BeginArray()
      .BeginArray()
      .Int(1)
      .Int(2)
      .EndArray()
      .BeginArray()
      .Int(3)
      .EndArray()
      .EndArray()
      .EndObject();
  EXPECT_EQ(w.str(), R"({"results":[{"id":1,"tags":["a","b"]},{"id":2,"tags":[],"meta":{}}],)"
                     R"("next_cursor":null,"matrix":[[1,2],[3]]})");
}

TEST(JsonWriterTest, TopLevelScalar) {
  EXPECT_EQ(JsonWriter().String("x").str(), R"("x")");
  EXPECT_EQ(JsonWriter().Int(-5).str(), "-5");
}

TEST(JsonWriterTest, AppendsToInitialText) {
  JsonWriter w("data: ");
  w.BeginArray().Int(1).EndArray();
  EXPECT_EQ(std::move(w).Take(), "data: [1]");
}

TEST(JsonWriterTest, KeysAreEscaped) {
  JsonWriter w;
  w.BeginObject().Key("a\"b").Int(1).EndObject();
  EXPECT_EQ(w.str(), R"({"a\"b":1})");
}

TEST(JsonWriterTest, EscapesQuotesBackslashAndControlCharacters) {
  EXPECT_EQ(Escaped("say \"hi\""), R"(say \"hi\")");
  EXPECT_EQ(Escaped("C:\\path"), R"(C:\\path)");
  EXPECT_EQ(Escaped("a\nb\rc\td\be\ff"), R"(a\nb\rc\td\be\ff)");
  EXPECT_EQ(Escaped("\x01"), "\\u0001");
  EXPECT_EQ(Escaped("\x1f"), "\\u001f");
  EXPECT_EQ(Escaped(std::string_view("a\0b", 3)), "a\\u0000b");
  EXPECT_EQ(Escaped("\x7f"), "\x7f");  // DEL is allowed raw in JSON
  EXPECT_EQ(Escaped("/"), "/");
  EXPECT_EQ(Escaped(""), "");
}

TEST(JsonWriterTest, EscapesEveryControlCharacter) {
  for (int c = 0; c < 0x20; ++c) {
    const std::string out = Escaped(std::string(1, static_cast<char>(c)));
    ASSERT_EQ(out.front(), '\\') << c;
    for (char e : out) ASSERT_GE(static_cast<unsigned char>(e), 0x20) << c;
  }
}

TEST(JsonWriterTest, ValidUtf8PassesThrough) {
  EXPECT_EQ(Escaped("caf\xC3\xA9"), "caf\xC3\xA9");              // é
  EXPECT_EQ(Escaped("\xE2\x82\xAC"), "\xE2\x82\xAC");            // €
  EXPECT_EQ(Escaped("\xF0\x9F\x98\x80!"), "\xF0\x9F\x98\x80!");  // 😀
  EXPECT_EQ(Escaped("\xF4\x8F\xBF\xBF"), "\xF4\x8F\xBF\xBF");    // U+10FFFF
  EXPECT_EQ(Escaped("\xEF\xBF\xBD"), "\xEF\xBF\xBD");            // U+FFFD itself
  EXPECT_EQ(Escaped("\xC3\xA9\"\xC3\xA9"), "\xC3\xA9\\\"\xC3\xA9");
}

TEST(JsonWriterTest, LoneInvalidByteBecomesReplacement) {
  const std::string input = {'a', '\xFF', 'b'};
  std::string expected = "a";
  expected.append(kReplacement).append("b");
  EXPECT_EQ(Escaped(input), expected);
  EXPECT_EQ(Escaped("\x80"), kReplacement);  // stray continuation byte
  EXPECT_EQ(Escaped("\xFE"), kReplacement);
}

TEST(JsonWriterTest, TruncatedSequenceBecomesReplacement) {
  for (std::string_view input : {"\xE2\x82", "x\xE2\x82y", "\xF0\x9F\x98", "\xC3", "\xC3 ok"}) {
    const std::string out = Escaped(input);
    EXPECT_TRUE(IsValidUtf8(out)) << out;
    EXPECT_NE(out.find(kReplacement), std::string::npos) << out;
  }
  EXPECT_EQ(Escaped("\xC3 ok"), std::string(kReplacement) + " ok");
  // The ASCII after a truncated sequence is kept, not swallowed.
  const std::string out = Escaped("x\xE2\x82y");
  EXPECT_TRUE(out.starts_with("x")) << out;
  EXPECT_TRUE(out.ends_with("y")) << out;
}

TEST(JsonWriterTest, OverlongEncodingBecomesReplacement) {
  const std::string two = Escaped("\xC0\x80");  // overlong NUL
  EXPECT_TRUE(IsValidUtf8(two));
  EXPECT_NE(two.find(kReplacement), std::string::npos);
  EXPECT_EQ(two.find('\0'), std::string::npos);
  const std::string three = Escaped("\xE0\x80\xAF");  // overlong '/'
  EXPECT_TRUE(IsValidUtf8(three));
  EXPECT_EQ(three.find('/'), std::string::npos);
  EXPECT_NE(three.find(kReplacement), std::string::npos);
  const std::string four = Escaped("\xF0\x82\x82\xAC");  // overlong €
  EXPECT_TRUE(IsValidUtf8(four));
  EXPECT_NE(four.find(kReplacement), std::string::npos);
}

TEST(JsonWriterTest, SurrogateBecomesReplacement) {
  const std::string out = Escaped("a\xED\xA0\x80z");  // U+D800 encoded directly
  EXPECT_TRUE(IsValidUtf8(out)) << out;
  EXPECT_NE(out.find(kReplacement), std::string::npos);
  EXPECT_EQ(out.find("\xED\xA0\x80"), std::string::npos);
  EXPECT_TRUE(out.starts_with("a"));
  EXPECT_TRUE(out.ends_with("z"));
  // Beyond U+10FFFF.
  const std::string high = Escaped("\xF4\x90\x80\x80");
  EXPECT_TRUE(IsValidUtf8(high));
  EXPECT_NE(high.find(kReplacement), std::string::npos);
}

TEST(JsonWriterTest, OutputIsValidUtf8ForEveryByte) {
  for (int b = 0; b < 256; ++b) {
    const std::string input = {'<', static_cast<char>(b), '>'};
    ASSERT_TRUE(IsValidUtf8(Escaped(input))) << b;
  }
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  EXPECT_TRUE(IsValidUtf8(Escaped(all)));
}

TEST(JsonWriterTest, StringValueIsEscaped) {
  JsonWriter w;
  w.BeginArray().String("a\"\n\xFF").EndArray();
  EXPECT_EQ(w.str(), "[\"a\\\"\\n" + std::string(kReplacement) + "\"]");
}

TEST(JsonWriterTest, Doubles) {
  JsonWriter w;
  w.BeginArray().Double(1.5).Double(-0.25).Double(0).Double(1e300).EndArray();
  EXPECT_EQ(w.str(), "[1.5,-0.25,0,1e+300]");
}

TEST(JsonWriterTest, NonFiniteDoublesBecomeNull) {
  JsonWriter w;
  w.BeginArray()
      .Double(std::numeric_limits<double>::quiet_NaN())
      .Double(std::numeric_limits<double>::infinity())
      .Double(-std::numeric_limits<double>::infinity())
      .EndArray();
  EXPECT_EQ(w.str(), "[null,null,null]");
  JsonWriter object;
  object.BeginObject().Key("rate").Double(std::nan("")).EndObject();
  EXPECT_EQ(object.str(), R"({"rate":null})");
}

TEST(JsonWriterTest, IntegerLimits) {
  JsonWriter w;
  w.BeginArray()
      .Int(std::numeric_limits<int64_t>::min())
      .Int(std::numeric_limits<int64_t>::max())
      .Uint(std::numeric_limits<uint64_t>::max())
      .Int(0)
      .EndArray();
  EXPECT_EQ(w.str(), "[-9223372036854775808,9223372036854775807,18446744073709551615,0]");
}

TEST(JsonWriterTest, RawIsInsertedAsOneValue) {
  JsonWriter w;
  w.BeginObject().Key("a").Raw(R"({"x":[1,2]})").Key("b").Raw("true").EndObject();
  EXPECT_EQ(w.str(), R"({"a":{"x":[1,2]},"b":true})");
  JsonWriter array;
  array.BeginArray().Raw("1").Raw("\"s\"").Int(3).EndArray();
  EXPECT_EQ(array.str(), R"([1,"s",3])");
}

}  // namespace
}  // namespace cdp
