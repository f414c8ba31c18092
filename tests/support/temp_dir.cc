#include "support/temp_dir.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace cdp::testing {

namespace {

std::string DefaultParent() {
  const char* base = std::getenv("TMPDIR");
  return base && *base ? base : "/tmp";
}

}  // namespace

TempDir::TempDir() : TempDir(DefaultParent()) {}

TempDir TempDir::InMemory() {
  std::error_code error;
  return TempDir(std::filesystem::is_directory("/dev/shm", error) ? "/dev/shm" : DefaultParent());
}

TempDir::TempDir(const std::string& parent) {
  std::string pattern = parent + "/cdp-test-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = buffer.data();
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace cdp::testing
