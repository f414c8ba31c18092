#include "query/explorer/events_cursor.h"

#include <xxhash.h>

#include <array>

#include "query/request_json.h"

namespace cdp::query {

namespace {

// The bytes a cursor encodes: a version, the order, the microseconds (8
// bytes, big-endian), the message id, and a checksum of all that (4 bytes).
constexpr uint8_t kVersion = 1;
constexpr size_t kHeaderBytes = 10;
constexpr size_t kCheckBytes = 4;
// Message ids are short; a longer cursor is not one of ours.
constexpr size_t kMaxCursorChars = 4096;
constexpr uint64_t kCheckSeed = 0x6376705f63757273;  // "cdp_curs"

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

uint32_t CheckOf(std::string_view bytes) {
  return static_cast<uint32_t>(XXH3_64bits_withSeed(bytes.data(), bytes.size(), kCheckSeed));
}

void AppendBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t ReadBigEndian(std::string_view bytes) {
  uint64_t value = 0;
  for (const char byte : bytes) value = (value << 8) | static_cast<uint8_t>(byte);
  return value;
}

// base64url without padding (RFC 4648, section 5).
std::string EncodeBase64Url(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  uint32_t bits = 0;
  int pending = 0;
  for (const char byte : bytes) {
    bits = (bits << 8) | static_cast<uint8_t>(byte);
    pending += 8;
    while (pending >= 6) {
      pending -= 6;
      out.push_back(kAlphabet[(bits >> pending) & 63]);
    }
  }
  if (pending > 0) out.push_back(kAlphabet[(bits << (6 - pending)) & 63]);
  return out;
}

// The bytes of base64url text without padding; false unless it is exactly
// what EncodeBase64Url writes for some bytes (no stray characters, no
// leftover bits set), so that every cursor has one spelling.
bool DecodeBase64Url(std::string_view text, std::string& bytes) {
  std::array<int8_t, 256> values;
  values.fill(-1);
  for (size_t i = 0; i < kAlphabet.size(); ++i) values[uint8_t(kAlphabet[i])] = int8_t(i);
  if (text.size() % 4 == 1) return false;
  uint32_t bits = 0;
  int pending = 0;
  for (const char c : text) {
    const int8_t value = values[uint8_t(c)];
    if (value < 0) return false;
    bits = (bits << 6) | uint32_t(value);
    pending += 6;
    if (pending >= 8) {
      pending -= 8;
      bytes.push_back(static_cast<char>((bits >> pending) & 0xff));
    }
  }
  return (bits & ((1u << pending) - 1)) == 0;
}

}  // namespace

std::string EncodeEventsCursor(EventsOrder order, const EventPosition& position) {
  std::string bytes;
  bytes.push_back(static_cast<char>(kVersion));
  bytes.push_back(static_cast<char>(order));
  AppendBigEndian(bytes, static_cast<uint64_t>(position.micros), 8);
  bytes += position.message_id;
  AppendBigEndian(bytes, CheckOf(bytes), kCheckBytes);
  return EncodeBase64Url(bytes);
}

Result<EventPosition> DecodeEventsCursor(std::string_view cursor, EventsOrder order,
                                         const std::string& field) {
  const auto invalid = [&] {
    return FieldError(field, "a next_cursor returned by an earlier page of this query");
  };
  std::string bytes;
  if (cursor.size() > kMaxCursorChars || !DecodeBase64Url(cursor, bytes)) return invalid();
  if (bytes.size() < kHeaderBytes + kCheckBytes) return invalid();
  const std::string_view body = std::string_view(bytes).substr(0, bytes.size() - kCheckBytes);
  if (ReadBigEndian(std::string_view(bytes).substr(body.size())) != CheckOf(body)) return invalid();
  if (uint8_t(body[0]) != kVersion) return invalid();
  if (uint8_t(body[1]) != uint8_t(order)) {
    return FieldError(field, "a cursor of a page read in the same order: it was read in the other");
  }
  EventPosition position;
  position.micros = static_cast<int64_t>(ReadBigEndian(body.substr(2, 8)));
  position.message_id = std::string(body.substr(kHeaderBytes));
  return position;
}

}  // namespace cdp::query
