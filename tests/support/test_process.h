#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cdp::testing {

// A child process for black-box tests: started with explicit arguments and
// environment (nothing inherited but PATH, HOME and TMPDIR), its stdout and
// stderr going to files so that it never blocks on a full pipe. The
// destructor kills and reaps a child that is still running.
class TestProcess {
 public:
  TestProcess(std::string program, std::vector<std::string> args,
              std::map<std::string, std::string> env, std::string output_path);
  ~TestProcess();
  TestProcess(const TestProcess&) = delete;
  TestProcess& operator=(const TestProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Waits until the output contains `text`; returns the first line holding
  // it, or nullopt on timeout or when the process exited first.
  std::optional<std::string> WaitForOutput(const std::string& text,
                                           std::chrono::milliseconds timeout);
  std::string Output() const;
  void Signal(int signal);
  // Waits for the exit; the exit code, 128+signal when killed by a signal, or
  // nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

  // Runs a command to completion; returns its exit code and fills `output`
  // with what it printed (stdout and stderr).
  static int Run(const std::string& program, const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env, std::string* output,
                 std::chrono::milliseconds timeout = std::chrono::seconds(60));

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string output_path_;
};

// Reads a JSON log line's integer field, e.g. JsonIntField(line, "port").
std::optional<long> JsonIntField(const std::string& line, const std::string& field);

}  // namespace cdp::testing
