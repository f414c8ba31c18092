#include "app/routes_command.h"

#include <stdlib.h>

#include <filesystem>
#include <iostream>
#include <string>

#include "app/api_router.h"
#include "http/metrics.h"
#include "http/route_access.h"
#include "meta/sqlite/sqlite_migrator.h"

namespace cdp {

namespace {

int Fail(std::string_view what, const Status& status) {
  std::cerr << "cdp: " << what << ": " << status.message();
  if (!status.cause().empty()) std::cerr << " (" << status.cause() << ")";
  std::cerr << "\n";
  return 1;
}

// A fresh directory of its own, removed with its contents on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::error_code error;
    std::string pattern =
        (std::filesystem::temp_directory_path(error) / "cdp-routes-XXXXXX").string();
    if (error) pattern = "/tmp/cdp-routes-XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;  // a leftover in the temp directory is harmless
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

int RunRoutesCommand(const Config& config) {
  // The route table does not depend on what the data directory holds, so it
  // is built on a scratch one: listing routes then never opens the event log
  // or the store of a directory a running server is using. The stack is
  // opened exactly as `cdp serve` opens it (ApiStack), from the same
  // configuration.
  const ScratchDir scratch;
  if (scratch.path().empty()) {
    return Fail("cannot create a scratch directory", Status::Internal("mkdtemp failed"));
  }
  Config scratch_config = config;
  scratch_config.data_dir = scratch.path();
  scratch_config.meta_db.clear();
  {
    auto migrator = OpenSqliteMigrator(scratch_config.MetaDbPath());
    if (!migrator.ok()) return Fail("cannot create a metadata database", migrator.status());
    if (Status up = (*migrator)->Up(); !up.ok()) {
      return Fail("cannot create a metadata database", up);
    }
  }
  const http::HttpMetrics metrics(1);
  auto stack = ApiStack::Open(scratch_config, metrics);
  if (!stack.ok()) return Fail("cannot build the route table", stack.status());
  for (const http::Route* route : (*stack)->router().routes()) {
    std::cout << route->method << '\t' << route->pattern << '\t'
              << http::RouteAccessName(route->access) << '\n';
  }
  std::cout.flush();
  (*stack)->Close();
  return std::cout ? 0 : 1;
}

}  // namespace cdp
