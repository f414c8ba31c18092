#include "ingest/linkable_id.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "core/json_writer.h"
#include "identity/identity_graph.h"

namespace cdp::ingest {

namespace {

// Longer values are cut in the message: a client may send kilobytes of
// whitespace, and the answer need not echo them.
constexpr size_t kMaxQuotedBytes = 40;

bool IsBlank(std::string_view id) {
  return std::all_of(id.begin(), id.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  });
}

// The value in double quotes, escaped as in JSON so that whitespace and
// control characters show, cut at a character boundary when long.
std::string Quoted(std::string_view id) {
  std::string out = "\"";
  if (id.size() <= kMaxQuotedBytes) {
    AppendJsonEscaped(out, id);
    return out + "\"";
  }
  size_t cut = kMaxQuotedBytes;
  while (cut > 0 && (static_cast<unsigned char>(id[cut]) & 0xC0) == 0x80) --cut;
  AppendJsonEscaped(out, id.substr(0, cut));
  return out + "\"...";
}

}  // namespace

Status RequireLinkableId(std::string_view id, std::string_view field) {
  if (id.empty() || identity::IsLegalDistinctId(id)) return Status::Ok();
  // IsLegalDistinctId refuses blank ids and a list of placeholders; the
  // message says which of the two this is, so the client knows what to fix.
  const std::string_view kind = IsBlank(id) ? "blank values" : "placeholder values";
  return Status::BadRequest(fmt::format("{} {} is not a usable id: {} would merge unrelated people",
                                        field, Quoted(id), kind),
                            std::string(field));
}

}  // namespace cdp::ingest
