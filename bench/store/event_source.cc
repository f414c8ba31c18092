#include "event_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "ingest/request_parser.h"

namespace cdp::bench {

namespace {

// The arrival time given to the parser; replaced afterwards (see the header).
constexpr TimePoint kParseReceivedAt{};

// FNV-1a: the same on every machine, unlike std::hash.
uint64_t Fnv1a(std::string_view text) {
  uint64_t hash = 14695981039346656037ull;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace

int64_t Micros(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

FixedValue GetFixedValue(const Event& event, size_t index) {
  const auto time = [](std::optional<TimePoint> t) {
    return t ? FixedValue{{}, Micros(*t), false} : FixedValue{{}, 0, true};
  };
  switch (index) {
    case 0:
      return {event.workspace_id};
    case 1:
      return {EventTypeName(event.type)};
    case 2:
      return {event.event};
    case 3:
      return {event.message_id};
    case 4:
      return {event.anonymous_id};
    case 5:
      return {event.user_id};
    case 6:
      return {event.group_id};
    case 7:
      return {event.previous_id};
    case 8:
      return time(event.timestamp);
    case 9:
      return time(event.sent_at);
    case 10:
      return time(event.received_at);
    case 11:
      return time(event.original_timestamp);
    case 12:
      return {event.integrations};
  }
  return {};
}

Result<std::unique_ptr<NdjsonEventReader>> NdjsonEventReader::Open(const std::string& path,
                                                                   std::string workspace_id) {
  std::FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return Status::Internal(fmt::format("opening {}: {}", path, std::strerror(errno)));
  }
  return std::unique_ptr<NdjsonEventReader>(
      new NdjsonEventReader(file, path, std::move(workspace_id)));
}

NdjsonEventReader::NdjsonEventReader(std::FILE* file, std::string path, std::string workspace_id)
    : file_(file), path_(std::move(path)), workspace_id_(std::move(workspace_id)) {
  read_buffer_.resize(1 << 20);
  std::setvbuf(file_, read_buffer_.data(), _IOFBF, read_buffer_.size());
}

NdjsonEventReader::~NdjsonEventReader() {
  if (file_ != stdin) std::fclose(file_);
  std::free(line_);
}

Status NdjsonEventReader::Next(size_t max_events, std::vector<Event>& events) {
  events.clear();
  body_.assign(R"({"batch":[)");
  const uint64_t first_line = lines_read_ + 1;
  size_t lines = 0;
  while (lines < max_events) {
    const ssize_t length = getline(&line_, &line_capacity_, file_);
    if (length < 0) break;
    ++lines_read_;
    bytes_read_ += static_cast<uint64_t>(length);
    std::string_view line(line_, static_cast<size_t>(length));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty()) {
      return Status::BadRequest(fmt::format("{}:{}: empty line", path_, lines_read_));
    }
    if (lines > 0) body_ += ',';
    body_ += line;
    ++lines;
  }
  if (std::ferror(file_)) {
    return Status::Internal(fmt::format("reading {}: {}", path_, std::strerror(errno)));
  }
  if (lines == 0) return Status::Ok();
  body_ += "]}";

  ingest::ParseLimits limits;
  limits.max_batch_events = max_events;
  CDP_ASSIGN_OR_RETURN(ingest::ParsedRequest parsed,
                       ingest::ParseSegmentRequest(body_, std::nullopt, limits, kParseReceivedAt));
  if (!parsed.rejected.empty()) {
    const ingest::RejectedItem& item = parsed.rejected.front();
    return Status::BadRequest(fmt::format("{}:{}: refused by the ingestion parser: {}", path_,
                                          first_line + item.index, item.status.ToString()));
  }
  for (size_t i = 0; i < parsed.events.size(); ++i) {
    Event& event = parsed.events[i];
    if (event.sent_at || !event.original_timestamp) {
      return Status::BadRequest(fmt::format(
          "{}:{}: a message with sentAt or without timestamp: its stored timestamp would "
          "depend on when it arrived",
          path_, first_line + parsed.event_indexes[i]));
    }
    event.workspace_id = workspace_id_;
    event.received_at =
        event.timestamp + std::chrono::milliseconds(20 + Fnv1a(event.message_id) % 480);
  }
  events = std::move(parsed.events);
  return Status::Ok();
}

StringMap<size_t>& EventColumns::SectionMap(std::string_view section) {
  return const_cast<StringMap<size_t>&>(std::as_const(*this).SectionMap(section));
}

const StringMap<size_t>& EventColumns::SectionMap(std::string_view section) const {
  if (section == kContextSection) return context_;
  if (section == kPropertiesSection) return properties_;
  if (section == kTraitsSection) return traits_;
  return traits_set_once_;
}

Status EventColumns::ObserveSection(std::string_view section,
                                    const std::vector<Property>& properties) {
  StringMap<size_t>& map = SectionMap(section);
  for (const Property& property : properties) {
    if (property.is_null()) continue;
    const ColumnKind kind = ColumnKindOf(property.type());
    auto it = map.find(property.name);
    if (it == map.end()) {
      it = map.emplace(property.name, columns_.size()).first;
      columns_.push_back({fmt::format("{}.{}", section, property.name), kind, false});
    }
    PropertyColumn& column = columns_[it->second];
    if (column.kind != kind) {
      return Status::BadRequest(fmt::format("{} holds both {} and {} values", column.name,
                                            ColumnKindName(column.kind), ColumnKindName(kind)));
    }
    if (kind == ColumnKind::kString && !column.has_empty_string &&
        std::get<std::string>(property.value).empty()) {
      column.has_empty_string = true;
    }
  }
  return Status::Ok();
}

Status EventColumns::Observe(const Event& event) {
  CDP_RETURN_IF_ERROR(ObserveSection(kContextSection, event.context));
  CDP_RETURN_IF_ERROR(ObserveSection(kPropertiesSection, event.properties));
  CDP_RETURN_IF_ERROR(ObserveSection(kTraitsSection, event.traits));
  return ObserveSection(kTraitsSetOnceSection, event.traits_set_once);
}

void EventColumns::Finish() {
  std::vector<size_t> order(columns_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return columns_[a].name < columns_[b].name; });
  std::vector<size_t> new_index(columns_.size());
  std::vector<PropertyColumn> sorted;
  sorted.reserve(columns_.size());
  for (size_t i = 0; i < order.size(); ++i) {
    new_index[order[i]] = i;
    sorted.push_back(std::move(columns_[order[i]]));
  }
  columns_ = std::move(sorted);
  for (StringMap<size_t>* map : {&context_, &properties_, &traits_, &traits_set_once_}) {
    for (auto& [name, index] : *map) index = new_index[index];
  }
}

void EventColumns::Slot(const Event& event, std::vector<const Property*>& slots) const {
  slots.assign(columns_.size(), nullptr);
  const auto slot_section = [&](std::string_view section, const std::vector<Property>& properties) {
    const StringMap<size_t>& map = SectionMap(section);
    for (const Property& property : properties) {
      if (property.is_null()) continue;
      slots[map.find(property.name)->second] = &property;
    }
  };
  slot_section(kContextSection, event.context);
  slot_section(kPropertiesSection, event.properties);
  slot_section(kTraitsSection, event.traits);
  slot_section(kTraitsSetOnceSection, event.traits_set_once);
}

Result<EventColumns> DiscoverColumns(const std::string& path, const std::string& workspace_id) {
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<NdjsonEventReader> reader,
                       NdjsonEventReader::Open(path, workspace_id));
  EventColumns columns;
  std::vector<Event> events;
  while (true) {
    CDP_RETURN_IF_ERROR(reader->Next(2500, events));
    if (events.empty()) break;
    for (const Event& event : events) CDP_RETURN_IF_ERROR(columns.Observe(event));
  }
  columns.Finish();
  return columns;
}

}  // namespace cdp::bench
