#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cdp::gen {

// Writes newline-delimited JSON to a file or stdout through a 1 MiB buffer.
// Thread safety: none.
class NdjsonWriter {
 public:
  // "-" means stdout; otherwise the file is created or truncated (mode 0644).
  static Result<std::unique_ptr<NdjsonWriter>> Open(const std::string& path);
  ~NdjsonWriter();
  NdjsonWriter(const NdjsonWriter&) = delete;
  NdjsonWriter& operator=(const NdjsonWriter&) = delete;

  // Appends `line` and a newline.
  Status Append(std::string_view line);

  // For writers that serialize in place: append one line's text to buffer(),
  // then call EndLine(), which adds the newline (and writes when full).
  std::string& buffer() { return buffer_; }
  Status EndLine();

  // Writes what is buffered and closes the file. Must be called for the
  // output to be complete; the first error is returned.
  Status Close();
  // Gives up: closes and removes a partial file (stdout is left alone).
  void Abandon();

  // Bytes written or buffered so far.
  uint64_t bytes() const { return written_ + buffer_.size(); }

 private:
  NdjsonWriter(int fd, std::string path, bool owned);
  Status Drain();

  int fd_;
  std::string path_;  // for messages; empty for stdout
  bool owned_;        // whether we opened (and must close) fd_
  std::string buffer_;
  uint64_t written_ = 0;
};

}  // namespace cdp::gen
