// `cdp gen` end to end: the generator posting to a real `cdp serve`, every
// event accepted and in the event log, reposting deduplicated, and the
// errors a user meets (an old window with a write key, a wrong key).

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <regex>
#include <set>

#include "blackbox/cdp_process.h"
#include "core/clock.h"
#include "log/local/local_event_log.h"
#include "model/event_codec.h"

namespace cdp::testing {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct Summary {
  uint64_t events = 0;
  uint64_t persons = 0;
  uint64_t accepted = 0;
  uint64_t duplicates = 0;
  uint64_t rejected = 0;
};

// Reads the summary line: "cdp gen: N events, N persons, ...; posted: N
// accepted, N duplicates, N rejected (N requests)".
std::optional<Summary> ParseSummary(const std::string& output) {
  std::smatch head;
  if (!std::regex_search(output, head, std::regex(R"(cdp gen: (\d+) events, (\d+) persons)"))) {
    return std::nullopt;
  }
  Summary summary;
  summary.events = std::stoull(head[1]);
  summary.persons = std::stoull(head[2]);
  std::smatch posted;
  if (std::regex_search(
          output, posted,
          std::regex(R"(posted: (\d+) accepted, (\d+) duplicates, (\d+) rejected)"))) {
    summary.accepted = std::stoull(posted[1]);
    summary.duplicates = std::stoull(posted[2]);
    summary.rejected = std::stoull(posted[3]);
  }
  return summary;
}

std::set<std::string> MessageIdsIn(const std::string& ndjson_path, size_t* lines) {
  std::ifstream in(ndjson_path);
  std::set<std::string> ids;
  const std::regex id(R"re("messageId":"([0-9a-f-]{36})")re");
  std::string line;
  *lines = 0;
  while (std::getline(in, line)) {
    ++*lines;
    std::smatch match;
    if (std::regex_search(line, match, id)) ids.insert(match[1]);
  }
  return ids;
}

class GenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string output;
    ASSERT_EQ(RunCdp(dir_.path(), {"migrate", "up"}, &output), 0) << output;
    ASSERT_EQ(RunCdp(dir_.path(), {"workspace", "create", "demo"}, &output), 0) << output;
    std::smatch write, secret;
    ASSERT_TRUE(std::regex_search(output, write, std::regex("wk_[0-9A-Za-z]{32}"))) << output;
    ASSERT_TRUE(std::regex_search(output, secret, std::regex("sk_[0-9A-Za-z]{40}"))) << output;
    write_key_ = write.str();
    secret_key_ = secret.str();
    server_ = std::make_unique<CdpServer>(dir_.path(),
                                          std::map<std::string, std::string>{
                                              {"CDP_RATE_LIMIT_RPS", "100000"},
                                              {"CDP_RATE_LIMIT_BURST", "1000000"},
                                              {"CDP_RATE_LIMIT_EVENTS_PER_DAY", "1000000000"},
                                              {"CDP_ACCESS_LOG", "false"},
                                          });
    ASSERT_NE(server_->port(), 0) << server_->process().Output();
    url_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }

  void TearDown() override { Stop(); }

  void Stop() {
    if (!server_) return;
    server_->process().Signal(SIGTERM);
    EXPECT_EQ(server_->process().Wait(std::chrono::seconds(10)), 0) << server_->process().Output();
    server_.reset();
  }

  int Gen(std::vector<std::string> args, std::string* output) {
    args.insert(args.begin(), "gen");
    return RunCdp(dir_.path(), args, output);
  }

  // The message ids in the event log; stops the server first (the log has one owner).
  std::vector<std::string> LoggedMessageIds() {
    Stop();
    auto log = LocalEventLog::Open({.dir = dir_.path() + "/log"});
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    std::vector<std::string> ids;
    if (!log.ok()) return ids;
    for (int partition = 0; partition < (*log)->partition_count(); ++partition) {
      for (uint64_t offset = 0;;) {
        auto batch = (*log)->Read(partition, offset, 64 << 20);
        EXPECT_TRUE(batch.ok());
        if (!batch.ok() || batch->records.empty()) break;
        for (const LogRecord& record : batch->records) {
          auto event = DecodeEvent(record.payload);
          EXPECT_TRUE(event.ok()) << event.status().ToString();
          if (event.ok()) ids.push_back(event->message_id);
        }
        offset = batch->next_offset;
      }
    }
    return ids;
  }

  TempDir dir_;
  std::string write_key_;
  std::string secret_key_;
  std::unique_ptr<CdpServer> server_;
  std::string url_;
};

TEST_F(GenTest, EveryPostedEventIsAcceptedAndLoggedOnceAndRepostsAreDuplicates) {
  const std::vector<std::string> flags = {"--seed", "3", "--persons", "300",
                                          "--days", "7", "--start",   "2026-10-01"};
  // A historical import: the secret key lets events older than 24 h in.
  std::vector<std::string> post = flags;
  post.insert(post.end(),
              {"--post", url_, "--write-key", secret_key_, "--batch", "200", "--concurrency", "3"});
  std::string output;
  ASSERT_EQ(Gen(post, &output), 0) << output;
  const auto first = ParseSummary(output);
  ASSERT_TRUE(first) << output;
  EXPECT_GT(first->events, 1000u);
  EXPECT_EQ(first->persons, 300u);
  EXPECT_EQ(first->accepted, first->events) << output;
  EXPECT_EQ(first->duplicates, 0u);
  EXPECT_EQ(first->rejected, 0u);

  // The same flags as NDJSON: the same events, whatever the concurrency.
  std::vector<std::string> write = flags;
  write.insert(write.end(), {"--out", dir_.File("events.ndjson")});
  ASSERT_EQ(Gen(write, &output), 0) << output;
  size_t lines = 0;
  const std::set<std::string> generated = MessageIdsIn(dir_.File("events.ndjson"), &lines);
  EXPECT_EQ(lines, first->events);
  EXPECT_EQ(generated.size(), first->events);

  // Posting again sends the same message ids: the server takes none twice.
  post[post.size() - 1] = "1";  // --concurrency 1
  ASSERT_EQ(Gen(post, &output), 0) << output;
  const auto second = ParseSummary(output);
  ASSERT_TRUE(second) << output;
  EXPECT_EQ(second->events, first->events);
  EXPECT_EQ(second->accepted, 0u) << output;
  EXPECT_EQ(second->duplicates, first->events);

  const std::vector<std::string> logged = LoggedMessageIds();
  EXPECT_EQ(logged.size(), first->events);
  EXPECT_EQ(std::set<std::string>(logged.begin(), logged.end()), generated);
}

TEST_F(GenTest, RecentEventsGoInWithTheWriteKey) {
  const std::string start = FormatIso8601(SystemClock::Instance().Now() - std::chrono::hours(20));
  std::string output;
  ASSERT_EQ(Gen({"--persons", "100", "--days", "1", "--start", start, "--post", url_, "--write-key",
                 write_key_},
                &output),
            0)
      << output;
  const auto summary = ParseSummary(output);
  ASSERT_TRUE(summary) << output;
  EXPECT_GT(summary->events, 0u);
  EXPECT_EQ(summary->accepted, summary->events) << output;
}

TEST_F(GenTest, AWriteKeyWithOldEventsIsRefusedBeforeSending) {
  std::string output;
  EXPECT_EQ(
      Gen({"--persons", "10", "--start", "2026-01-01", "--post", url_, "--write-key", write_key_},
          &output),
      1);
  EXPECT_TRUE(Contains(output, "secret key")) << output;
  EXPECT_TRUE(LoggedMessageIds().empty());
}

TEST_F(GenTest, AnUnknownKeyStopsWithTheServersAnswer) {
  std::string output;
  EXPECT_EQ(Gen({"--persons", "50", "--days", "2", "--post", url_, "--write-key",
                 "sk_0000000000000000000000000000000000000000"},
                &output),
            1);
  EXPECT_TRUE(Contains(output, "401")) << output;
  EXPECT_TRUE(Contains(output, "0 accepted")) << output;
}

TEST_F(GenTest, BadFlagsAreExplained) {
  std::string output;
  EXPECT_NE(Gen({"--persons", "0"}, &output), 0);
  EXPECT_TRUE(Contains(output, "--persons")) << output;
  EXPECT_EQ(Gen({"--start", "October"}, &output), 1);
  EXPECT_TRUE(Contains(output, "--start takes a date")) << output;
  EXPECT_EQ(Gen({"--post", "https://cdp.example.com", "--write-key", "sk_x"}, &output), 1);
  EXPECT_TRUE(Contains(output, "https is not supported")) << output;
}

}  // namespace
}  // namespace cdp::testing
