// The cdp command line as a user meets it: migrations, refusal to start on a
// wrong schema, configuration errors, workspace creation, limits and
// retention.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>

#include "blackbox/cdp_process.h"

namespace cdp::testing {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void ExecSql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

TEST(CliTest, ServeRefusesAnUnmigratedDatabase) {
  TempDir dir;
  std::string output;
  EXPECT_EQ(RunCdp(dir.path(), {"serve"}, &output, {{"CDP_PORT", "0"}}), 1);
  EXPECT_TRUE(Contains(output, "cdp migrate up")) << output;
}

TEST(CliTest, ServeRefusesANewerSchema) {
  TempDir dir;
  std::string output;
  ASSERT_EQ(RunCdp(dir.path(), {"migrate", "up"}, &output), 0) << output;
  ExecSql(dir.File("meta.sqlite"),
          "INSERT INTO schema_migrations(version, name, applied_at) "
          "VALUES (99, 'from_the_future', '2030-01-01T00:00:00.000Z')");
  EXPECT_EQ(RunCdp(dir.path(), {"serve"}, &output, {{"CDP_PORT", "0"}}), 1);
  EXPECT_TRUE(Contains(output, "99")) << output;
  EXPECT_TRUE(Contains(output, "cdp migrate down")) << output;
}

TEST(CliTest, MigrateUpStatusDown) {
  TempDir dir;
  std::string output;
  ASSERT_EQ(RunCdp(dir.path(), {"migrate", "status"}, &output), 0) << output;
  EXPECT_TRUE(Contains(output, "workspaces_and_api_keys")) << output;
  EXPECT_TRUE(Contains(output, "pending")) << output;

  ASSERT_EQ(RunCdp(dir.path(), {"migrate", "up"}, &output), 0) << output;
  EXPECT_TRUE(Contains(output, "workspaces_and_api_keys")) << output;
  ASSERT_EQ(RunCdp(dir.path(), {"migrate", "status"}, &output), 0) << output;
  EXPECT_TRUE(Contains(output, "applied")) << output;
  EXPECT_FALSE(Contains(output, "pending")) << output;

  // Up again is a no-op.
  ASSERT_EQ(RunCdp(dir.path(), {"migrate", "up"}, &output), 0) << output;

  ASSERT_EQ(RunCdp(dir.path(), {"migrate", "down"}, &output), 0) << output;
  ASSERT_EQ(RunCdp(dir.path(), {"migrate", "status"}, &output), 0) << output;
  EXPECT_TRUE(Contains(output, "pending")) << output;
  std::string serve_output;
  EXPECT_EQ(RunCdp(dir.path(), {"serve"}, &serve_output, {{"CDP_PORT", "0"}}), 1);
}

TEST(CliTest, InvalidConfigurationNamesTheVariable) {
  TempDir dir;
  std::string output;
  EXPECT_EQ(RunCdp(dir.path(), {"serve"}, &output, {{"CDP_PORT", "eighty"}}), 2);
  EXPECT_TRUE(Contains(output, "invalid CDP_PORT")) << output;

  EXPECT_EQ(RunCdp(dir.path(), {"serve", "--header-timeout", "10"}, &output), 2);
  EXPECT_TRUE(Contains(output, "invalid --header-timeout")) << output;
}

TEST(CliTest, WorkspaceCreatePrintsKeysOnce) {
  TempDir dir;
  std::string output;
  ASSERT_EQ(RunCdp(dir.path(), {"migrate", "up"}, &output), 0) << output;
  const std::string keys_file = dir.File("demo.keys");
  ASSERT_EQ(RunCdp(dir.path(), {"workspace", "create", "demo", "--keys-file", keys_file}, &output),
            0)
      << output;
  std::smatch write_key;
  std::smatch secret_key;
  ASSERT_TRUE(std::regex_search(output, write_key, std::regex("wk_[0-9A-Za-z]{32}"))) << output;
  ASSERT_TRUE(std::regex_search(output, secret_key, std::regex("sk_[0-9A-Za-z]{40}"))) << output;

  std::ifstream in(keys_file);
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(Contains(file, "CDP_WRITE_KEY=" + write_key.str())) << file;
  EXPECT_TRUE(Contains(file, "CDP_SECRET_KEY=" + secret_key.str())) << file;
  struct stat info;
  ASSERT_EQ(::stat(keys_file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);

  // The secret key is not stored in clear anywhere in the database files.
  for (const char* name : {"meta.sqlite", "meta.sqlite-wal"}) {
    std::ifstream db(dir.File(name), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(db)), std::istreambuf_iterator<char>());
    EXPECT_FALSE(Contains(bytes, secret_key.str())) << name;
  }

  // A second create of the same name fails, unless --if-absent.
  EXPECT_EQ(RunCdp(dir.path(), {"workspace", "create", "demo"}, &output), 1);
  EXPECT_TRUE(Contains(output, "already exists")) << output;
  EXPECT_EQ(RunCdp(dir.path(), {"workspace", "create", "demo", "--if-absent"}, &output), 0);
  EXPECT_FALSE(std::regex_search(output, std::regex("sk_[0-9A-Za-z]{40}"))) << output;

  ASSERT_EQ(RunCdp(dir.path(), {"workspace", "list"}, &output), 0);
  EXPECT_TRUE(Contains(output, "demo")) << output;
}

// `cdp workspace limits`: per-workspace overrides of the ingestion rate
// limits, on a migrated database with one workspace, "demo".
class CliLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string output;
    ASSERT_EQ(RunCdp(dir_.path(), {"migrate", "up"}, &output), 0) << output;
    ASSERT_EQ(RunCdp(dir_.path(), {"workspace", "create", "demo"}, &output), 0) << output;
  }

  // Runs `cdp workspace limits ARGS...` and returns its exit code.
  int Limits(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), {"workspace", "limits"});
    return RunCdp(dir_.path(), args, &output_, std::move(env));
  }

  // Whether the last output shows `label` at `value`, marked `source`
  // ("override" or "default").
  bool Shows(const std::string& label, const std::string& value, const std::string& source) {
    return std::regex_search(output_, std::regex(label + " +" + value + " +" + source + "\\n"));
  }

  TempDir dir_;
  std::string output_;
};

TEST_F(CliLimitsTest, ShowsTheDefaultsOfTheConfiguration) {
  ASSERT_EQ(Limits({"demo"}), 0) << output_;
  EXPECT_TRUE(Shows("requests per second", "100", "default")) << output_;
  EXPECT_TRUE(Shows("burst requests", "500", "default")) << output_;
  EXPECT_TRUE(Shows("burst window", "5s", "default")) << output_;
  EXPECT_TRUE(Shows("events per day", "1000000", "default")) << output_;
  EXPECT_TRUE(Contains(output_, "no override")) << output_;

  ASSERT_EQ(Limits({"demo"}, {{"CDP_RATE_LIMIT_RPS", "7"}}), 0) << output_;
  EXPECT_TRUE(Shows("requests per second", "7", "default")) << output_;
}

TEST_F(CliLimitsTest, SetShowAndReset) {
  ASSERT_EQ(Limits({"demo", "--rps", "2.5", "--burst-window", "1m"}), 0) << output_;
  EXPECT_TRUE(Contains(output_, "updated")) << output_;
  EXPECT_TRUE(Shows("requests per second", "2.5", "override")) << output_;
  EXPECT_TRUE(Shows("burst requests", "500", "default")) << output_;
  EXPECT_TRUE(Shows("burst window", "1m", "override")) << output_;
  EXPECT_TRUE(Shows("events per day", "1000000", "default")) << output_;

  // A second change keeps the limits it does not name.
  ASSERT_EQ(Limits({"demo", "--burst", "20", "--events-per-day", "1000"}), 0) << output_;
  ASSERT_EQ(Limits({"demo"}), 0) << output_;
  EXPECT_TRUE(Shows("requests per second", "2.5", "override")) << output_;
  EXPECT_TRUE(Shows("burst requests", "20", "override")) << output_;
  EXPECT_TRUE(Shows("burst window", "1m", "override")) << output_;
  EXPECT_TRUE(Shows("events per day", "1000", "override")) << output_;
  EXPECT_TRUE(Contains(output_, "override last changed")) << output_;

  ASSERT_EQ(RunCdp(dir_.path(), {"workspace", "list"}, &output_), 0) << output_;
  EXPECT_TRUE(std::regex_search(output_, std::regex("demo .* override\\n"))) << output_;

  ASSERT_EQ(Limits({"demo", "--reset"}), 0) << output_;
  EXPECT_TRUE(Contains(output_, "removed")) << output_;
  ASSERT_EQ(Limits({"demo"}), 0) << output_;
  EXPECT_TRUE(Shows("requests per second", "100", "default")) << output_;
  EXPECT_TRUE(Shows("burst requests", "500", "default")) << output_;
  EXPECT_TRUE(Shows("burst window", "5s", "default")) << output_;
  EXPECT_TRUE(Shows("events per day", "1000000", "default")) << output_;
  ASSERT_EQ(RunCdp(dir_.path(), {"workspace", "list"}, &output_), 0) << output_;
  EXPECT_TRUE(std::regex_search(output_, std::regex("demo .* default\\n"))) << output_;

  // Resetting a workspace without an override is not an error.
  EXPECT_EQ(Limits({"demo", "--reset"}), 0) << output_;
}

TEST_F(CliLimitsTest, RefusesAnUnknownWorkspace) {
  EXPECT_EQ(Limits({"nope"}), 1);
  EXPECT_TRUE(Contains(output_, "error: workspace named 'nope' not found")) << output_;
  EXPECT_EQ(Limits({"nope", "--rps", "50"}), 1);
  EXPECT_TRUE(Contains(output_, "error: workspace named 'nope' not found")) << output_;
  EXPECT_EQ(Limits({"nope", "--reset"}), 1);
  EXPECT_TRUE(Contains(output_, "error: workspace named 'nope' not found")) << output_;
}

TEST_F(CliLimitsTest, RefusesInvalidValuesAndChangesNothing) {
  ASSERT_EQ(Limits({"demo", "--burst", "20"}), 0) << output_;
  const std::vector<std::pair<std::vector<std::string>, std::string>> refused = {
      {{"--rps", "0"}, "invalid --rps"},
      {{"--rps", "0.5"}, "invalid --rps"},
      {{"--rps", "fast"}, "invalid --rps"},
      {{"--rps", "inf"}, "invalid --rps"},
      {{"--burst", "0"}, "invalid --burst"},
      {{"--burst", "1.5"}, "invalid --burst"},
      {{"--burst-window", "0s"}, "invalid --burst-window"},
      {{"--burst-window", "5"}, "invalid --burst-window"},
      {{"--burst-window", "1500ms"}, "invalid --burst-window"},
      {{"--burst-window", "25h"}, "invalid --burst-window"},
      {{"--events-per-day", "0"}, "invalid --events-per-day"},
      {{"--rps", "50", "--reset"}, "--reset"},
  };
  for (const auto& [options, message] : refused) {
    std::vector<std::string> args = {"demo"};
    args.insert(args.end(), options.begin(), options.end());
    EXPECT_EQ(Limits(args), 1) << options.front() << " " << options.back();
    EXPECT_TRUE(Contains(output_, "error: " + message)) << output_;
  }
  // A refusal in one option refuses the whole command.
  EXPECT_EQ(Limits({"demo", "--burst", "30", "--rps", "0"}), 1);

  ASSERT_EQ(Limits({"demo"}), 0) << output_;
  EXPECT_TRUE(Shows("requests per second", "100", "default")) << output_;
  EXPECT_TRUE(Shows("burst requests", "20", "override")) << output_;
}

TEST_F(CliLimitsTest, RefusesAnUnmigratedDatabase) {
  TempDir empty;
  EXPECT_EQ(RunCdp(empty.path(), {"workspace", "limits", "demo"}, &output_), 1);
  EXPECT_TRUE(Contains(output_, "cdp migrate up")) << output_;
}

// `cdp workspace retention`: how many days a workspace's events are kept, on
// a migrated database with one workspace, "demo".
class CliRetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string output;
    ASSERT_EQ(RunCdp(dir_.path(), {"migrate", "up"}, &output), 0) << output;
    ASSERT_EQ(RunCdp(dir_.path(), {"workspace", "create", "demo"}, &output), 0) << output;
  }

  // Runs `cdp workspace retention ARGS...` and returns its exit code.
  int Retention(std::vector<std::string> args) {
    args.insert(args.begin(), {"workspace", "retention"});
    return RunCdp(dir_.path(), args, &output_);
  }

  // Whether the last output says the retention of "demo" is `days`.
  bool Shows(const std::string& days) {
    return std::regex_search(
        output_, std::regex("retention of workspace demo \\(id [0-9a-f-]{36}\\): " + days +
                            "( \\(the default\\))?\\n"));
  }

  TempDir dir_;
  std::string output_;
};

TEST_F(CliRetentionTest, ShowsTheDefault) {
  ASSERT_EQ(Retention({"demo"}), 0) << output_;
  EXPECT_TRUE(Shows("90 days")) << output_;
  EXPECT_TRUE(Contains(output_, "(the default)")) << output_;
  EXPECT_FALSE(Contains(output_, "updated")) << output_;

  ASSERT_EQ(RunCdp(dir_.path(), {"workspace", "list"}, &output_), 0) << output_;
  EXPECT_TRUE(std::regex_search(output_, std::regex("retention +rate_limits\\n"))) << output_;
  EXPECT_TRUE(std::regex_search(output_, std::regex("demo .* 90 days +default\\n"))) << output_;
}

TEST_F(CliRetentionTest, SetShowAndList) {
  ASSERT_EQ(Retention({"demo", "30"}), 0) << output_;
  EXPECT_TRUE(Contains(output_, "retention of workspace demo updated")) << output_;
  EXPECT_TRUE(Shows("30 days")) << output_;
  EXPECT_FALSE(Contains(output_, "(the default)")) << output_;

  ASSERT_EQ(Retention({"demo"}), 0) << output_;
  EXPECT_TRUE(Shows("30 days")) << output_;
  ASSERT_EQ(RunCdp(dir_.path(), {"workspace", "list"}, &output_), 0) << output_;
  EXPECT_TRUE(std::regex_search(output_, std::regex("demo .* 30 days +default\\n"))) << output_;

  // The bounds are valid values.
  ASSERT_EQ(Retention({"demo", "1"}), 0) << output_;
  EXPECT_TRUE(Shows("1 day")) << output_;
  ASSERT_EQ(Retention({"demo", "36500"}), 0) << output_;
  EXPECT_TRUE(Shows("36500 days")) << output_;
  ASSERT_EQ(Retention({"demo", "90"}), 0) << output_;
  EXPECT_TRUE(Shows("90 days \\(the default\\)")) << output_;
}

TEST_F(CliRetentionTest, RefusesInvalidDaysAndChangesNothing) {
  ASSERT_EQ(Retention({"demo", "30"}), 0) << output_;
  for (const char* days : {"0", "36501", "-5", "ninety", "7.5", "30d", ""}) {
    EXPECT_EQ(Retention({"demo", days}), 1) << days;
    EXPECT_TRUE(Contains(output_, std::string("error: invalid DAYS: the retention is a whole "
                                              "number of days from 1 to 36500, got '") +
                                      days + "'"))
        << output_;
  }
  // Refused before the database is opened: an unknown workspace is not even looked up.
  EXPECT_EQ(Retention({"nope", "0"}), 1);
  EXPECT_TRUE(Contains(output_, "error: invalid DAYS")) << output_;

  ASSERT_EQ(Retention({"demo"}), 0) << output_;
  EXPECT_TRUE(Shows("30 days")) << output_;
}

TEST_F(CliRetentionTest, RefusesAnUnknownWorkspace) {
  EXPECT_EQ(Retention({"nope"}), 1);
  EXPECT_TRUE(Contains(output_, "error: workspace named 'nope' not found")) << output_;
  EXPECT_EQ(Retention({"nope", "30"}), 1);
  EXPECT_TRUE(Contains(output_, "error: workspace named 'nope' not found")) << output_;
  ASSERT_EQ(Retention({"demo"}), 0) << output_;
  EXPECT_TRUE(Shows("90 days")) << output_;
}

TEST_F(CliRetentionTest, RefusesAnUnmigratedDatabase) {
  TempDir empty;
  EXPECT_EQ(RunCdp(empty.path(), {"workspace", "retention", "demo", "30"}, &output_), 1);
  EXPECT_TRUE(Contains(output_, "cdp migrate up")) << output_;
}

}  // namespace
}  // namespace cdp::testing
