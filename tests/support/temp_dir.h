#pragma once

#include <string>

namespace cdp::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents when
// the object goes away.
class TempDir {
 public:
  TempDir();
  // Under `parent` instead.
  explicit TempDir(const std::string& parent);
  // Under /dev/shm when the machine has it: for tests whose crashes are
  // simulated above the file system and that would only wait on real fsyncs.
  static TempDir InMemory();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace cdp::testing
