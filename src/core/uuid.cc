#include "core/uuid.h"

#include <atomic>
#include <cstring>

#include "core/random.h"

namespace cdp {

namespace {

void SetVersionAndVariant(Uuid& id, int version) {
  id.bytes[6] = static_cast<uint8_t>((id.bytes[6] & 0x0F) | (version << 4));
  id.bytes[8] = static_cast<uint8_t>((id.bytes[8] & 0x3F) | 0x80);  // RFC 9562 variant
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Uuid Uuid::NewV4() {
  Uuid id;
  const uint64_t hi = FastRandom64();
  const uint64_t lo = FastRandom64();
  std::memcpy(id.bytes.data(), &hi, 8);
  std::memcpy(id.bytes.data() + 8, &lo, 8);
  SetVersionAndVariant(id, 4);
  return id;
}

Uuid Uuid::NewV7(const Clock& clock) {
  // RFC 9562 method 1: a 12-bit counter in rand_a, reseeded every new
  // millisecond with a random start in its lower half so it rarely overflows.
  // Millisecond and counter are one 60-bit number in one process-wide atomic,
  // so ids from different threads sort in the order they were made (requests
  // served by different threads in one millisecond: audit entries, dead
  // letters). Incrementing it carries a full counter into the next
  // millisecond, and a clock that goes back never moves it back.
  static std::atomic<uint64_t> last{0};
  const uint64_t fresh =
      (static_cast<uint64_t>(UnixMillis(clock.Now())) << 12) | (FastRandom64() & 0x7FF);
  uint64_t previous = last.load(std::memory_order_relaxed);
  uint64_t next = 0;
  do {
    next = (fresh >> 12) > (previous >> 12) ? fresh : previous + 1;
  } while (!last.compare_exchange_weak(previous, next, std::memory_order_relaxed));
  const uint64_t ms = next >> 12;
  const uint64_t counter = next & 0xFFF;
  Uuid id;
  for (int i = 0; i < 6; ++i) id.bytes[i] = static_cast<uint8_t>(ms >> (8 * (5 - i)));
  id.bytes[6] = static_cast<uint8_t>(counter >> 8);
  id.bytes[7] = static_cast<uint8_t>(counter);
  const uint64_t random = FastRandom64();
  std::memcpy(id.bytes.data() + 8, &random, 8);
  SetVersionAndVariant(id, 7);
  return id;
}

int64_t Uuid::UnixMillisV7() const {
  int64_t ms = 0;
  for (int i = 0; i < 6; ++i) ms = (ms << 8) | bytes[i];
  return ms;
}

std::optional<Uuid> Uuid::Parse(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  Uuid id;
  size_t byte = 0;
  for (size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    const int hi = HexValue(text[i]);
    const int lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    id.bytes[byte++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return id;
}

std::string Uuid::ToString() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0xF]);
  }
  return out;
}

}  // namespace cdp
