#include "meta/sqlite/sqlite_identity_json.h"

#include <fmt/format.h>

#include <cstdint>

namespace cdp {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void SkipSpace(std::string_view text, size_t& pos) {
  while (pos < text.size() && IsJsonSpace(text[pos])) ++pos;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The four hex digits at `pos`; -1 when they are not.
int32_t ReadHex4(std::string_view text, size_t pos) {
  if (pos + 4 > text.size()) return -1;
  int32_t value = 0;
  for (size_t i = pos; i < pos + 4; ++i) {
    const int digit = HexValue(text[i]);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

void AppendUtf8(std::string& out, uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// Reads the JSON string starting at text[pos] (its opening quote) into `out`
// and moves `pos` past its closing quote; false when it is not one. A lone
// surrogate escape becomes U+FFFD, as it has no UTF-8 form.
bool ReadJsonString(std::string_view text, size_t& pos, std::string& out) {
  if (pos >= text.size() || text[pos] != '"') return false;
  ++pos;
  while (pos < text.size()) {
    const char c = text[pos];
    if (c == '"') {
      ++pos;
      return true;
    }
    if (static_cast<unsigned char>(c) < 0x20) return false;  // must be escaped
    if (c != '\\') {
      out += c;
      ++pos;
      continue;
    }
    if (pos + 1 >= text.size()) return false;
    const char escaped = text[pos + 1];
    pos += 2;
    switch (escaped) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        int32_t unit = ReadHex4(text, pos);
        if (unit < 0) return false;
        pos += 4;
        uint32_t code_point = static_cast<uint32_t>(unit);
        if (unit >= 0xD800 && unit <= 0xDBFF && pos + 6 <= text.size() && text[pos] == '\\' &&
            text[pos + 1] == 'u') {
          const int32_t low = ReadHex4(text, pos + 2);
          if (low >= 0xDC00 && low <= 0xDFFF) {
            code_point = 0x10000 + ((static_cast<uint32_t>(unit) - 0xD800) << 10) +
                         (static_cast<uint32_t>(low) - 0xDC00);
            pos += 6;
          }
        }
        if (code_point >= 0xD800 && code_point <= 0xDFFF) code_point = 0xFFFD;
        AppendUtf8(out, code_point);
        break;
      }
      default:
        return false;
    }
  }
  return false;  // no closing quote
}

// Moves `pos` past a JSON number at text[pos]; false when there is none.
bool SkipJsonNumber(std::string_view text, size_t& pos) {
  auto digits = [&] {
    const size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    return pos > start;
  };
  if (pos < text.size() && text[pos] == '-') ++pos;
  if (pos < text.size() && text[pos] == '0') {
    ++pos;  // no leading zeros
  } else if (!digits()) {
    return false;
  }
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    if (!digits()) return false;
  }
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    ++pos;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) ++pos;
    if (!digits()) return false;
  }
  return true;
}

bool SkipLiteral(std::string_view text, size_t& pos, std::string_view literal) {
  if (text.substr(pos, literal.size()) != literal) return false;
  pos += literal.size();
  return true;
}

}  // namespace

void AppendJsonStringExact(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHexDigits[(c >> 4) & 0xF];
          out += kHexDigits[c & 0xF];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string JsonStringArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonStringExact(out, items[i]);
  }
  out += ']';
  return out;
}

Result<std::vector<std::string>> ParseJsonStringArray(std::string_view json,
                                                      std::string_view what) {
  auto broken = [&] {
    return Status::Internal(fmt::format("{} is not a JSON array of strings", what));
  };
  std::vector<std::string> items;
  size_t pos = 0;
  SkipSpace(json, pos);
  if (pos >= json.size() || json[pos] != '[') return broken();
  ++pos;
  SkipSpace(json, pos);
  if (pos < json.size() && json[pos] == ']') {
    ++pos;
  } else {
    while (true) {
      std::string item;
      if (!ReadJsonString(json, pos, item)) return broken();
      items.push_back(std::move(item));
      SkipSpace(json, pos);
      if (pos >= json.size()) return broken();
      if (json[pos] == ']') {
        ++pos;
        break;
      }
      if (json[pos] != ',') return broken();
      ++pos;
      SkipSpace(json, pos);
    }
  }
  SkipSpace(json, pos);
  if (pos != json.size()) return broken();
  return items;
}

std::optional<std::string> DecodeJsonString(std::string_view json) {
  size_t pos = 0;
  SkipSpace(json, pos);
  std::string text;
  if (!ReadJsonString(json, pos, text)) return std::nullopt;
  SkipSpace(json, pos);
  if (pos != json.size()) return std::nullopt;
  return text;
}

std::optional<JsonScalarKind> ClassifyJsonScalar(std::string_view json) {
  size_t pos = 0;
  SkipSpace(json, pos);
  if (pos >= json.size()) return std::nullopt;
  JsonScalarKind kind;
  const char first = json[pos];
  if (first == '"') {
    std::string ignored;
    if (!ReadJsonString(json, pos, ignored)) return std::nullopt;
    kind = JsonScalarKind::kString;
  } else if (first == 't' || first == 'f') {
    if (!SkipLiteral(json, pos, first == 't' ? "true" : "false")) return std::nullopt;
    kind = JsonScalarKind::kBoolean;
  } else if (first == 'n') {
    if (!SkipLiteral(json, pos, "null")) return std::nullopt;
    kind = JsonScalarKind::kNull;
  } else {
    if (!SkipJsonNumber(json, pos)) return std::nullopt;
    kind = JsonScalarKind::kNumber;
  }
  SkipSpace(json, pos);
  if (pos != json.size()) return std::nullopt;
  return kind;
}

}  // namespace cdp
