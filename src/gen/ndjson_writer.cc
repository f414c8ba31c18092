#include "gen/ndjson_writer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cdp::gen {

namespace {

constexpr size_t kBufferBytes = 1 << 20;

}  // namespace

Result<std::unique_ptr<NdjsonWriter>> NdjsonWriter::Open(const std::string& path) {
  if (path == "-") {
    return std::unique_ptr<NdjsonWriter>(new NdjsonWriter(STDOUT_FILENO, "", false));
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::BadRequest(fmt::format("cannot create {}: {}", path, std::strerror(errno)),
                              "out");
  }
  return std::unique_ptr<NdjsonWriter>(new NdjsonWriter(fd, path, true));
}

NdjsonWriter::NdjsonWriter(int fd, std::string path, bool owned)
    : fd_(fd), path_(std::move(path)), owned_(owned) {
  buffer_.reserve(kBufferBytes + (64 << 10));
}

NdjsonWriter::~NdjsonWriter() {
  if (owned_ && fd_ >= 0) ::close(fd_);
}

Status NdjsonWriter::Append(std::string_view line) {
  buffer_.append(line);
  return EndLine();
}

Status NdjsonWriter::EndLine() {
  buffer_.push_back('\n');
  if (buffer_.size() < kBufferBytes) return Status::Ok();
  return Drain();
}

Status NdjsonWriter::Drain() {
  size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string where = path_.empty() ? "stdout" : path_;
      buffer_.erase(0, done);
      written_ += done;
      return Status::BadRequest(fmt::format("cannot write {}: {}", where, std::strerror(errno)),
                                "out");
    }
    done += static_cast<size_t>(n);
  }
  written_ += done;
  buffer_.clear();
  return Status::Ok();
}

Status NdjsonWriter::Close() {
  Status status = Drain();
  if (owned_ && fd_ >= 0) {
    if (::close(fd_) != 0 && status.ok()) {
      status = Status::BadRequest(fmt::format("cannot write {}: {}", path_, std::strerror(errno)),
                                  "out");
    }
    fd_ = -1;
  }
  return status;
}

void NdjsonWriter::Abandon() {
  if (!owned_) return;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(path_.c_str());
}

}  // namespace cdp::gen
