#include "ingest/request_items.h"

#include <fmt/format.h>

#include <utility>

namespace cdp::ingest {

namespace {

Status EventTooLarge(size_t size, const ParseLimits& limits) {
  return Status::PayloadTooLarge(
      fmt::format("event is {} bytes; the limit is {} bytes", size, limits.max_event_bytes));
}

// `in_batch`: the item's field paths get the "batch[i]" prefix.
void Record(size_t index, Result<Event> result, bool in_batch, ParsedRequest& out) {
  if (result.ok()) {
    out.events.push_back(std::move(result).value());
    out.event_indexes.push_back(index);
    return;
  }
  Status status = std::move(result).TakeStatus();
  if (in_batch) status.PrefixField(fmt::format("batch[{}]", index));
  out.rejected.push_back(RejectedItem{index, std::move(status)});
}

}  // namespace

Result<simdjson::dom::array> ReadBatch(const RequestBody& body, const ParseLimits& limits) {
  simdjson::dom::element element;
  if (body.root().at_key("batch").get(element) != simdjson::SUCCESS) {
    return Status::BadRequest("batch is required", "batch");
  }
  simdjson::dom::array batch;
  if (element.get_array().get(batch) != simdjson::SUCCESS) {
    return Status::BadRequest("batch must be an array of events", "batch");
  }
  // size() saturates at 0xFFFFFF, so say "more than" rather than a count.
  if (batch.size() > limits.max_batch_events) {
    return Status::PayloadTooLarge(
        fmt::format("batch has more than the limit of {} events", limits.max_batch_events),
        "batch");
  }
  return batch;
}

Status ParseBatchItems(const RequestBody& body, const simdjson::dom::array& batch,
                       const ParseLimits& limits, const ItemParser& parse_item,
                       ParsedRequest& out) {
  // No item can be longer than the body, so the sizing pass is only needed
  // for bodies longer than one event may be.
  std::vector<size_t> sizes;
  if (body.trimmed_size() > limits.max_event_bytes) {
    CDP_ASSIGN_OR_RETURN(sizes, body.ArrayItemSizes("batch"));
    if (sizes.size() != batch.size()) {
      return Status::Internal(
          fmt::format("sizing batch items: {} sizes for {} items", sizes.size(), batch.size()));
    }
  }
  size_t index = 0;
  for (const simdjson::dom::element item : batch) {
    Result<Event> result = [&]() -> Result<Event> {
      simdjson::dom::object object;
      if (item.get_object().get(object) != simdjson::SUCCESS) {
        return Status::BadRequest("each batch item must be a JSON object");
      }
      if (!sizes.empty() && sizes[index] > limits.max_event_bytes) {
        return EventTooLarge(sizes[index], limits);
      }
      return parse_item(object);
    }();
    Record(index, std::move(result), /*in_batch=*/true, out);
    ++index;
  }
  return Status::Ok();
}

void ParseSingleItem(const RequestBody& body, const ParseLimits& limits,
                     const ItemParser& parse_item, ParsedRequest& out) {
  Result<Event> result = body.trimmed_size() > limits.max_event_bytes
                             ? Result<Event>(EventTooLarge(body.trimmed_size(), limits))
                             : parse_item(body.root());
  Record(0, std::move(result), /*in_batch=*/false, out);
}

}  // namespace cdp::ingest
