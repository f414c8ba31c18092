#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/temp_dir.h"
#include "support/test_process.h"

namespace cdp::testing {

// Runs a cdp command against `data_dir` to completion.
int RunCdp(const std::string& data_dir, const std::vector<std::string>& args, std::string* output,
           std::map<std::string, std::string> env = {});

// A `cdp serve` child on a free port (it binds port 0 and logs the port it got).
class CdpServer {
 public:
  // Starts the server; check port() != 0.
  CdpServer(const std::string& data_dir, std::map<std::string, std::string> env);
  uint16_t port() const { return port_; }
  TestProcess& process() { return *process_; }

 private:
  std::unique_ptr<TestProcess> process_;
  uint16_t port_ = 0;
};

}  // namespace cdp::testing
