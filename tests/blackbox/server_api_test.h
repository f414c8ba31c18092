#pragma once

// What the black-box tests of the server API share: a data directory with
// workspaces and their keys, a running `cdp serve`, and requests as clients
// send them.

#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <memory>
#include <regex>
#include <string>

#include "blackbox/cdp_process.h"
#include "support/raw_http_client.h"

namespace cdp::testing {

using Headers = std::map<std::string, std::string>;

inline constexpr char kMetricsToken[] = "blackbox-test-metrics-token";

struct Keys {
  std::string write_key;
  std::string secret_key;
};

// base64 of "<key>:", as SDKs send the write key.
inline std::string BasicAuth(const std::string& key) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string text = key + ":";
  std::string out;
  for (size_t i = 0; i < text.size(); i += 3) {
    uint32_t chunk = static_cast<uint8_t>(text[i]) << 16;
    if (i + 1 < text.size()) chunk |= static_cast<uint8_t>(text[i + 1]) << 8;
    if (i + 2 < text.size()) chunk |= static_cast<uint8_t>(text[i + 2]);
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < text.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < text.size() ? kAlphabet[chunk & 63] : '=';
  }
  return "Basic " + out;
}

// A migrated data directory with two workspaces (acme, other) and a running
// `cdp serve`, with helpers to send events with a write key and call the
// server API with acme's secret key.
class ServerApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string output;
    ASSERT_EQ(RunCdp(dir_.path(), {"migrate", "up"}, &output), 0) << output;
    acme_ = CreateWorkspace("acme");
    other_ = CreateWorkspace("other");
    Start();
  }

  void TearDown() override { Stop(); }

  Keys CreateWorkspace(const std::string& name) {
    std::string output;
    EXPECT_EQ(RunCdp(dir_.path(), {"workspace", "create", name}, &output), 0) << output;
    std::smatch write, secret;
    EXPECT_TRUE(std::regex_search(output, write, std::regex("wk_[0-9A-Za-z]{32}"))) << output;
    EXPECT_TRUE(std::regex_search(output, secret, std::regex("sk_[0-9A-Za-z]{40}"))) << output;
    return {write.str(), secret.str()};
  }

  void Start(Headers env = {}) {
    env.emplace("CDP_RATE_LIMIT_RPS", "10000");
    env.emplace("CDP_RATE_LIMIT_BURST", "100000");
    env.emplace("CDP_METRICS_TOKEN", kMetricsToken);
    server_ = std::make_unique<CdpServer>(dir_.path(), env);
    ASSERT_NE(server_->port(), 0) << server_->process().Output();
    port_ = server_->port();
  }

  void Stop() {
    if (!server_) return;
    server_->process().Signal(SIGTERM);
    EXPECT_EQ(server_->process().Wait(std::chrono::seconds(10)), 0) << server_->process().Output();
    server_.reset();
  }

  HttpResponse Post(const std::string& path, const std::string& body, Headers headers = {}) {
    auto response = Fetch(port_, "POST", path, body, std::move(headers));
    EXPECT_TRUE(response) << path;
    return response.value_or(HttpResponse{});
  }

  HttpResponse PostAs(const Keys& keys, const std::string& path, const std::string& body) {
    return Post(path, body, {{"Authorization", BasicAuth(keys.write_key)}});
  }

  HttpResponse Api(const std::string& method, const std::string& path, const std::string& body = {},
                   Headers headers = {}) {
    headers.emplace("Authorization", "Bearer " + acme_.secret_key);
    auto response = Fetch(port_, method, path, body, std::move(headers));
    EXPECT_TRUE(response) << path;
    return response.value_or(HttpResponse{});
  }

  TempDir dir_;
  Keys acme_;
  Keys other_;
  std::unique_ptr<CdpServer> server_;
  uint16_t port_ = 0;
};

}  // namespace cdp::testing
