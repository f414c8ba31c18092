#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "ingest/enrich/user_agent.h"

namespace cdp::ingest::enrich {

// A longer user agent is parsed on its first kMaxUserAgentBytes bytes (real
// ones are a few hundred; uap-core's rules look at far less).
inline constexpr size_t kMaxUserAgentBytes = 1024;

// Parses user agent strings with uap-core's maintained rule set, the file
// regexes.yaml of the npm package uap-core (installed into
// third_party/npm/node_modules by scripts/install-deps; the build defines
// CDP_UAP_REGEXES as its path).
//
// The semantics are uap-core's (docs/specification.md of the package):
//  - Three independent rule lists: user_agent_parsers (the browser),
//    os_parsers and device_parsers. In each, the first rule whose regex
//    matches anywhere in the string wins; `regex_flag: 'i'` makes a rule
//    case-insensitive.
//  - Browser: family, major, minor, patch, patch_minor are family_replacement,
//    v1_replacement ... v4_replacement when the rule has them, else groups 1
//    to 5 of the match. OS: os_replacement, os_v1_replacement ...
//    os_v4_replacement, else groups 1 to 5. Device: family is
//    device_replacement, else group 1; brand is brand_replacement, else
//    nothing; model is model_replacement, else group 1.
//  - In every replacement, $1 ... $9 stand for the match's groups (a group
//    that took no part is ""), and the result is trimmed of white space. An
//    empty value is "not given"; a family that no rule gives is "Other".
//    (This is what uap-core's reference implementation, uap-ref-impl, does.)
// Parse also fills UserAgentInfo::is_bot and device_type (see
// user_agent_classifier.h).
//
// Engine: RE2, in Latin-1 mode (one byte, one character; every uap-core
// pattern is ASCII). RE2 compiles all of uap-core 0.18.0's 1,175 rules (so does
// PCRE2: the rules use no look-around or back-references) and, unlike a
// backtracking engine, runs in time linear in the input whatever the pattern:
// the user agent is chosen by whoever sends the request. `regex_flag: 'i'`
// becomes `(?i:...)`. To avoid trying ~1,200 regexes on every string, each
// list sits in an re2::FilteredRE2: RE2 extracts from every regex the literal
// atoms a match must contain, one Aho-Corasick pass (LiteralSetMatcher) finds
// which atoms the lower-cased user agent has, and only the rules whose atoms
// are all there (plus the few without atoms) are run, in rule order, until
// one matches. Measured on 13,458 distinct user agents: ~13 us per parse, the
// same answers as uap-core's reference implementation for all of them. A new
// parser's first parses are slower (~0.5 ms): RE2 builds its automata lazily.
//
// Thread safety: Parse is const and may be called from any number of threads.
// It does no caching of its own: see CachingUserAgentParser.
class UserAgentParser {
 public:
  // Reads and compiles a regexes.yaml. Errors (kInternal): the file cannot be
  // read, is not YAML of uap-core's shape, or has a regex RE2 refuses; the
  // cause names the file and the rule.
  static Result<std::unique_ptr<UserAgentParser>> Load(const std::string& regexes_path);
  // The same from the text of a regexes.yaml; `origin` names it in errors.
  static Result<std::unique_ptr<UserAgentParser>> FromYaml(std::string_view yaml,
                                                           std::string_view origin = "yaml");

  UserAgentParser(const UserAgentParser&) = delete;
  UserAgentParser& operator=(const UserAgentParser&) = delete;
  ~UserAgentParser();

  UserAgentInfo Parse(std::string_view user_agent) const;

  // How many rules each list has (for logs and tests).
  size_t browser_rule_count() const;
  size_t os_rule_count() const;
  size_t device_rule_count() const;

 private:
  struct Rules;
  explicit UserAgentParser(std::unique_ptr<Rules> rules);

  std::unique_ptr<Rules> rules_;
};

}  // namespace cdp::ingest::enrich
