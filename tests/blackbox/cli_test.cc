// The cdp command line as a user meets it: migrations, refusal to start on a
// wrong schema, configuration errors, workspace creation, limits and
// retention, users (create, reset-password, list) and the route table.

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "blackbox/cdp_process.h"
#include "support/raw_http_client.h"

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

// The rows `sql` returns, each as its columns joined by '|'.
std::vector<std::string> QuerySql(const std::string& db_path, const std::string& sql) {
  std::vector<std::string> rows;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(
      db, sql.c_str(),
      [](void* out, int columns, char** values, char**) {
        std::string row;
        for (int i = 0; i < columns; ++i) {
          if (i > 0) row += '|';
          row += values[i] ? values[i] : "NULL";
        }
        static_cast<std::vector<std::string>*>(out)->push_back(row);
        return 0;
      },
      &rows, &error);
  const std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  EXPECT_EQ(rc, SQLITE_OK) << message;
  return rows;
}

size_t Count(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
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

// `cdp user ...`: the people who sign in, on a migrated database with one
// workspace, "demo".
class CliUserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string output;
    ASSERT_EQ(RunCdp(dir_.path(), {"migrate", "up"}, &output), 0) << output;
    ASSERT_EQ(RunCdp(dir_.path(), {"workspace", "create", "demo"}, &output), 0) << output;
  }

  // Runs `cdp user ARGS...` with debug logging (so that anything logged
  // shows in the output) and returns its exit code.
  int User(std::vector<std::string> args) {
    args.insert(args.begin(), "user");
    return RunCdp(dir_.path(), args, &output_, {{"CDP_LOG_LEVEL", "debug"}});
  }

  // The one-time password the last output printed; "" when none.
  std::string PrintedPassword() const {
    std::smatch match;
    if (!std::regex_search(output_, match, std::regex("one-time password: (\\S+)\\n"))) return "";
    return match[1].str();
  }

  // The line of `email` in `cdp user list`.
  std::string ListedLine(const std::string& email) {
    std::string output;
    EXPECT_EQ(RunCdp(dir_.path(), {"user", "list"}, &output), 0) << output;
    std::smatch match;
    if (!std::regex_search(output, match, std::regex("\\n([0-9a-f-]{36}  " + email + " .*)\\n"))) {
      return "";
    }
    return match[1].str();
  }

  // "actor_kind|actor_id|actor_label|action|target_kind|target_id|details" of
  // every audit entry, oldest first.
  std::vector<std::string> AuditEntries() {
    return QuerySql(dir_.File("meta.sqlite"),
                    "SELECT actor_kind, actor_id, actor_label, action, target_kind, target_id, "
                    "details FROM audit_log ORDER BY id");
  }

  std::string UserId(const std::string& email) {
    const auto rows =
        QuerySql(dir_.File("meta.sqlite"), "SELECT id FROM users WHERE email = '" + email + "'");
    return rows.size() == 1 ? rows[0] : "";
  }

  TempDir dir_;
  std::string output_;
};

TEST_F(CliUserTest, CreatePrintsAOneTimePasswordOnce) {
  ASSERT_EQ(User({"create", "  Ada@Example.COM "}), 0) << output_;
  EXPECT_TRUE(std::regex_search(
      output_, std::regex("user ada@example\\.com created \\(id [0-9a-f-]{36}\\)")))
      << output_;
  const std::string password = PrintedPassword();
  ASSERT_EQ(password.size(), 20u) << output_;
  EXPECT_TRUE(Contains(output_, "must be changed at the first sign-in")) << output_;
  // Printed once, for the person: never logged, even at debug level.
  EXPECT_EQ(Count(output_, password), 1u) << output_;

  const std::string line = ListedLine("ada@example\\.com");
  EXPECT_TRUE(std::regex_search(line, std::regex("one-time password +-$"))) << line;
  std::string list;
  ASSERT_EQ(RunCdp(dir_.path(), {"user", "list"}, &list), 0);
  EXPECT_TRUE(std::regex_search(list, std::regex("^id +email +created_at +state +workspaces\\n")))
      << list;

  // The database holds an argon2id hash, not the password.
  for (const char* name : {"meta.sqlite", "meta.sqlite-wal"}) {
    std::ifstream db(dir_.File(name), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(db)), std::istreambuf_iterator<char>());
    EXPECT_FALSE(Contains(bytes, password)) << name;
  }
  EXPECT_EQ(QuerySql(dir_.File("meta.sqlite"),
                     "SELECT substr(password_hash, 1, 10), password_change_required FROM users"),
            std::vector<std::string>{"$argon2id$|1"});
  // No membership, nothing audited but the workspace's creation.
  const auto entries = AuditEntries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_TRUE(Contains(entries[0], "|workspace.create|workspace|")) << entries[0];
}

TEST_F(CliUserTest, CreateWithAWorkspaceMakesAMemberAndAuditsIt) {
  ASSERT_EQ(User({"create", "owner@example.com", "--workspace", "demo", "--role", "owner"}), 0)
      << output_;
  EXPECT_FALSE(PrintedPassword().empty()) << output_;
  EXPECT_TRUE(Contains(output_, "added to workspace demo as owner")) << output_;
  ASSERT_EQ(User({"create", "bob@example.com", "--workspace", "demo"}), 0) << output_;
  EXPECT_TRUE(Contains(output_, "added to workspace demo as member")) << output_;

  EXPECT_TRUE(
      std::regex_search(ListedLine("owner@example\\.com"), std::regex("demo \\(owner\\)$")));
  EXPECT_TRUE(std::regex_search(ListedLine("bob@example\\.com"), std::regex("demo \\(member\\)$")));

  const auto entries = AuditEntries();
  ASSERT_EQ(entries.size(), 3u);
  // The command line as actor: no id, the OS user's name as label.
  EXPECT_TRUE(std::regex_match(entries[0], std::regex("cli\\|\\|[^|]+\\|workspace\\.create\\|"
                                                      "workspace\\|[0-9a-f-]{36}\\|\\{\"name\":"
                                                      "\"demo\"\\}")))
      << entries[0];
  EXPECT_EQ(entries[1], "cli||" + entries[0].substr(5, entries[0].find("|workspace.create") - 5) +
                            "|member.add|member|" + UserId("owner@example.com") +
                            "|{\"email\":\"owner@example.com\",\"role\":\"owner\"}");
  EXPECT_TRUE(Contains(entries[2], "|member.add|member|" + UserId("bob@example.com") + "|"))
      << entries[2];
  EXPECT_TRUE(Contains(entries[2], "\"role\":\"member\"")) << entries[2];
}

TEST_F(CliUserTest, DuplicateIsRefusedUnlessIfAbsent) {
  ASSERT_EQ(User({"create", "ada@example.com"}), 0) << output_;
  const std::string password = PrintedPassword();

  // Whatever the case it is typed in, an email names one user.
  EXPECT_EQ(User({"create", "ADA@example.com", "--workspace", "demo"}), 1);
  EXPECT_TRUE(Contains(output_, "error: user ada@example.com already exists")) << output_;
  EXPECT_TRUE(Contains(output_, "cdp user reset-password")) << output_;
  EXPECT_EQ(PrintedPassword(), "") << output_;
  EXPECT_TRUE(std::regex_search(ListedLine("ada@example\\.com"), std::regex(" -$")));

  // --if-absent: no new password, but the missing membership is added...
  ASSERT_EQ(
      User({"create", "ada@example.com", "--workspace", "demo", "--role", "viewer", "--if-absent"}),
      0)
      << output_;
  EXPECT_TRUE(Contains(output_, "user ada@example.com already exists")) << output_;
  EXPECT_EQ(PrintedPassword(), "") << output_;
  EXPECT_TRUE(Contains(output_, "added to workspace demo as viewer")) << output_;
  // ... once, and an existing membership keeps its role.
  ASSERT_EQ(
      User({"create", "ada@example.com", "--workspace", "demo", "--role", "admin", "--if-absent"}),
      0)
      << output_;
  EXPECT_TRUE(Contains(output_, "already a member of workspace demo as viewer")) << output_;
  EXPECT_TRUE(std::regex_search(ListedLine("ada@example\\.com"), std::regex("demo \\(viewer\\)$")));
  ASSERT_EQ(User({"create", "ada@example.com", "--if-absent"}), 0) << output_;

  size_t member_adds = 0;
  for (const auto& entry : AuditEntries()) member_adds += Contains(entry, "|member.add|");
  EXPECT_EQ(member_adds, 1u);
  // The first password still stands.
  EXPECT_EQ(QuerySql(dir_.File("meta.sqlite"), "SELECT count(*) FROM users"),
            std::vector<std::string>{"1"});
  EXPECT_FALSE(password.empty());
}

TEST_F(CliUserTest, RefusesBadInputBeforeMakingAnyone) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> refused = {
      {{"create", "not-an-email"}, "error: email"},
      {{"create", "ada@example.com", "--role", "viewer"}, "error: --role needs --workspace"},
      {{"create", "ada@example.com", "--workspace", "demo", "--role", "king"},
       "error: invalid --role: expected owner, admin, member or viewer, got 'king'"},
      {{"create", "ada@example.com", "--workspace", "nope"},
       "error: workspace named 'nope' not found"},
      {{"create", "ada@example.com", "--workspace", "nope", "--if-absent"},
       "error: workspace named 'nope' not found"},
  };
  for (const auto& [args, message] : refused) {
    EXPECT_EQ(User(args), 1) << args.back();
    EXPECT_TRUE(Contains(output_, message)) << output_;
    EXPECT_EQ(PrintedPassword(), "") << output_;
  }
  std::string list;
  ASSERT_EQ(RunCdp(dir_.path(), {"user", "list"}, &list), 0) << list;
  EXPECT_TRUE(Contains(list, "no users yet")) << list;

  TempDir empty;
  EXPECT_EQ(RunCdp(empty.path(), {"user", "create", "ada@example.com"}, &output_), 1);
  EXPECT_TRUE(Contains(output_, "cdp migrate up")) << output_;
  EXPECT_EQ(RunCdp(empty.path(), {"user", "list"}, &output_), 1);
  EXPECT_TRUE(Contains(output_, "cdp migrate up")) << output_;
}

TEST_F(CliUserTest, ListShowsEveryUserWithTheirWorkspaces) {
  std::string output;
  ASSERT_EQ(RunCdp(dir_.path(), {"workspace", "create", "shop"}, &output), 0) << output;
  ASSERT_EQ(User({"create", "a@example.com", "--workspace", "demo", "--role", "admin"}), 0);
  ASSERT_EQ(
      User({"create", "a@example.com", "--workspace", "shop", "--role", "viewer", "--if-absent"}),
      0);
  ASSERT_EQ(User({"create", "b@example.com"}), 0);

  ASSERT_EQ(RunCdp(dir_.path(), {"user", "list"}, &output), 0) << output;
  // Oldest first; workspaces by name.
  EXPECT_LT(output.find("a@example.com"), output.find("b@example.com")) << output;
  EXPECT_TRUE(std::regex_search(
      output, std::regex("a@example\\.com +[0-9T:.-]+Z +one-time password +demo \\(admin\\), "
                         "shop \\(viewer\\)\\n")))
      << output;
  EXPECT_TRUE(std::regex_search(output, std::regex("b@example\\.com .* -\\n"))) << output;
  EXPECT_FALSE(Contains(output, "argon2")) << output;
}

TEST_F(CliUserTest, ResetPasswordReplacesItAndSignsOut) {
  ASSERT_EQ(User({"create", "ada@example.com", "--workspace", "demo", "--role", "owner"}), 0)
      << output_;
  const std::string first = PrintedPassword();
  ASSERT_FALSE(first.empty());

  auto server = std::make_unique<CdpServer>(dir_.path(), std::map<std::string, std::string>{});
  ASSERT_NE(server->port(), 0) << server->process().Output();
  const auto login = [&](const std::string& password) {
    return Fetch(
        server->port(), "POST", "/auth/login",
        R"({"email": "ada@example.com", "password": ")" + password + R"(", "session": "token"})",
        {{"Content-Type", "application/json"}});
  };
  auto signed_in = login(first);
  ASSERT_TRUE(signed_in);
  ASSERT_EQ(signed_in->status, 200) << signed_in->body;
  std::smatch token;
  ASSERT_TRUE(std::regex_search(signed_in->body, token, std::regex("st_[0-9A-Za-z]{43}")))
      << signed_in->body;
  const std::string session_token = token.str();
  auto me = Fetch(server->port(), "GET", "/me", {}, {{"Authorization", "Bearer " + session_token}});
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200) << me->body;

  ASSERT_EQ(User({"reset-password", "ADA@example.com"}), 0) << output_;
  EXPECT_TRUE(Contains(output_, "password of ada@example.com reset")) << output_;
  const std::string second = PrintedPassword();
  ASSERT_EQ(second.size(), 20u) << output_;
  EXPECT_NE(second, first);
  EXPECT_EQ(Count(output_, second), 1u) << output_;  // not logged
  EXPECT_TRUE(std::regex_search(ListedLine("ada@example\\.com"),
                                std::regex("one-time password +demo \\(owner\\)$")));

  // The session made before the reset is gone; the old password no longer
  // signs in; the new one does.
  me = Fetch(server->port(), "GET", "/me", {}, {{"Authorization", "Bearer " + session_token}});
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 401) << me->body;
  auto refused = login(first);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401) << refused->body;
  signed_in = login(second);
  ASSERT_TRUE(signed_in);
  EXPECT_EQ(signed_in->status, 200) << signed_in->body;

  server->process().Signal(SIGTERM);
  EXPECT_EQ(server->process().Wait(std::chrono::seconds(10)), 0) << server->process().Output();
  // Neither password nor the session token ever reaches the server's log.
  const std::string log = server->process().Output();
  EXPECT_FALSE(Contains(log, first));
  EXPECT_FALSE(Contains(log, second));
  EXPECT_FALSE(Contains(log, session_token));

  EXPECT_EQ(User({"reset-password", "nobody@example.com"}), 1);
  EXPECT_TRUE(Contains(output_, "error: user nobody@example.com not found")) << output_;
  EXPECT_EQ(User({"reset-password", "not-an-email"}), 1);
  EXPECT_EQ(PrintedPassword(), "") << output_;
}

// Every operation docs/openapi.yaml documents, as `cdp routes` prints a
// route ("POST\t/members\tadmin"): read from its two-space-indented path
// lines, four-space-indented method lines and their x-cdp-access lines; a
// path that is a $ref to another has that one's operations.
std::set<std::string> DocumentedRoutes() {
  const std::filesystem::path file =
      std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "docs" /
      "openapi.yaml";
  std::ifstream in(file);
  EXPECT_TRUE(in) << "cannot read " << file;
  std::map<std::string, std::map<std::string, std::string>> access;  // path -> method -> access
  std::map<std::string, std::string> aliases;                        // path -> the path it refs
  std::string path;
  std::string method;
  bool in_paths = false;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != ' ' && line[0] != '#') in_paths = line == "paths:";
    if (!in_paths) continue;
    if (line.starts_with("  /") && line.ends_with(":")) {
      path = line.substr(2, line.size() - 3);
      method.clear();
    } else if (line.starts_with("    $ref: \"#/paths/")) {
      std::string target = line.substr(line.find("#/paths/") + 8);
      target.pop_back();  // the closing quote
      for (size_t at; (at = target.find("~1")) != std::string::npos;) target.replace(at, 2, "/");
      aliases[path] = target;
    } else if (line.starts_with("    ") && !line.starts_with("     ") && line.ends_with(":")) {
      method = line.substr(4, line.size() - 5);
    } else if (line.starts_with("      x-cdp-access: ") && !method.empty()) {
      access[path][method] = line.substr(20);
    }
  }
  for (const auto& [alias, target] : aliases) access[alias] = access[target];
  std::set<std::string> routes;
  for (const auto& [documented_path, methods] : access) {
    for (const auto& [documented_method, route_access] : methods) {
      std::string upper = documented_method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      routes.insert(upper + "\t" + documented_path + "\t" + route_access);
    }
  }
  return routes;
}

// `cdp routes` and docs/openapi.yaml agree on every route and on who may
// call it: the document neither misses nor invents a route or a permission.
TEST(CliTest, RoutesMatchTheOpenApiDocument) {
  TempDir dir;
  std::string output;
  ASSERT_EQ(RunCdp(dir.path(), {"migrate", "up"}, &output), 0) << output;
  ASSERT_EQ(RunCdp(dir.path(), {"routes"}, &output), 0) << output;
  std::set<std::string> printed;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (std::count(line.begin(), line.end(), '\t') == 2) printed.insert(line);
  }
  ASSERT_FALSE(printed.empty()) << output;
  const std::set<std::string> documented = DocumentedRoutes();
  for (const std::string& route : printed) {
    EXPECT_TRUE(documented.contains(route)) << "docs/openapi.yaml lacks, or gives another "
                                               "x-cdp-access to: "
                                            << route;
  }
  for (const std::string& route : documented) {
    EXPECT_TRUE(printed.contains(route)) << "cdp routes has no " << route;
  }
}

TEST(CliTest, RoutesPrintsTheRouteTable) {
  TempDir dir;
  std::string output;
  ASSERT_EQ(RunCdp(dir.path(), {"migrate", "up"}, &output), 0) << output;
  ASSERT_EQ(RunCdp(dir.path(), {"routes"}, &output), 0) << output;
  EXPECT_TRUE(Contains(output, "GET\t/health\tpublic\n")) << output;
  EXPECT_TRUE(Contains(output, "POST\t/auth/login\tpublic\n")) << output;
  EXPECT_TRUE(Contains(output, "POST\t/v1/track\tingestion\n")) << output;
  EXPECT_TRUE(Contains(output, "GET\t/me\tuser\n")) << output;
  EXPECT_TRUE(Contains(output, "POST\t/api-keys\tadmin\n")) << output;
}

}  // namespace
}  // namespace cdp::testing
