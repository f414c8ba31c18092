#include "query/sql/sql_result_writer.h"

#include <algorithm>
#include <cctype>

namespace cdp::query {

namespace {

constexpr uint8_t Bit(SqlValue::Type type) { return uint8_t(1u << static_cast<int>(type)); }

std::string_view TypeName(uint8_t seen, std::string_view declared_type) {
  seen &= uint8_t(~Bit(SqlValue::Type::kNull));
  switch (seen) {
    case 0: {
      std::string upper(declared_type);
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (upper == "TEXT") return "text";
      if (upper == "REAL") return "real";
      if (upper == "INTEGER") return "integer";
      return "null";
    }
    case Bit(SqlValue::Type::kInteger):
      return "integer";
    case Bit(SqlValue::Type::kReal):
    case Bit(SqlValue::Type::kInteger) | Bit(SqlValue::Type::kReal):
      return "real";
    case Bit(SqlValue::Type::kText):
      return "text";
    case Bit(SqlValue::Type::kBlob):
      return "blob";
    default:
      return "mixed";
  }
}

}  // namespace

void AppendBase64(std::string& out, std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t group = uint32_t(uint8_t(bytes[i])) << 16 |
                           uint32_t(uint8_t(bytes[i + 1])) << 8 | uint32_t(uint8_t(bytes[i + 2]));
    out += kAlphabet[group >> 18];
    out += kAlphabet[(group >> 12) & 63];
    out += kAlphabet[(group >> 6) & 63];
    out += kAlphabet[group & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest == 0) return;
  uint32_t group = uint32_t(uint8_t(bytes[i])) << 16;
  if (rest == 2) group |= uint32_t(uint8_t(bytes[i + 1])) << 8;
  out += kAlphabet[group >> 18];
  out += kAlphabet[(group >> 12) & 63];
  out += rest == 2 ? kAlphabet[(group >> 6) & 63] : '=';
  out += '=';
}

SqlResultWriter::~SqlResultWriter() { budget_.Release(charged_); }

void SqlResultWriter::SetColumns(std::span<const SqlResultColumn> columns) {
  columns_.assign(columns.begin(), columns.end());
  seen_types_.assign(columns_.size(), 0);
  rows_.BeginArray();
}

Status SqlResultWriter::AddRow(std::span<const SqlValue> values) {
  rows_.BeginArray();
  for (size_t i = 0; i < values.size(); ++i) {
    const SqlValue& value = values[i];
    seen_types_[i] |= Bit(value.type);
    switch (value.type) {
      case SqlValue::Type::kNull:
        rows_.Null();
        break;
      case SqlValue::Type::kInteger:
        rows_.Int(value.integer);
        break;
      case SqlValue::Type::kReal:
        rows_.Double(value.real);
        break;
      case SqlValue::Type::kText:
        rows_.String(value.bytes);
        break;
      case SqlValue::Type::kBlob:
        base64_.clear();
        AppendBase64(base64_, value.bytes);
        rows_.String(base64_);
        break;
    }
  }
  rows_.EndArray();
  ++row_count_;
  const size_t size = rows_.str().capacity();
  if (size > charged_) {
    if (!budget_.TryCharge(size - charged_)) return budget_.ExceededStatus();
    charged_ = size;
  }
  return Status::Ok();
}

std::string SqlResultWriter::Finish(bool truncated, uint64_t rows_scanned) && {
  JsonWriter out;
  out.BeginObject().Key("columns").BeginArray();
  for (size_t i = 0; i < columns_.size(); ++i) {
    out.BeginObject()
        .Key("name")
        .String(columns_[i].name)
        .Key("type")
        .String(TypeName(seen_types_[i], columns_[i].declared_type))
        .EndObject();
  }
  out.EndArray();
  rows_.EndArray();
  out.Key("rows").Raw(rows_.str());
  out.Key("truncated").Bool(truncated).Key("rows_scanned").Uint(rows_scanned).EndObject();
  return std::move(out).Take();
}

}  // namespace cdp::query
