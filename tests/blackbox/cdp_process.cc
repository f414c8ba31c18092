#include "blackbox/cdp_process.h"

#include <atomic>

namespace cdp::testing {

int RunCdp(const std::string& data_dir, const std::vector<std::string>& args, std::string* output,
           std::map<std::string, std::string> env) {
  env["CDP_DATA_DIR"] = data_dir;
  return TestProcess::Run(CDP_BINARY, args, env, output);
}

CdpServer::CdpServer(const std::string& data_dir, std::map<std::string, std::string> env) {
  env["CDP_DATA_DIR"] = data_dir;
  env["CDP_PORT"] = "0";
  env.try_emplace("CDP_HTTP_THREADS", "2");
  // One output file per server: a restarted server on the same data dir must
  // not be taken for the previous one by its "listening" line.
  static std::atomic<int> servers{0};
  const std::string output = data_dir + "/serve-" + std::to_string(++servers) + ".log";
  process_ =
      std::make_unique<TestProcess>(CDP_BINARY, std::vector<std::string>{"serve"}, env, output);
  const auto line = process_->WaitForOutput("\"msg\":\"listening\"", std::chrono::seconds(20));
  if (line) port_ = static_cast<uint16_t>(JsonIntField(*line, "port").value_or(0));
}

}  // namespace cdp::testing
