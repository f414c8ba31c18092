#include "ingest/enrich/user_agent_parser.h"

#include <re2/filtered_re2.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "ingest/enrich/literal_set_matcher.h"
#include "ingest/enrich/user_agent_classifier.h"

namespace cdp::ingest::enrich {
namespace {

// $1 ... $9: a match has at most nine groups that matter.
constexpr int kMaxGroups = 9;
// The shortest literal RE2's prefilter keeps as an atom; a rule with no atom
// this long is tried on every user agent.
constexpr int kMinAtomBytes = 3;

// The match groups of one rule; groups[0] is the whole match.
using Groups = std::array<re2::StringPiece, kMaxGroups + 1>;

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  const size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

std::string_view GroupText(const Groups& groups, int index) {
  const re2::StringPiece& group = groups[index];
  return group.data() == nullptr ? std::string_view()
                                 : std::string_view(group.data(), group.size());
}

// The replacement with $1 ... $9 substituted, trimmed.
std::string Substitute(std::string_view replacement, const Groups& groups) {
  std::string out;
  out.reserve(replacement.size());
  for (size_t i = 0; i < replacement.size(); ++i) {
    const char c = replacement[i];
    if (c == '$' && i + 1 < replacement.size() && replacement[i + 1] >= '1' &&
        replacement[i + 1] <= '9') {
      out += GroupText(groups, replacement[i + 1] - '0');
      ++i;
    } else {
      out += c;
    }
  }
  return std::string(Trim(out));
}

// One rule: its replacements per output field; the regex is in the RuleList's
// FilteredRE2 under the rule's index.
struct Rule {
  const RE2* regex = nullptr;
  int groups = 0;  // capturing groups that matter, at most kMaxGroups
  std::array<std::optional<std::string>, 5> replacements;
};

// One of the three rule lists.
struct RuleList {
  std::vector<Rule> rules;
  re2::FilteredRE2 filter{kMinAtomBytes};
  std::unique_ptr<LiteralSetMatcher> atoms;  // the filter's atoms

  // Runs the first matching rule on `text` (`lowered` is its ASCII lower-case
  // form); returns it, or null if none matches.
  const Rule* FirstMatch(std::string_view text, std::string_view lowered, Groups& groups) const {
    if (rules.empty()) return nullptr;
    std::vector<int> found;
    atoms->Find(lowered, found);
    std::vector<int> candidates;
    filter.AllPotentials(found, &candidates);
    std::sort(candidates.begin(), candidates.end());
    for (const int index : candidates) {
      const Rule& rule = rules[index];
      groups.fill(re2::StringPiece());
      if (rule.regex->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(),
                            RE2::UNANCHORED, groups.data(), rule.groups + 1)) {
        return &rule;
      }
    }
    return nullptr;
  }
};

// A field's value: the replacement when the rule has one, else the group
// `default_group` (0: none).
std::string FieldValue(const Rule& rule, size_t field, const Groups& groups, int default_group) {
  if (rule.replacements[field]) return Substitute(*rule.replacements[field], groups);
  if (default_group == 0 || default_group > rule.groups) return {};
  return std::string(GroupText(groups, default_group));  // as matched: the reference trims none
}

RE2::Options RuleOptions() {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingLatin1);
  options.set_log_errors(false);
  return options;
}

// Reads one list ("user_agent_parsers") with its replacement keys, in field order.
Status ReadRuleList(const YAML::Node& root, const char* section,
                    const std::array<const char*, 5>& replacement_keys, std::string_view origin,
                    RuleList& list) {
  const YAML::Node items = root[section];
  if (!items || !items.IsSequence()) {
    return Status::Internal(std::string(origin) + ": no list '" + section + "'");
  }
  list.rules.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const YAML::Node item = items[i];
    const std::string where = std::string(origin) + ": " + section + "[" + std::to_string(i) + "]";
    if (!item.IsMap() || !item["regex"] || !item["regex"].IsScalar()) {
      return Status::Internal(where + ": a rule needs a 'regex'");
    }
    std::string pattern = item["regex"].as<std::string>();
    if (const YAML::Node flag = item["regex_flag"]; flag) {
      if (!flag.IsScalar() || flag.as<std::string>() != "i") {
        return Status::Internal(where + ": unknown regex_flag (only 'i' is defined)");
      }
      pattern = "(?i:" + pattern + ")";
    }
    int id = -1;
    if (list.filter.Add(pattern, RuleOptions(), &id) != RE2::NoError) {
      const RE2 refused(pattern, RuleOptions());
      return Status::Internal(where + ": RE2 refuses /" + pattern + "/: " + refused.error());
    }
    assert(id == static_cast<int>(i));
    Rule rule;
    rule.regex = &list.filter.GetRE2(id);
    rule.groups = std::min(rule.regex->NumberOfCapturingGroups(), kMaxGroups);
    for (size_t field = 0; field < replacement_keys.size(); ++field) {
      if (replacement_keys[field] == nullptr) continue;
      const YAML::Node value = item[replacement_keys[field]];
      if (!value || value.IsNull()) continue;
      if (!value.IsScalar()) {
        return Status::Internal(where + ": " + replacement_keys[field] + " is not a string");
      }
      rule.replacements[field] = value.as<std::string>();
    }
    list.rules.push_back(std::move(rule));
  }
  std::vector<std::string> atoms;
  if (!list.rules.empty()) list.filter.Compile(&atoms);
  list.atoms = std::make_unique<LiteralSetMatcher>(atoms);
  return Status::Ok();
}

}  // namespace

struct UserAgentParser::Rules {
  RuleList browser;
  RuleList os;
  RuleList device;
};

UserAgentParser::UserAgentParser(std::unique_ptr<Rules> rules) : rules_(std::move(rules)) {}
UserAgentParser::~UserAgentParser() = default;

Result<std::unique_ptr<UserAgentParser>> UserAgentParser::Load(const std::string& regexes_path) {
  std::ifstream in(regexes_path, std::ios::binary);
  if (!in) return Status::Internal("cannot read uap-core rules " + regexes_path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::Internal("cannot read uap-core rules " + regexes_path);
  return FromYaml(text.str(), regexes_path);
}

Result<std::unique_ptr<UserAgentParser>> UserAgentParser::FromYaml(std::string_view yaml,
                                                                   std::string_view origin) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Status::Internal(std::string(origin) + ": not YAML: " + e.what());
  }
  if (!root.IsMap()) return Status::Internal(std::string(origin) + ": not a map of rule lists");
  auto rules = std::make_unique<Rules>();
  try {
    CDP_RETURN_IF_ERROR(ReadRuleList(root, "user_agent_parsers",
                                     {"family_replacement", "v1_replacement", "v2_replacement",
                                      "v3_replacement", "v4_replacement"},
                                     origin, rules->browser));
    CDP_RETURN_IF_ERROR(ReadRuleList(root, "os_parsers",
                                     {"os_replacement", "os_v1_replacement", "os_v2_replacement",
                                      "os_v3_replacement", "os_v4_replacement"},
                                     origin, rules->os));
    CDP_RETURN_IF_ERROR(ReadRuleList(
        root, "device_parsers",
        {"device_replacement", "brand_replacement", "model_replacement", nullptr, nullptr}, origin,
        rules->device));
  } catch (const YAML::Exception& e) {
    return Status::Internal(std::string(origin) + ": unexpected shape: " + e.what());
  }
  return std::unique_ptr<UserAgentParser>(new UserAgentParser(std::move(rules)));
}

UserAgentInfo UserAgentParser::Parse(std::string_view user_agent) const {
  const std::string_view text = user_agent.substr(0, kMaxUserAgentBytes);
  std::string lowered(text);
  for (char& c : lowered) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  UserAgentInfo info;
  Groups groups;
  if (const Rule* rule = rules_->browser.FirstMatch(text, lowered, groups)) {
    std::string family = FieldValue(*rule, 0, groups, 1);
    if (!family.empty()) info.browser_family = std::move(family);
    info.browser_major = FieldValue(*rule, 1, groups, 2);
    info.browser_minor = FieldValue(*rule, 2, groups, 3);
    info.browser_patch = FieldValue(*rule, 3, groups, 4);
    info.browser_patch_minor = FieldValue(*rule, 4, groups, 5);
  }
  if (const Rule* rule = rules_->os.FirstMatch(text, lowered, groups)) {
    std::string family = FieldValue(*rule, 0, groups, 1);
    if (!family.empty()) info.os_family = std::move(family);
    info.os_major = FieldValue(*rule, 1, groups, 2);
    info.os_minor = FieldValue(*rule, 2, groups, 3);
    info.os_patch = FieldValue(*rule, 3, groups, 4);
    info.os_patch_minor = FieldValue(*rule, 4, groups, 5);
  }
  if (const Rule* rule = rules_->device.FirstMatch(text, lowered, groups)) {
    std::string family = FieldValue(*rule, 0, groups, 1);
    if (!family.empty()) info.device_family = std::move(family);
    info.device_brand = FieldValue(*rule, 1, groups, 0);
    info.device_model = FieldValue(*rule, 2, groups, 1);
  }
  info.is_bot = IsBotUserAgent(info, text);
  info.device_type = ClassifyDeviceType(info, text);
  return info;
}

size_t UserAgentParser::browser_rule_count() const { return rules_->browser.rules.size(); }
size_t UserAgentParser::os_rule_count() const { return rules_->os.rules.size(); }
size_t UserAgentParser::device_rule_count() const { return rules_->device.rules.size(); }

}  // namespace cdp::ingest::enrich
