#include "store/columnar/io/part_writer.h"

#include <cassert>

#include "store/columnar/io/part_format.h"

namespace cdp::columnar {
namespace {

constexpr char kZeros[kPartBlockAlignment] = {};

void AddCause(Status& status, const std::string& more) {
  if (more.empty()) return;
  std::string cause = status.cause().empty() ? more.substr(2) : status.cause() + more;
  status.WithCause(std::move(cause));
}

}  // namespace

Result<std::unique_ptr<PartWriter>> PartWriter::Create(FileSystem& fs, const std::string& path) {
  const std::string_view name = BaseNameOf(path);
  if (name.empty() || name.starts_with(kTemporaryPartPrefix)) {
    return Status::Internal("invalid part path " + path + ": the name is empty or starts with " +
                            std::string(kTemporaryPartPrefix));
  }
  Result<uint64_t> existing = fs.FileSize(path);
  if (existing.ok()) {
    Status status = Status::Conflict("part already exists");
    status.WithCause("part " + path + " already exists");
    return status;
  }
  if (existing.status().code() != ErrorCode::kNotFound) return std::move(existing).TakeStatus();

  std::string temporary_path =
      JoinPath(DirectoryOf(path), std::string(kTemporaryPartPrefix) + std::string(name));
  CDP_ASSIGN_OR_RETURN(auto file, fs.NewWritableFile(temporary_path));
  // The constructor is private: no std::make_unique.
  std::unique_ptr<PartWriter> writer(
      new PartWriter(fs, path, std::move(temporary_path), std::move(file)));
  if (Status status = writer->Write(kPartMagic); !status.ok()) {
    return writer->Fail(std::move(status));
  }
  return writer;
}

PartWriter::PartWriter(FileSystem& fs, std::string path, std::string temporary_path,
                       std::unique_ptr<WritableFile> file)
    : fs_(fs),
      path_(std::move(path)),
      temporary_path_(std::move(temporary_path)),
      file_(std::move(file)) {}

PartWriter::~PartWriter() {
  if (state_ == State::kWriting) static_cast<void>(Abandon());
}

Status PartWriter::Write(std::string_view bytes) {
  if (bytes.empty()) return Status::Ok();
  CDP_RETURN_IF_ERROR(file_->Append(bytes));
  offset_ += bytes.size();
  return Status::Ok();
}

Status PartWriter::StartColumn(std::string_view name, uint8_t kind) {
  if (state_ == State::kFailed) return failure_;
  assert(state_ == State::kWriting);
  if (name.empty()) return Fail(Status::Internal("part " + path_ + ": empty column name"));
  if (!column_names_.emplace(name).second) {
    return Fail(Status::Internal("part " + path_ + ": column " + std::string(name) + " twice"));
  }
  columns_.push_back(Column{std::string(name), kind, {}});
  return Status::Ok();
}

Status PartWriter::AppendBlock(std::string_view data, std::string_view stats, uint64_t row_count) {
  if (state_ == State::kFailed) return failure_;
  assert(state_ == State::kWriting);
  assert(!columns_.empty() && "AppendBlock before StartColumn");
  if (columns_.empty()) return Fail(Status::Internal("part " + path_ + ": block before a column"));
  const uint64_t padding =
      (kPartBlockAlignment - offset_ % kPartBlockAlignment) % kPartBlockAlignment;
  Status status = Write(std::string_view(kZeros, padding));
  Block block{offset_, data.size(), row_count, PartChecksum(data), std::string(stats)};
  if (status.ok()) status = Write(data);
  if (!status.ok()) return Fail(std::move(status));
  columns_.back().blocks.push_back(std::move(block));
  return Status::Ok();
}

void PartWriter::SetMetadata(std::string_view key, std::string_view value) {
  assert(state_ == State::kWriting || state_ == State::kFailed);
  metadata_.insert_or_assign(std::string(key), std::string(value));
}

std::string PartWriter::EncodeFooter() const {
  std::string footer;
  PutVarint64(footer, columns_.size());
  for (const Column& column : columns_) {
    PutLengthPrefixed(footer, column.name);
    footer.push_back(static_cast<char>(column.kind));
    PutVarint64(footer, column.blocks.size());
    for (const Block& block : column.blocks) {
      PutVarint64(footer, block.offset);
      PutVarint64(footer, block.size);
      PutVarint64(footer, block.row_count);
      PutFixed64(footer, block.checksum);
      PutLengthPrefixed(footer, block.stats);
    }
  }
  // std::map orders std::string keys as memcmp does, as the format asks.
  PutVarint64(footer, metadata_.size());
  for (const auto& [key, value] : metadata_) {
    PutLengthPrefixed(footer, key);
    PutLengthPrefixed(footer, value);
  }
  return footer;
}

Status PartWriter::Finish() {
  if (state_ == State::kFailed) return failure_;
  assert(state_ == State::kWriting);
  std::string tail = EncodeFooter();
  const PartTrailer trailer{offset_, tail.size(), PartChecksum(tail), kPartFormatVersion};
  tail += EncodePartTrailer(trailer);

  Status status = Write(tail);
  if (status.ok()) status = file_->Sync();
  if (status.ok()) status = file_->Close();
  if (!status.ok()) return Fail(std::move(status));
  file_.reset();
  if (status = fs_.Rename(temporary_path_, path_); !status.ok()) {
    return Fail(std::move(status), Stage::kRenameFailed);
  }
  if (status = fs_.SyncDirectory(DirectoryOf(path_)); !status.ok()) {
    return Fail(std::move(status), Stage::kRenamed);
  }
  state_ = State::kFinished;
  return Status::Ok();
}

Status PartWriter::Abandon() {
  assert(state_ != State::kFinished && "Abandon after Finish");
  if (state_ != State::kWriting) return Status::Ok();
  state_ = State::kAbandoned;
  Status closed = file_ ? file_->Close() : Status::Ok();
  file_.reset();
  CDP_RETURN_IF_ERROR(fs_.RemoveFile(temporary_path_));
  return closed;
}

Status PartWriter::Fail(Status status, Stage stage) {
  assert(!status.ok());
  state_ = State::kFailed;
  std::string cleanup;  // "; cleanup: <status>" per failed step
  auto note = [&cleanup](const Status& step) {
    if (!step.ok()) cleanup += "; cleanup: " + step.ToString();
  };
  if (file_) note(file_->Close());
  file_.reset();
  switch (stage) {
    case Stage::kBeforeRename:
      note(fs_.RemoveFile(temporary_path_));
      break;
    case Stage::kRenameFailed: {
      // A rename that reports failure may still have happened (NFS): then
      // the final name holds the part, and must go.
      Status removed = fs_.RemoveFile(temporary_path_);
      if (removed.code() == ErrorCode::kNotFound) {
        removed = fs_.RemoveFile(path_);
        if (removed.code() == ErrorCode::kNotFound) removed = Status::Ok();
      }
      note(removed);
      break;
    }
    case Stage::kRenamed:
      note(fs_.RemoveFile(path_));
      break;
  }
  AddCause(status, cleanup);
  failure_ = status;
  return status;
}

Result<size_t> RemoveTemporaryParts(FileSystem& fs, const std::string& dir) {
  CDP_ASSIGN_OR_RETURN(const std::vector<std::string> names, fs.ListDirectory(dir));
  size_t removed = 0;
  for (const std::string& name : names) {
    if (!std::string_view(name).starts_with(kTemporaryPartPrefix)) continue;
    Status status = fs.RemoveFile(JoinPath(dir, name));
    if (!status.ok() && status.code() != ErrorCode::kNotFound) return status;
    ++removed;
  }
  if (removed > 0) CDP_RETURN_IF_ERROR(fs.SyncDirectory(dir));
  return removed;
}

}  // namespace cdp::columnar
