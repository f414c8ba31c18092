#include "store/columnar/io/file_system.h"

#include <cerrno>
#include <cstring>

namespace cdp::columnar {
namespace {

class MemoryMappedFile final : public MappedFile {
 public:
  MemoryMappedFile(std::string path, std::string_view bytes)
      : path_(std::move(path)),
        words_(std::make_unique<uint64_t[]>(bytes.size() / sizeof(uint64_t) + 1)),
        size_(bytes.size()) {
    if (!bytes.empty()) std::memcpy(words_.get(), bytes.data(), bytes.size());
  }

  std::string_view data() const override {
    return {reinterpret_cast<const char*>(words_.get()), size_};
  }
  const std::string& path() const override { return path_; }

 private:
  const std::string path_;
  const std::unique_ptr<uint64_t[]> words_;
  const size_t size_;
};

}  // namespace

std::shared_ptr<const MappedFile> NewMemoryMappedFile(std::string path, std::string_view bytes) {
  return std::make_shared<MemoryMappedFile>(std::move(path), bytes);
}

Status FileSystemError(std::string_view operation, std::string_view path, int error_number) {
  std::string cause = "cannot ";
  cause += operation;
  cause += ' ';
  cause += path;
  cause += ": ";
  cause += std::strerror(error_number);
  if (error_number == ENOENT) {
    Status status = Status::NotFound("file not found");
    status.WithCause(std::move(cause));
    return status;
  }
  return Status::Internal(std::move(cause));
}

std::string DirectoryOf(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string_view BaseNameOf(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string path(dir);
  if (!path.empty() && path.back() != '/') path += '/';
  path += name;
  return path;
}

}  // namespace cdp::columnar
