#include "support/test_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace cdp::testing {

namespace {

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

TestProcess::TestProcess(std::string program, std::vector<std::string> args,
                         std::map<std::string, std::string> env, std::string output_path)
    : output_path_(std::move(output_path)) {
  for (const char* inherited : {"PATH", "HOME", "TMPDIR"}) {
    if (const char* value = std::getenv(inherited); value && !env.count(inherited)) {
      env[inherited] = value;
    }
  }
  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : env) env_strings.push_back(name + "=" + value);
  // Build everything before fork: only async-signal-safe calls in the child.
  std::vector<char*> argv = CStrings(argv_strings);
  std::vector<char*> envp = CStrings(env_strings);
  const int out = ::open(output_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) return;
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    const int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, STDIN_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out);
}

TestProcess::~TestProcess() {
  if (pid_ > 0 && !exit_code_) {
    ::kill(pid_, SIGKILL);
    int status;
    ::waitpid(pid_, &status, 0);
  }
}

std::string TestProcess::Output() const {
  std::ifstream in(output_path_);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

std::optional<std::string> TestProcess::WaitForOutput(const std::string& text,
                                                      std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string output = Output();
    if (const size_t at = output.find(text); at != std::string::npos) {
      const size_t start = output.rfind('\n', at);
      const size_t end = output.find('\n', at);
      const size_t from = start == std::string::npos ? 0 : start + 1;
      return output.substr(from, end == std::string::npos ? std::string::npos : end - from);
    }
    if (exit_code_ || Wait(std::chrono::milliseconds(0))) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

void TestProcess::Signal(int signal) {
  if (pid_ > 0 && !exit_code_) ::kill(pid_, signal);
}

std::optional<int> TestProcess::Wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  if (pid_ <= 0) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int TestProcess::Run(const std::string& program, const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env, std::string* output,
                     std::chrono::milliseconds timeout) {
  char path[] = "/tmp/cdp-run-XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) return -1;
  ::close(fd);
  int code;
  {
    TestProcess process(program, args, env, path);
    code = process.Wait(timeout).value_or(-1);
    if (output) *output = process.Output();
  }
  ::unlink(path);
  return code;
}

std::optional<long> JsonIntField(const std::string& line, const std::string& field) {
  const std::string key = "\"" + field + "\":";
  const size_t at = line.find(key);
  if (at == std::string::npos) return std::nullopt;
  return std::strtol(line.c_str() + at + key.size(), nullptr, 10);
}

}  // namespace cdp::testing
