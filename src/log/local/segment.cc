#include "log/local/segment.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/log.h"
#include "log/local/file_io.h"
#include "log/local/record_format.h"

namespace cdp::local_log {

namespace {

constexpr uint64_t kIndexEveryBytes = 64 << 10;
constexpr uint64_t kReserveStepBytes = 4 << 20;
constexpr size_t kReadChunkBytes = 256 << 10;

}  // namespace

std::string SegmentFileName(uint64_t base_offset) { return fmt::format("{:020}.log", base_offset); }

Segment::Segment(std::string path, int fd, uint64_t base_offset, uint64_t reserve_bytes)
    : path_(std::move(path)),
      fd_(fd),
      base_offset_(base_offset),
      end_offset_(base_offset),
      reserve_limit_(reserve_bytes) {}

Segment::~Segment() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<Segment>> Segment::Create(const std::string& dir, uint64_t base_offset,
                                                 uint64_t reserve_bytes) {
  const std::string path = dir + "/" + SegmentFileName(base_offset);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("create", path);
  auto segment = std::unique_ptr<Segment>(new Segment(path, fd, base_offset, reserve_bytes));
  CDP_RETURN_IF_ERROR(SyncDirectory(dir));
  return segment;
}

Result<std::unique_ptr<Segment>> Segment::Open(const std::string& path, uint64_t base_offset,
                                               bool is_last, uint64_t reserve_bytes) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path);
  auto segment =
      std::unique_ptr<Segment>(new Segment(path, fd, base_offset, is_last ? reserve_bytes : 0));
  CDP_RETURN_IF_ERROR(segment->Scan(is_last));
  segment->reserved_bytes_ = segment->size_bytes_;
  return segment;
}

Status Segment::Scan(bool is_last) {
  std::string buffer;
  uint64_t position = 0;  // file position of buffer[0]
  size_t consumed = 0;    // bytes of buffer already decoded
  bool eof = false;
  while (true) {
    DecodedRecord record;
    const DecodeResult result =
        DecodeFramedRecord(std::string_view(buffer).substr(consumed), record);
    if (result == DecodeResult::kRecord) {
      if (record.offset != end_offset_) {
        return Status::Internal(fmt::format("{}: record at byte {} has offset {}, expected {}",
                                            path_, position + consumed, record.offset,
                                            end_offset_));
      }
      MaybeIndex(record.offset, position + consumed);
      consumed += record.frame_bytes;
      ++end_offset_;
      continue;
    }
    if (result == DecodeResult::kIncomplete && !eof) {
      // Keep the undecoded rest and read the next chunk after it.
      position += consumed;
      buffer.erase(0, consumed);
      consumed = 0;
      const size_t kept = buffer.size();
      buffer.resize(kept + kReadChunkBytes);
      CDP_ASSIGN_OR_RETURN(const size_t got, ReadAt(fd_, path_, buffer.data() + kept,
                                                    kReadChunkBytes, position + kept));
      buffer.resize(kept + got);
      eof = got == 0;
      continue;
    }
    break;  // end of data, or a torn / corrupt record
  }
  const uint64_t valid_bytes = position + consumed;
  const uint64_t file_bytes = position + buffer.size();
  if (valid_bytes < file_bytes) {
    if (!is_last) {
      return Status::Internal(
          fmt::format("{}: corrupt record at byte {} of an older segment", path_, valid_bytes));
    }
    // Only the tail written since the last sync can be torn by a crash; it
    // was never acknowledged, so cutting it off loses nothing accepted.
    log::Warn("event log: cutting off a torn tail")
        .Str("segment", path_)
        .Int("valid_bytes", static_cast<int64_t>(valid_bytes))
        .Int("torn_bytes", static_cast<int64_t>(file_bytes - valid_bytes));
    if (::ftruncate(fd_, static_cast<off_t>(valid_bytes)) != 0) {
      return ErrnoStatus("truncate", path_);
    }
    CDP_RETURN_IF_ERROR(SyncFile(fd_, path_));
  }
  size_bytes_ = valid_bytes;
  return Status::Ok();
}

void Segment::MaybeIndex(uint64_t offset, uint64_t position) {
  if (position != 0 && position - last_indexed_position_ < kIndexEveryBytes) return;
  std::lock_guard lock(index_mu_);
  index_.emplace_back(offset, position);
  last_indexed_position_ = position;
}

uint64_t Segment::PositionAtOrBefore(uint64_t offset) const {
  std::lock_guard lock(index_mu_);
  auto it = std::upper_bound(index_.begin(), index_.end(), std::make_pair(offset, UINT64_MAX));
  if (it == index_.begin()) return 0;
  return std::prev(it)->second;
}

void Segment::ReserveBlocksFor(uint64_t end) {
  if (end <= reserved_bytes_ || reserved_bytes_ >= reserve_limit_) return;
  const uint64_t target =
      std::min(reserve_limit_, std::max(end, reserved_bytes_ + kReserveStepBytes));
  if (::fallocate(fd_, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(reserved_bytes_),
                  static_cast<off_t>(target - reserved_bytes_)) != 0) {
    reserve_limit_ = 0;  // unsupported, or the disk is full: plain appends from now on
    return;
  }
  reserved_bytes_ = target;
}

Status Segment::Append(const std::string& framed, uint64_t record_count) {
  ReserveBlocksFor(size_bytes_ + framed.size());
  CDP_RETURN_IF_ERROR(WriteAt(fd_, path_, framed.data(), framed.size(), size_bytes_));
  // Index the batch's first record; batches are the unit of a write.
  MaybeIndex(end_offset_, size_bytes_);
  size_bytes_ += framed.size();
  end_offset_ += record_count;
  return Status::Ok();
}

Status Segment::Sync() { return SyncFile(fd_, path_); }

Status Segment::Truncate(uint64_t size_bytes, uint64_t end_offset) {
  if (::ftruncate(fd_, static_cast<off_t>(size_bytes)) != 0) return ErrnoStatus("truncate", path_);
  size_bytes_ = size_bytes;
  reserved_bytes_ = std::min(reserved_bytes_, size_bytes);  // truncation frees reserved blocks
  end_offset_ = end_offset;
  std::lock_guard lock(index_mu_);
  while (!index_.empty() && index_.back().second >= size_bytes) index_.pop_back();
  last_indexed_position_ = index_.empty() ? 0 : index_.back().second;
  return Status::Ok();
}

Status Segment::ReadFrom(uint64_t from_offset, uint64_t until_offset, size_t max_bytes,
                         std::vector<LogRecord>& out) const {
  uint64_t position = PositionAtOrBefore(from_offset);
  std::string buffer;
  size_t consumed = 0;
  size_t payload_bytes = 0;
  const size_t records_before = out.size();
  uint64_t next = from_offset;
  while (next < until_offset && (payload_bytes < max_bytes || out.size() == records_before)) {
    DecodedRecord record;
    const DecodeResult result =
        DecodeFramedRecord(std::string_view(buffer).substr(consumed), record);
    if (result == DecodeResult::kRecord) {
      consumed += record.frame_bytes;
      if (record.offset < from_offset) continue;
      out.push_back(LogRecord{record.offset, std::string(record.key), std::string(record.payload)});
      payload_bytes += record.payload.size();
      next = record.offset + 1;
      continue;
    }
    if (result == DecodeResult::kCorrupt) {
      return Status::Internal(
          fmt::format("{}: corrupt record near byte {}", path_, position + consumed));
    }
    position += consumed;
    buffer.erase(0, consumed);
    consumed = 0;
    const size_t kept = buffer.size();
    buffer.resize(kept + kReadChunkBytes);
    CDP_ASSIGN_OR_RETURN(const size_t got, ReadAt(fd_, path_, buffer.data() + kept, kReadChunkBytes,
                                                  position + kept));
    buffer.resize(kept + got);
    if (got == 0) {
      return Status::Internal(
          fmt::format("{}: offset {} expected before byte {}", path_, next, position + kept));
    }
  }
  return Status::Ok();
}

}  // namespace cdp::local_log
