#include "blackbox/cdp_process.h"

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
  process_ = std::make_unique<TestProcess>(CDP_BINARY, std::vector<std::string>{"serve"}, env,
                                           data_dir + "/serve.log");
  const auto line = process_->WaitForOutput("\"msg\":\"listening\"", std::chrono::seconds(20));
  if (line) port_ = static_cast<uint16_t>(JsonIntField(*line, "port").value_or(0));
}

}  // namespace cdp::testing
