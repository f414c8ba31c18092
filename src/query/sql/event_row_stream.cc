#include "query/sql/event_row_stream.h"

#include <memory>
#include <utility>

namespace cdp::query {

namespace {

const CellSource* FirstPersonSource(const std::vector<CellSource>& sources) {
  for (const CellSource& source : sources) {
    if (source.kind == CellSource::Kind::kPersonId) return &source;
  }
  return nullptr;
}

}  // namespace

EventRowStream::EventRowStream(EventStore& store, const QueryContext& context, ScanRequest request,
                               std::vector<CellSource> sources, SqlMemoryBudget* budget,
                               Options options)
    : sources_(std::move(sources)),
      options_(options),
      person_source_(FirstPersonSource(sources_)),
      stream_(
          [this, &store, scan_context = context,
           request = std::move(request)](const SqlRowStream::Push& push) {
            QueryContext one_worker = scan_context;
            one_worker.parallelism = 1;
            return ScanForQuery(store, one_worker, request,
                                [&](int, const ScanBatch& batch) { return Consume(batch, push); });
          },
          budget, options) {}

Status EventRowStream::Consume(const ScanBatch& batch, const SqlRowStream::Push& push) {
  persons_.clear();
  if (person_source_ != nullptr) {
    if (!person_reader_) person_reader_.emplace(*person_source_->persons);
    person_reader_->Read(batch, person_source_->column, person_source_->second_column, persons_);
  }
  size_t next = 0;
  while (next < batch.selection.size()) {
    auto rows = std::make_unique<RowChunk>(sources_.size());
    next = rows->Append(batch, sources_, persons_, next, options_.chunk_bytes);
    CDP_RETURN_IF_ERROR(push(std::move(rows)));
  }
  return Status::Ok();
}

}  // namespace cdp::query
