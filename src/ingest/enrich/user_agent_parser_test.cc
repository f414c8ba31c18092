#include "ingest/enrich/user_agent_parser.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "ingest/enrich/user_agent_cache.h"

namespace cdp::ingest::enrich {
namespace {

// Rules in uap-core's format that exercise each part of its semantics.
constexpr std::string_view kRules = R"yaml(
user_agent_parsers:
  - regex: 'Late/(\d+)'
    family_replacement: 'Late'
  - regex: '(Namoroka|Shiretoko|Minefield)/(\d+)\.(\d+)\.(\d+(?:pre)?)'
    family_replacement: 'Firefox ($1)'
  - regex: '(Foo)/(\d+)\.(\d+)'
    v1_replacement: '9'
  - regex: '(Bar)(?:/(\d+))?'
  - regex: 'NoGroups'
    family_replacement: 'Fixed'
  - regex: '(Early)/(\d+)'
os_parsers:
  - regex: 'Win(95|98|3.1|NT|ME|2000)'
    os_replacement: 'Windows $1'
  - regex: '(Android) (\d+)\.(\d+)(?:\.(\d+))?'
  - regex: 'Ver (\d+)_(\d+)'
    os_replacement: '  Spaced  '
    os_v1_replacement: '$1'
    os_v2_replacement: '$2'
device_parsers:
  - regex: '; *(PEDI)_(PLUS)_(W) Build'
    device_replacement: 'Odys $1 $2 $3'
    brand_replacement: 'Odys'
    model_replacement: '$1 $2 $3'
  - regex: 'feature(phone)'
    regex_flag: 'i'
    device_replacement: 'Generic Feature Phone'
    brand_replacement: 'Generic'
    model_replacement: 'Feature $1'
  - regex: 'Gap (\d)'
    device_replacement: 'X $9 Y'
  - regex: '\(([A-Z]\w+); Model'
)yaml";

std::unique_ptr<UserAgentParser> Rules() {
  auto parser = UserAgentParser::FromYaml(kRules);
  EXPECT_TRUE(parser.ok()) << parser.status().ToString();
  return std::move(parser).value();
}

// Loaded once: compiling uap-core's ~1,200 rules takes a moment.
const UserAgentParser& UapCore() {
  static const std::unique_ptr<UserAgentParser> parser = [] {
    auto loaded = UserAgentParser::Load(CDP_UAP_REGEXES);
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.status().ToString() << " (scripts/install-deps installs uap-core)";
      return std::unique_ptr<UserAgentParser>();
    }
    return std::move(loaded).value();
  }();
  if (parser == nullptr) std::abort();
  return *parser;
}

TEST(UserAgentParserTest, SpecificationExamples) {
  const auto parser = Rules();
  const UserAgentInfo firefox = parser->Parse(
      "Mozilla/5.0 (Windows; Windows NT 5.1; rv:2.0b3pre) Gecko/20100727 Minefield/4.0.1pre");
  EXPECT_EQ(firefox.browser_family, "Firefox (Minefield)");
  EXPECT_EQ(firefox.browser_major, "4");
  EXPECT_EQ(firefox.browser_minor, "0");
  EXPECT_EQ(firefox.browser_patch, "1pre");
  EXPECT_EQ(firefox.BrowserVersion(), "4.0.1pre");

  EXPECT_EQ(
      parser->Parse("Mozilla/5.0 (Windows; U; Win95; en-US; rv:1.1) Gecko/20020826").os_family,
      "Windows 95");

  const UserAgentInfo odys = parser->Parse(
      "Mozilla/5.0 (Linux; U; Android 4.2.2; de-de; PEDI_PLUS_W Build/JDQ39) AppleWebKit/534.30 "
      "(KHTML, like Gecko) Version/4.0 Safari/534.30");
  EXPECT_EQ(odys.device_family, "Odys PEDI PLUS W");
  EXPECT_EQ(odys.device_brand, "Odys");
  EXPECT_EQ(odys.device_model, "PEDI PLUS W");
  EXPECT_EQ(odys.os_family, "Android");
  EXPECT_EQ(odys.OsVersion(), "4.2.2");
}

TEST(UserAgentParserTest, ReplacementsAndGroups) {
  const auto parser = Rules();
  const UserAgentInfo foo = parser->Parse("Foo/1.2");
  EXPECT_EQ(foo.browser_family, "Foo");
  EXPECT_EQ(foo.browser_major, "9");  // v1_replacement wins over group 2
  EXPECT_EQ(foo.browser_minor, "2");
  EXPECT_EQ(foo.browser_patch, "");  // no group 4

  const UserAgentInfo bar = parser->Parse("Bar");
  EXPECT_EQ(bar.browser_family, "Bar");
  EXPECT_EQ(bar.browser_major, "");  // group 2 took no part

  EXPECT_EQ(parser->Parse("NoGroups").browser_family, "Fixed");

  const UserAgentInfo os = parser->Parse("Ver 3_4");
  EXPECT_EQ(os.os_family, "Spaced");  // replacements are trimmed
  EXPECT_EQ(os.OsVersion(), "3.4");

  const UserAgentInfo android = parser->Parse("Android 7.1");
  EXPECT_EQ(android.OsVersion(), "7.1");
  EXPECT_EQ(android.os_patch, "");

  // $9 of a rule with one group is empty; only the ends are trimmed.
  EXPECT_EQ(parser->Parse("Gap 1").device_family, "X  Y");

  // Without replacements a device's family and model are group 1, the brand none.
  const UserAgentInfo model = parser->Parse("Mozilla (Nokia3310; Model)");
  EXPECT_EQ(model.device_family, "Nokia3310");
  EXPECT_EQ(model.device_model, "Nokia3310");
  EXPECT_EQ(model.device_brand, "");
}

TEST(UserAgentParserTest, RegexFlagMakesARuleCaseInsensitive) {
  const auto parser = Rules();
  const UserAgentInfo info = parser->Parse("SomeFEATUREPHONE/1.0");
  EXPECT_EQ(info.device_family, "Generic Feature Phone");
  EXPECT_EQ(info.device_model, "Feature PHONE");
  // Rules without the flag are case-sensitive.
  EXPECT_EQ(parser->Parse("foo/1.2").browser_family, "Other");
  EXPECT_EQ(parser->Parse("win95").os_family, "Other");
}

TEST(UserAgentParserTest, FirstRuleWinsNotFirstPosition) {
  const auto parser = Rules();
  // (Early) matches earlier in the string, but Late's rule comes first.
  EXPECT_EQ(parser->Parse("Early/1 Late/2").browser_family, "Late");
  EXPECT_EQ(parser->Parse("Early/1").browser_family, "Early");
}

TEST(UserAgentParserTest, NoMatchIsOther) {
  const auto parser = Rules();
  const UserAgentInfo info = parser->Parse("nothing known here");
  EXPECT_EQ(info.browser_family, "Other");
  EXPECT_EQ(info.os_family, "Other");
  EXPECT_EQ(info.device_family, "Other");
  EXPECT_EQ(info.BrowserVersion(), "");
  EXPECT_EQ(info.OsVersion(), "");
  EXPECT_EQ(info.device_brand, "");
  EXPECT_EQ(info.device_type, DeviceType::kOther);
  EXPECT_FALSE(info.is_bot);
  EXPECT_EQ(parser->Parse(""), UserAgentInfo());
}

TEST(UserAgentParserTest, ErrorsNameTheFileAndRule) {
  auto missing = UserAgentParser::Load("/nonexistent/regexes.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kInternal);
  EXPECT_NE(missing.status().cause().find("/nonexistent/regexes.yaml"), std::string::npos);

  auto not_yaml = UserAgentParser::FromYaml("user_agent_parsers: [", "broken.yaml");
  ASSERT_FALSE(not_yaml.ok());
  EXPECT_NE(not_yaml.status().cause().find("broken.yaml: not YAML"), std::string::npos);

  auto no_os = UserAgentParser::FromYaml("user_agent_parsers: []\ndevice_parsers: []\n");
  ASSERT_FALSE(no_os.ok());
  EXPECT_NE(no_os.status().cause().find("no list 'os_parsers'"), std::string::npos);

  // RE2 has no look-behind: a rule set that needs one is refused, not misread.
  auto lookbehind = UserAgentParser::FromYaml(
      "user_agent_parsers:\n  - regex: '(?<=x)y'\nos_parsers: []\ndevice_parsers: []\n", "r.yaml");
  ASSERT_FALSE(lookbehind.ok());
  EXPECT_NE(lookbehind.status().cause().find("r.yaml: user_agent_parsers[0]: RE2 refuses"),
            std::string::npos)
      << lookbehind.status().ToString();

  auto flag = UserAgentParser::FromYaml(
      "user_agent_parsers: []\nos_parsers: []\ndevice_parsers:\n  - regex: 'x'\n    regex_flag: "
      "'m'\n");
  ASSERT_FALSE(flag.ok());
  EXPECT_NE(flag.status().cause().find("unknown regex_flag"), std::string::npos);

  auto no_regex = UserAgentParser::FromYaml(
      "user_agent_parsers:\n  - family_replacement: 'x'\nos_parsers: []\ndevice_parsers: []\n");
  ASSERT_FALSE(no_regex.ok());
  EXPECT_NE(no_regex.status().cause().find("a rule needs a 'regex'"), std::string::npos);
}

TEST(UserAgentParserTest, UapCoreCompilesEveryRule) {
  const UserAgentParser& parser = UapCore();
  std::printf("uap-core rules: %zu browser, %zu os, %zu device\n", parser.browser_rule_count(),
              parser.os_rule_count(), parser.device_rule_count());
  EXPECT_GT(parser.browser_rule_count(), 100u);
  EXPECT_GT(parser.os_rule_count(), 100u);
  EXPECT_GT(parser.device_rule_count(), 100u);
}

struct UserAgentCase {
  std::string note;
  std::string user_agent;
  std::string expected;
};

std::string Describe(const UserAgentInfo& info) {
  return "browser=" + info.browser_family + " " + info.BrowserVersion() + "; os=" + info.os_family +
         " " + info.OsVersion() + "; device=" + info.device_family + " | " + info.device_brand +
         " | " + info.device_model + "; type=" + std::string(DeviceTypeName(info.device_type)) +
         "; bot=" + (info.is_bot ? "true" : "false");
}

std::vector<UserAgentCase> ReadCases() {
  const YAML::Node root = YAML::LoadFile(CDP_ENRICH_TESTDATA "/user_agents.yaml");
  std::vector<UserAgentCase> cases;
  for (const YAML::Node& item : root["test_cases"]) {
    const auto get = [&](const char* key) { return item[key].as<std::string>(); };
    cases.push_back(
        {get("user_agent").substr(0, 60), get("user_agent"),
         "browser=" + get("browser") + " " + get("browser_version") + "; os=" + get("os") + " " +
             get("os_version") + "; device=" + get("device") + " | " + get("device_brand") + " | " +
             get("device_model") + "; type=" + get("device_type") + "; bot=" + get("is_bot")});
  }
  return cases;
}

// testdata/user_agents.yaml: real user agents, from browsers, phones, tablets,
// a TV, crawlers and HTTP tools.
TEST(UserAgentParserTest, RealUserAgents) {
  const std::vector<UserAgentCase> cases = ReadCases();
  ASSERT_GE(cases.size(), 20u);
  int agreed = 0;
  for (const UserAgentCase& c : cases) {
    const std::string actual = Describe(UapCore().Parse(c.user_agent));
    EXPECT_EQ(actual, c.expected) << c.user_agent;
    agreed += actual == c.expected;
  }
  std::printf("real user agents: %d of %zu agree\n", agreed, cases.size());
}

TEST(UserAgentParserTest, ParsesTheFirstKilobyteOnly) {
  const std::string padding(kMaxUserAgentBytes, 'x');
  EXPECT_FALSE(UapCore().Parse(padding + " Googlebot/2.1").is_bot);
  EXPECT_TRUE(UapCore().Parse("Googlebot/2.1 " + padding).is_bot);
}

// Prints what a parse costs; asserts nothing about time (machines differ).
TEST(UserAgentParserTest, Timing) {
  std::vector<std::string> user_agents;
  for (const UserAgentCase& c : ReadCases()) user_agents.push_back(c.user_agent);
  const auto time_per_parse = [](int count, const auto& parse) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < count; ++i) parse(i);
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
               .count() /
           count;
  };
  constexpr int kRounds = 100;
  const int count = static_cast<int>(user_agents.size()) * kRounds;
  const int distinct = static_cast<int>(user_agents.size());
  auto fresh = UserAgentParser::Load(CDP_UAP_REGEXES);
  ASSERT_TRUE(fresh.ok());
  CachingUserAgentParser cache(std::move(fresh).value());
  const UserAgentParser& parser = cache.parser();
  // A parser's first parses also build RE2's lazily made automata.
  const double cold = time_per_parse(distinct, [&](int i) { parser.Parse(user_agents[i]); });
  // Never seen before: a different string every time.
  const double novel = time_per_parse(
      count, [&](int i) { parser.Parse(user_agents[i % distinct] + " cdp/" + std::to_string(i)); });
  const double uncached =
      time_per_parse(count, [&](int i) { parser.Parse(user_agents[i % distinct]); });
  time_per_parse(distinct, [&](int i) { cache.Parse(user_agents[i]); });  // fills the cache
  const double cached =
      time_per_parse(count, [&](int i) { cache.Parse(user_agents[i % distinct]); });
  std::printf(
      "parse time per user agent (%d real ones, %d parses each way): first parses of a new "
      "parser %.1f us, novel strings %.2f us, uncached %.2f us, cached %.3f us\n",
      distinct, count, cold, novel, uncached, cached);
}

}  // namespace
}  // namespace cdp::ingest::enrich
