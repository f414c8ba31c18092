#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace cdp {

// For tests: a fresh directory under $TMPDIR (or /tmp), removed with its
// contents on destruction, so that tests never share a database file.
class TempDirForTesting {
 public:
  TempDirForTesting() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/cdp_test_XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      std::abort();  // a test without a scratch directory cannot mean anything
    }
    path_ = pattern;
  }
  TempDirForTesting(const TempDirForTesting&) = delete;
  TempDirForTesting& operator=(const TempDirForTesting&) = delete;
  ~TempDirForTesting() {
    std::error_code ignored;  // leftovers in /tmp are harmless
    std::filesystem::remove_all(path_, ignored);
  }

  const std::string& path() const { return path_; }
  // A path inside the directory.
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

}  // namespace cdp
