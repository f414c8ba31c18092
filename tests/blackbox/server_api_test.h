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
#include <vector>

#include "blackbox/cdp_process.h"
#include "support/json_pointer.h"
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

// A person signed in to the server API.
struct SignedInUser {
  std::string id;
  std::string email;
  std::string password;  // chosen after the one-time one
  std::string token;     // a bearer session token ("st_...")
};

// A migrated data directory with two workspaces (acme, other) and a running
// `cdp serve`, with helpers to send events with a write key, call the server
// API with acme's secret key, and make users who sign in.
class ServerApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string output;
    ASSERT_EQ(RunCdp(dir_.path(), {"migrate", "up"}, &output), 0) << output;
    acme_ = CreateWorkspace("acme");
    other_ = CreateWorkspace("other");
    Start(ServerEnv());
  }

  // The configuration of the server SetUp starts (on top of Start's).
  virtual Headers ServerEnv() const { return {}; }

  void TearDown() override {
    Stop();
    // Every server of the test has stopped: its log is all written out.
    if (!never_printed_.empty()) {
      ASSERT_FALSE(server_outputs_.empty());
    }
    for (const std::string& secret : never_printed_) {
      EXPECT_EQ(server_outputs_.find(secret), std::string::npos)
          << "the server printed a secret (" << secret.substr(0, 6) << "...)";
    }
  }

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
    // Every test's logins come from 127.0.0.1.
    env.emplace("CDP_LOGIN_RATE", "10000");
    server_ = std::make_unique<CdpServer>(dir_.path(), env);
    ASSERT_NE(server_->port(), 0) << server_->process().Output();
    port_ = server_->port();
  }

  void Stop() {
    if (!server_) return;
    server_->process().Signal(SIGTERM);
    EXPECT_EQ(server_->process().Wait(std::chrono::seconds(10)), 0) << server_->process().Output();
    server_outputs_ += server_->process().Output();
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

  // Sends a request with exactly `headers` (no credentials of its own).
  HttpResponse Send(const std::string& method, const std::string& path,
                    const std::string& body = {}, Headers headers = {}) {
    auto response = Fetch(port_, method, path, body, std::move(headers));
    EXPECT_TRUE(response) << method << " " << path;
    return response.value_or(HttpResponse{});
  }

  // A call with a bearer credential (a secret key or a session token), in
  // `workspace_id` when not empty.
  HttpResponse As(const std::string& credential, const std::string& method, const std::string& path,
                  const std::string& body = {}, const std::string& workspace_id = {}) {
    Headers headers = {{"Authorization", "Bearer " + credential}};
    if (!workspace_id.empty()) headers.emplace("X-Workspace-Id", workspace_id);
    return Send(method, path, body, std::move(headers));
  }

  // The id of the workspace of `keys`.
  std::string WorkspaceId(const Keys& keys) {
    const HttpResponse workspace = As(keys.secret_key, "GET", "/workspace");
    EXPECT_EQ(workspace.status, 200) << workspace.body;
    return StringAt(workspace.body, "/id");
  }

  // POST /auth/login; `headers` may add X-Forwarded-For and the like. Without
  // one, each login names an address of its own, so that behind
  // CDP_TRUST_PROXY the login throttle sees a new client every time.
  HttpResponse Login(const std::string& email, const std::string& password,
                     const std::string& session = "token", Headers headers = {}) {
    ++logins_;
    headers.emplace("X-Forwarded-For", "10.77." + std::to_string(logins_ / 250) + "." +
                                           std::to_string(logins_ % 250 + 1));
    return Send("POST", "/auth/login",
                R"({"email":")" + email + R"(","password":")" + password + R"(","session":")" +
                    session + R"("})",
                std::move(headers));
  }

  // Signs in with a one-time password, chooses a password and returns the
  // signed-in user (a token session).
  SignedInUser SignInFirstTime(const std::string& email, const std::string& one_time_password) {
    SignedInUser user;
    user.email = email;
    const HttpResponse login = Login(email, one_time_password);
    EXPECT_EQ(login.status, 200) << login.body;
    user.id = StringAt(login.body, "/user/id");
    user.token = StringAt(login.body, "/token");
    user.password = "chosen passphrase " + std::to_string(++users_made_);
    const HttpResponse changed = As(user.token, "PUT", "/me/password",
                                    R"({"current_password":")" + one_time_password +
                                        R"(","new_password":")" + user.password + R"("})");
    EXPECT_EQ(changed.status, 204) << changed.body;
    return user;
  }

  // Adds `email` to the workspace of `workspace` as `role` with its secret
  // key (POST /members: a new account with a one-time password), then signs
  // the person in for the first time. About four password hashes.
  SignedInUser AddMember(const Keys& workspace, const std::string& email, const std::string& role) {
    const HttpResponse added = As(workspace.secret_key, "POST", "/members",
                                  R"({"email":")" + email + R"(","role":")" + role + R"("})");
    EXPECT_EQ(added.status, 201) << added.body;
    return SignInFirstTime(email, StringAt(added.body, "/one_time_password"));
  }

  // `cdp user create EMAIL --workspace NAME --role ROLE` (the command line:
  // the way to an owner of a workspace made by `cdp workspace create`), then
  // the first sign-in.
  SignedInUser CreateUserWithCli(const std::string& email, const std::string& workspace,
                                 const std::string& role) {
    std::string output;
    EXPECT_EQ(RunCdp(dir_.path(),
                     {"user", "create", email, "--workspace", workspace, "--role", role}, &output),
              0)
        << output;
    std::smatch password;
    EXPECT_TRUE(std::regex_search(output, password, std::regex("one-time password: (\\S+)")))
        << output;
    return SignInFirstTime(email, password.size() > 1 ? password[1].str() : "");
  }

  // Expects none of `secrets` (keys, passwords, tokens) in what the servers
  // of this test print (their logs, access logs included): checked once they
  // have stopped, at TearDown.
  void ExpectNeverPrinted(const std::vector<std::string>& secrets) {
    for (const std::string& secret : secrets) {
      if (!secret.empty()) never_printed_.push_back(secret);
    }
  }

  TempDir dir_;
  int users_made_ = 0;
  int logins_ = 0;
  std::vector<std::string> never_printed_;
  std::string server_outputs_;  // of the servers stopped so far
  Keys acme_;
  Keys other_;
  std::unique_ptr<CdpServer> server_;
  uint16_t port_ = 0;
};

}  // namespace cdp::testing
