// The cdp command line as a user meets it: migrations, refusal to start on a
// wrong schema, configuration errors, workspace creation.

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

}  // namespace
}  // namespace cdp::testing
