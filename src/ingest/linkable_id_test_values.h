#pragma once

// Test values for the ids identity links refuse (linkable_id.h), written out
// from the contract (identity::IsLegalDistinctId's comment) rather than taken
// from its implementation, so that the tests check that implementation too.

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_writer.h"

namespace cdp::ingest::testing {

// The placeholders clients send by mistake, as the contract lists them.
inline const std::vector<std::string> kPlaceholders = {
    "anonymous",       "guest",     "distinct_id", "distinctid", "id",   "not_authenticated",
    "email",           "undefined", "null",        "0",          "true", "false",
    "[object Object]", "nan",       "none"};

// Ids of nothing but whitespace.
inline const std::vector<std::string> kBlankIds = {" ", "   ", "\t", "\n", " \r\n\t "};

// Every placeholder as sent, in upper case, and with surrounding whitespace;
// then the blank ids.
inline std::vector<std::string> RefusedIds() {
  std::vector<std::string> ids;
  for (const std::string& placeholder : kPlaceholders) {
    ids.push_back(placeholder);
    std::string upper = placeholder;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    ids.push_back(upper);
    ids.push_back(" " + placeholder + "\t");
  }
  ids.insert(ids.end(), kBlankIds.begin(), kBlankIds.end());
  return ids;
}

// Ids that resemble placeholders but are none: each is accepted.
inline const std::vector<std::string> kLookAlikeIds = {"nullable",
                                                       "null0",
                                                       "anonymous-42",
                                                       "guest_1",
                                                       "ids",
                                                       "00",
                                                       "0.5",
                                                       "10",
                                                       "truex",
                                                       "falsehood",
                                                       "undefined_user",
                                                       "[object]",
                                                       "email@example.com",
                                                       "none1",
                                                       "user null",
                                                       "nan-7",
                                                       "Ånonymous",
                                                       "distinct_id_2",
                                                       "guest 2"};

// The reference rule: blank, or a placeholder once trimmed and lower-cased.
inline bool IsRefusedByContract(std::string_view id) {
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!id.empty() && is_space(id.front())) id.remove_prefix(1);
  while (!id.empty() && is_space(id.back())) id.remove_suffix(1);
  const auto lower = [](std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
  };
  if (id.empty()) return true;
  return std::any_of(
      kPlaceholders.begin(), kPlaceholders.end(),
      [&](const std::string& placeholder) { return lower(placeholder) == lower(id); });
}

// `text` as a JSON string literal.
inline std::string Json(std::string_view text) {
  std::string out = "\"";
  AppendJsonEscaped(out, text);
  return out + "\"";
}

}  // namespace cdp::ingest::testing
