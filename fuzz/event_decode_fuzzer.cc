// libFuzzer target: DecodeEvent on arbitrary bytes, as a damaged event-log
// segment would hand it (event_codec.h: "Never crashes, whatever the bytes").
// A refusal must be a BadRequest with a message. An accepted payload must
// re-encode to a payload that decodes to an event that encodes to the same
// bytes again: decode(encode(e)) == e for every e the decoder produces.
//
// Input: the payload itself (corpus seeds are payloads EncodeEvent wrote).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/result.h"
#include "model/event.h"
#include "model/event_codec.h"

namespace {

[[noreturn]] void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "event_decode_fuzzer: invariant broken: %s: %.*s\n", what,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cdp;
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  Result<Event> decoded = DecodeEvent(payload);
  if (!decoded.ok()) {
    const Status& status = decoded.status();
    if (status.code() != ErrorCode::kBadRequest || status.message().empty()) {
      Fail("a refused payload must be a BadRequest with a message", status.ToString());
    }
    return 0;
  }
  const std::string encoded = EncodeEvent(*decoded);
  Result<Event> again = DecodeEvent(encoded);
  if (!again.ok())
    Fail("DecodeEvent(EncodeEvent(DecodeEvent(p))) failed", again.status().ToString());
  const std::string reencoded = EncodeEvent(*again);
  if (reencoded != encoded) Fail("re-encoding is not stable", encoded + "\n  then: " + reencoded);
  return 0;
}
