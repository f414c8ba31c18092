#include "store/columnar/store_checkpoint.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <vector>

#include "core/parse_integer.h"

namespace cdp::columnar {

// The file is text, one record a line, the last line a checksum of the rest:
//   cdp-store-checkpoint 1
//   block <n>
//   offset <partition> <next offset>      (one line per log partition)
//   xxh3 <16 hex digits of XXH3_64bits of every byte before this line>
namespace {

constexpr std::string_view kHeader = "cdp-store-checkpoint 1";

Status Damaged(const std::string& path, std::string_view what) {
  return Status::Internal(
      fmt::format("the event store's checkpoint {} is damaged: {}", path, what));
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      pieces.push_back(text.substr(start));
      break;
    }
    pieces.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return pieces;
}

}  // namespace

Result<StoreCheckpoint> ReadStoreCheckpoint(FileSystem& fs, const std::string& root) {
  const std::string path = JoinPath(root, kCheckpointFileName);
  auto file = fs.NewRandomAccessFile(path);
  if (!file.ok()) {
    if (file.status().code() == ErrorCode::kNotFound) return StoreCheckpoint{};
    return file.status();
  }
  CDP_ASSIGN_OR_RETURN(const uint64_t size, (*file)->Size());
  if (size > (uint64_t{1} << 24)) return Damaged(path, "larger than 16 MiB");
  std::string text(size, '\0');
  CDP_ASSIGN_OR_RETURN(const size_t read, (*file)->ReadAt(0, text.size(), text.data()));
  if (read != text.size()) return Damaged(path, "shorter than its size");

  const size_t checksum_line = text.rfind("xxh3 ");
  uint64_t checksum = 0;
  if (checksum_line == std::string::npos || !text.ends_with('\n') ||
      !ParseInteger(
          std::string_view(text).substr(checksum_line + 5, text.size() - checksum_line - 6),
          checksum, 16) ||
      XXH3_64bits(text.data(), checksum_line) != checksum) {
    return Damaged(path, "checksum mismatch");
  }
  const std::vector<std::string_view> lines =
      Split(std::string_view(text).substr(0, checksum_line), '\n');
  // The body ends in '\n', so the last piece is empty.
  if (lines.size() < 3 || lines[0] != kHeader || !lines.back().empty()) {
    return Damaged(path, "unknown header");
  }
  StoreCheckpoint checkpoint;
  const std::vector<std::string_view> block = Split(lines[1], ' ');
  if (block.size() != 2 || block[0] != "block" || !ParseInteger(block[1], checkpoint.block)) {
    return Damaged(path, "no block line");
  }
  for (size_t i = 2; i + 1 < lines.size(); ++i) {
    const std::vector<std::string_view> fields = Split(lines[i], ' ');
    int partition = 0;
    uint64_t offset = 0;
    if (fields.size() != 3 || fields[0] != "offset" || !ParseInteger(fields[1], partition) ||
        !ParseInteger(fields[2], offset) || partition < 0 ||
        !checkpoint.offsets.emplace(partition, offset).second) {
      return Damaged(path, fmt::format("bad line {}", i + 1));
    }
  }
  return checkpoint;
}

Status WriteStoreCheckpoint(FileSystem& fs, const std::string& root,
                            const StoreCheckpoint& checkpoint) {
  std::string text = fmt::format("{}\nblock {}\n", kHeader, checkpoint.block);
  for (const auto& [partition, offset] : checkpoint.offsets) {
    text += fmt::format("offset {} {}\n", partition, offset);
  }
  text += fmt::format("xxh3 {:016x}\n", XXH3_64bits(text.data(), text.size()));

  const std::string path = JoinPath(root, kCheckpointFileName);
  const std::string temporary = JoinPath(root, std::string("tmp_") + kCheckpointFileName);
  CDP_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs.NewWritableFile(temporary));
  Status status = file->Append(text);
  if (status.ok()) status = file->Sync();
  if (const Status closed = file->Close(); status.ok()) status = closed;
  if (status.ok()) status = fs.Rename(temporary, path);
  if (status.ok()) return fs.SyncDirectory(root);
  (void)fs.RemoveFile(temporary);  // best effort: a leftover is replaced next time
  return status;
}

}  // namespace cdp::columnar
