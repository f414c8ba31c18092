// libFuzzer target: ParseSegmentRequest and ParseCaptureRequest on arbitrary
// bodies, the invariants of what they return (request_parser.h, flatten.h,
// item_fields.h, the capture mapping in capture_request_parser.cc), and the
// event-log round trip of every accepted event (event_codec.h):
// DecodeEvent(EncodeEvent(e)) succeeds, equals e up to the microsecond, and
// re-encodes to the same bytes.
//
// Input: byte 0 picks the parser (its low 3 bits, so '0'..'7' read well in a
// corpus file), byte 1 the limits, the rest is the body:
//   0..5  ParseSegmentRequest, single_type track, identify, page, screen,
//         group, alias (/v1/track, ...)
//   6     ParseSegmentRequest, no single_type (/v1/batch, /v1/import)
//   7     ParseCaptureRequest
// Byte 1 below 0x80 (seeds use '\n'): the default ParseLimits. Otherwise tight
// limits, so the batch sizing pass and the size and count refusals run on
// small inputs: max_event_bytes = 16 * (b & 0x3f) + 1, and with bit 0x40 also
// max_batch_events = 4 and max_message_id_chars = 8.
//
// A broken invariant prints what broke and aborts (a libFuzzer crash).

#include <simdjson.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/iso8601.h"
#include "core/result.h"
#include "core/uuid.h"
#include "ingest/event_time.h"
#include "ingest/request_parser.h"
#include "model/event.h"
#include "model/event_codec.h"

namespace cdp::ingest {
namespace {

[[noreturn]] void Fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "ingest_request_fuzzer: invariant broken: %s%s%.*s\n", what,
               detail.empty() ? "" : ": ", static_cast<int>(detail.size()), detail.data());
  std::abort();
}

#define CHECK(cond, detail)           \
  do {                                \
    if (!(cond)) Fail(#cond, detail); \
  } while (false)

// A fixed server time, with nanoseconds below the microsecond so the codec's
// truncation is exercised: 2026-03-04T10:00:00.123456789Z.
const TimePoint kReceivedAt{std::chrono::nanoseconds(1772618400123456789)};

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t length;
    uint32_t code, min_code;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      length = 2, min_code = 0x80, code = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3, min_code = 0x800, code = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4, min_code = 0x10000, code = c & 0x07;
    } else {
      return false;
    }
    if (i + length > s.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

// A flattened name as property_name.h builds it: [a-z0-9_], no '_' at either
// end except the one before a leading digit, no "__".
bool IsFlattenedName(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  if (name.back() == '_') return false;
  if (name.front() == '_' && !(name.size() > 1 && name[1] >= '0' && name[1] <= '9')) return false;
  if (name.front() >= '0' && name.front() <= '9') return false;
  return name.find("__") == std::string_view::npos;
}

void CheckProperties(const std::vector<Property>& list, const char* which) {
  std::set<std::string_view> names;
  for (const Property& p : list) {
    CHECK(IsFlattenedName(p.name), p.name);
    CHECK(names.insert(p.name).second, p.name);  // flattening never repeats a name
    CHECK(IsValidUtf8(p.name), which);
    if (const auto* text = std::get_if<std::string>(&p.value)) {
      CHECK(IsValidUtf8(*text), p.name);
      // A string is a timestamp exactly when it parses as a client date-time.
      const std::optional<TimePoint> parsed = ParseIso8601DateTime(*text);
      CHECK(parsed == p.timestamp, p.name);
    } else {
      CHECK(!p.timestamp.has_value(), p.name);
      if (const auto* number = std::get_if<double>(&p.value)) CHECK(std::isfinite(*number), p.name);
    }
  }
}

size_t Utf8Chars(std::string_view s) {
  size_t chars = 0;
  for (const char c : s) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return chars;
}

// The context $merge_dangerously gives its alias: merge_dangerously = true.
bool IsMergeDangerouslyFlag(const std::vector<Property>& context) {
  if (context.size() != 1 || context.front().name != "merge_dangerously") return false;
  const bool* flag = std::get_if<bool>(&context.front().value);
  return flag != nullptr && *flag;
}

// What every accepted event carries, whichever parser made it.
void CheckEvent(const Event& e, const ParseLimits& limits, bool capture) {
  CHECK(e.received_at == kReceivedAt, e.message_id);
  CHECK(!e.message_id.empty(), "");
  // The client's id is within the limit; a generated one is a UUIDv7.
  CHECK(Utf8Chars(e.message_id) <= limits.max_message_id_chars ||
            (e.message_id.size() == 36 && Uuid::Parse(e.message_id).has_value()),
        e.message_id);
  CHECK(!e.user_id.empty() || !e.anonymous_id.empty(), e.message_id);
  CHECK(e.timestamp == CorrectedTimestamp(e.received_at, e.sent_at, e.original_timestamp),
        e.message_id);
  for (const std::string* s : {&e.workspace_id, &e.message_id, &e.anonymous_id, &e.user_id,
                               &e.group_id, &e.previous_id, &e.event}) {
    CHECK(IsValidUtf8(*s), *s);
  }
  CheckProperties(e.context, "context");
  CheckProperties(e.properties, "properties");
  CheckProperties(e.traits, "traits");
  CheckProperties(e.traits_set_once, "traits_set_once");
  if (!e.integrations.empty()) {
    CHECK(e.integrations.front() == '{' && e.integrations.back() == '}', e.integrations);
  }
  switch (e.type) {
    case EventType::kTrack:
      CHECK(!e.event.empty(), e.message_id);
      break;
    case EventType::kGroup:
      CHECK(!capture, e.message_id);  // capture has no group events
      CHECK(!e.group_id.empty(), e.message_id);
      break;
    case EventType::kAlias:
      CHECK(!e.user_id.empty() && !e.previous_id.empty(), e.message_id);
      break;
    case EventType::kIdentify:
      if (capture) CHECK(!e.user_id.empty(), e.message_id);
      break;
    case EventType::kPage:
    case EventType::kScreen:
      break;
  }
  if (capture) {
    // Capture has no context or integrations, but for the flag that
    // $merge_dangerously (an alias) sets in the context.
    CHECK(e.integrations.empty(), e.message_id);
    CHECK(e.context.empty() || (e.type == EventType::kAlias && IsMergeDangerouslyFlag(e.context)),
          e.message_id);
    if (e.type == EventType::kIdentify || e.type == EventType::kAlias) {
      CHECK(!e.user_id.empty(), e.message_id);
    } else {
      CHECK(!e.anonymous_id.empty() && e.user_id.empty(), e.message_id);
    }
  } else {
    // Segment reads properties for track/page/screen, traits for identify/group.
    CHECK(e.traits_set_once.empty(), e.message_id);
    const bool has_properties =
        e.type == EventType::kTrack || e.type == EventType::kPage || e.type == EventType::kScreen;
    const bool has_traits = e.type == EventType::kIdentify || e.type == EventType::kGroup;
    if (!has_properties) CHECK(e.properties.empty(), e.message_id);
    if (!has_traits) CHECK(e.traits.empty(), e.message_id);
  }
}

TimePoint Micros(TimePoint t) { return std::chrono::floor<std::chrono::microseconds>(t); }
std::optional<TimePoint> Micros(std::optional<TimePoint> t) {
  if (!t) return t;
  return Micros(*t);
}

bool SameProperties(const std::vector<Property>& a, const std::vector<Property>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || Micros(a[i].timestamp) != Micros(b[i].timestamp)) return false;
    // Compare doubles by bits: -0.0 must stay -0.0.
    const auto* x = std::get_if<double>(&a[i].value);
    const auto* y = std::get_if<double>(&b[i].value);
    if (x && y) {
      if (*x != *y || std::signbit(*x) != std::signbit(*y)) return false;
    } else if (a[i].value != b[i].value) {
      return false;
    }
  }
  return true;
}

// decode(encode(e)) == e, times to the microsecond (event_codec.h).
void CheckRoundTrip(const Event& e) {
  const std::string payload = EncodeEvent(e);
  Result<Event> decoded = DecodeEvent(payload);
  if (!decoded.ok()) Fail("DecodeEvent(EncodeEvent(e)) failed", decoded.status().ToString());
  const Event& d = *decoded;
  CHECK(d.workspace_id == e.workspace_id && d.type == e.type && d.message_id == e.message_id &&
            d.anonymous_id == e.anonymous_id && d.user_id == e.user_id &&
            d.group_id == e.group_id && d.previous_id == e.previous_id && d.event == e.event,
        payload);
  CHECK(d.received_at == Micros(e.received_at) && d.sent_at == Micros(e.sent_at) &&
            d.original_timestamp == Micros(e.original_timestamp) &&
            d.timestamp == Micros(e.timestamp),
        payload);
  CHECK(SameProperties(d.context, e.context), payload);
  CHECK(SameProperties(d.properties, e.properties), payload);
  CHECK(SameProperties(d.traits, e.traits), payload);
  CHECK(SameProperties(d.traits_set_once, e.traits_set_once), payload);
  CHECK(d.integrations == e.integrations, payload);
  const std::string again = EncodeEvent(d);
  CHECK(again == payload, payload + "\n  re-encoded: " + again);
}

// How many items the request has, read independently of the parsers: 1 for a
// single event, else the length of the body's "batch" array (nullopt when it
// has none, which the parser must then have refused).
std::optional<size_t> CountItems(std::string_view body, bool batch_endpoint) {
  if (!batch_endpoint) return 1;
  simdjson::dom::parser parser;
  const simdjson::padded_string text(body);
  simdjson::dom::array batch;
  if (parser.parse(text)["batch"].get_array().get(batch) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  size_t count = 0;
  for ([[maybe_unused]] const auto item : batch) ++count;
  return count;
}

// Whether a capture body is a batch: it has a "batch" key (of any type).
bool CaptureHasBatch(std::string_view body) {
  simdjson::dom::parser parser;
  const simdjson::padded_string text(body);
  simdjson::dom::object root;
  if (parser.parse(text).get_object().get(root) != simdjson::SUCCESS) return false;
  return root.at_key("batch").error() == simdjson::SUCCESS;
}

void CheckRequest(const Result<ParsedRequest>& result, std::string_view body,
                  const ParseLimits& limits, bool capture, bool batch_endpoint) {
  if (!result.ok()) {
    // A whole-request refusal: the client's fault, never an internal error.
    const Status& status = result.status();
    CHECK(status.code() == ErrorCode::kBadRequest || status.code() == ErrorCode::kPayloadTooLarge,
          status.ToString());
    CHECK(!status.message().empty(), status.ToString());
    return;
  }
  const ParsedRequest& parsed = *result;
  CHECK(IsValidUtf8(parsed.write_key), parsed.write_key);
  CHECK(parsed.events.size() == parsed.event_indexes.size(), "");
  const std::optional<size_t> items = CountItems(body, batch_endpoint);
  CHECK(items.has_value(), "a batch request without a batch array was accepted");
  CHECK(*items <= (batch_endpoint ? limits.max_batch_events : 1), "");
  CHECK(parsed.events.size() + parsed.rejected.size() == *items, "accepted + rejected != items");
  // Accepted and rejected indexes each ascend and together cover 0..items-1.
  std::vector<bool> seen(*items, false);
  for (size_t i = 0; i < parsed.event_indexes.size(); ++i) {
    const size_t index = parsed.event_indexes[i];
    CHECK(index < *items && !seen[index], "accepted index out of range or repeated");
    CHECK(i == 0 || parsed.event_indexes[i - 1] < index, "accepted indexes out of order");
    seen[index] = true;
  }
  for (size_t i = 0; i < parsed.rejected.size(); ++i) {
    const RejectedItem& item = parsed.rejected[i];
    CHECK(item.index < *items && !seen[item.index], "rejected index out of range or repeated");
    CHECK(i == 0 || parsed.rejected[i - 1].index < item.index, "rejected indexes out of order");
    seen[item.index] = true;
    const Status& status = item.status;
    CHECK(status.code() == ErrorCode::kBadRequest || status.code() == ErrorCode::kPayloadTooLarge,
          status.ToString());
    CHECK(!status.message().empty(), status.ToString());
    if (batch_endpoint) {
      // The field is a path into the request under the item: "batch[3]...".
      const std::string prefix = "batch[" + std::to_string(item.index) + "]";
      CHECK(status.field().compare(0, prefix.size(), prefix) == 0, status.ToString());
    }
  }
  for (const Event& event : parsed.events) {
    CheckEvent(event, limits, capture);
    Event logged = event;
    logged.workspace_id = "ws_fuzz";  // as the handler sets it before appending
    CheckRoundTrip(logged);
  }
}

}  // namespace
}  // namespace cdp::ingest

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cdp::ingest;
  if (size < 2) return 0;
  const int mode = data[0] & 7;
  const uint8_t limits_byte = data[1];
  const std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);

  ParseLimits limits;
  if (limits_byte & 0x80) {
    limits.max_event_bytes = 16 * (limits_byte & 0x3f) + 1;
    if (limits_byte & 0x40) {
      limits.max_batch_events = 4;
      limits.max_message_id_chars = 8;
    }
  }

  if (mode <= 5) {
    const auto type = static_cast<cdp::EventType>(mode);
    CheckRequest(ParseSegmentRequest(body, type, limits, kReceivedAt), body, limits,
                 /*capture=*/false, /*batch_endpoint=*/false);
  } else if (mode == 6) {
    CheckRequest(ParseSegmentRequest(body, std::nullopt, limits, kReceivedAt), body, limits,
                 /*capture=*/false, /*batch_endpoint=*/true);
  } else {
    CheckRequest(ParseCaptureRequest(body, limits, kReceivedAt), body, limits,
                 /*capture=*/true, /*batch_endpoint=*/CaptureHasBatch(body));
  }
  return 0;
}
