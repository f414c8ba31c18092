// Crash test of ingestion: clients post batches to the real `cdp serve`, the
// server is SIGKILLed at random moments and restarted on the same data
// directory, and at the end the event log is read back directly to check the
// durability promise of POST /v1/batch: every acknowledged messageId is in the
// log exactly once, and no messageId is stored twice even when a batch whose
// answer was lost is sent again after the restart. The loader, killed with the
// server, must have moved exactly those events into the event store.
//
// The kill moments come from a seeded RNG; the seed is printed, and
// CDP_CRASH_SEED=<seed> replays the same choices (the interleaving with the
// server still differs from run to run). The assertions never depend on
// timing: they hold for every interleaving of a correct server.

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "blackbox/cdp_process.h"
#include "log/local/local_event_log.h"
#include "model/event_codec.h"
#include "store/columnar/columnar_event_store.h"
#include "store/columnar/io/posix_file_system.h"
#include "support/raw_http_client.h"

namespace cdp::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kClients = 4;
constexpr int kKilledRounds = 6;
constexpr size_t kBatchEvents = 50;
constexpr int kKillAfterMinMs = 50;
constexpr int kKillAfterMaxMs = 400;
// One in this many requests of the load resends an acknowledged batch.
constexpr int kResendOneIn = 8;
// Acknowledged batches each client resends to the last server.
constexpr int kFinalResends = 5;

struct Workspace {
  std::string id;
  std::string write_key;
};

// The server configuration of every round: no rate limit in the way, small
// segments so that the kills also land around segment rolls, and no access
// log (it would compete with the clients for the two cores).
std::map<std::string, std::string> ServerEnv() {
  return {
      {"CDP_RATE_LIMIT_RPS", "1000000"}, {"CDP_RATE_LIMIT_BURST", "1000000000"},
      {"CDP_LOG_SEGMENT_SIZE", "1MiB"},  {"CDP_INGEST_ACK", "sync"},
      {"CDP_ACCESS_LOG", "false"},       {"CDP_SHUTDOWN_TIMEOUT", "10s"},
  };
}

uint64_t SeedFromEnvironment() {
  if (const char* text = std::getenv("CDP_CRASH_SEED"); text && *text) {
    return std::strtoull(text, nullptr, 10);
  }
  return std::random_device{}() ^ (uint64_t{std::random_device{}()} << 32);
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t group = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) group |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) group |= static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[(group >> 18) & 63];
    out += kAlphabet[(group >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(group >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[group & 63] : '=';
  }
  return out;
}

// Migrates the data directory and creates a workspace; nullopt (with a test
// failure) when that does not work.
std::optional<Workspace> CreateWorkspace(const std::string& data_dir) {
  std::string output;
  if (RunCdp(data_dir, {"migrate", "up"}, &output) != 0) {
    ADD_FAILURE() << output;
    return std::nullopt;
  }
  if (RunCdp(data_dir, {"workspace", "create", "crash"}, &output) != 0) {
    ADD_FAILURE() << output;
    return std::nullopt;
  }
  std::smatch id;
  std::smatch key;
  if (!std::regex_search(output, id, std::regex(R"(\(id ([0-9a-f-]+)\))")) ||
      !std::regex_search(output, key, std::regex(R"(wk_[A-Za-z0-9]+)"))) {
    ADD_FAILURE() << "no workspace id or write key in: " << output;
    return std::nullopt;
  }
  return Workspace{id[1].str(), key[0].str()};
}

// A batch as a client sends it (and sends again).
struct SentBatch {
  std::vector<std::string> message_ids;
  std::string body;
};

SentBatch MakeBatch(const std::string& id_prefix, std::mt19937_64& rng,
                    size_t events = kBatchEvents) {
  SentBatch batch;
  batch.body = R"({"batch":[)";
  for (size_t i = 0; i < events; ++i) {
    std::string message_id = id_prefix + "-" + std::to_string(i);
    // Many users, so that every batch spreads over all the log's partitions.
    const uint64_t user = rng() % 1000;
    if (i > 0) batch.body += ',';
    batch.body += R"({"type":"track","userId":"u)" + std::to_string(user) +
                  R"(","event":"Crash Test","messageId":")" + message_id +
                  R"(","properties":{"n":)" + std::to_string(i) + R"(,"tag":")" + id_prefix +
                  "\"}}";
    batch.message_ids.push_back(std::move(message_id));
  }
  batch.body += "]}";
  return batch;
}

// The counts of a 200 answer to a batch.
struct BatchAnswer {
  int status = 0;
  long accepted = -1;
  long duplicates = -1;
  bool none_rejected = false;
  std::string body;
};

// A keep-alive connection that posts batches to /v1/batch.
class BatchPoster {
 public:
  BatchPoster(uint16_t port, const std::string& write_key)
      : port_(port), authorization_("Basic " + Base64(write_key + ":")) {}

  // The answer, or nullopt when none came (the server was killed, or the
  // connection could not be made).
  std::optional<BatchAnswer> Post(const std::string& body) {
    if (!Send(body)) return std::nullopt;
    return Read(seconds(20));
  }

  // Post in two halves: Send, then Read the answer within `timeout`.
  bool Send(const std::string& body) {
    if (!client_ || !client_->connected()) client_ = std::make_unique<RawHttpClient>(port_);
    if (!client_->connected()) return false;
    std::string request = "POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    request += "Authorization: " + authorization_ + "\r\n";
    request += "Content-Type: application/json\r\nUser-Agent: cdp-crash-test\r\n";
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    request += body;
    if (client_->Send(request)) return true;
    client_.reset();
    return false;
  }
  std::optional<BatchAnswer> Read(milliseconds timeout) {
    if (!client_) return std::nullopt;
    std::optional<HttpResponse> response = client_->ReadResponse(timeout);
    if (!response || response->Header("connection") == "close") client_.reset();
    if (!response) return std::nullopt;
    BatchAnswer answer;
    answer.status = response->status;
    answer.accepted = JsonIntField(response->body, "accepted").value_or(-1);
    answer.duplicates = JsonIntField(response->body, "duplicates").value_or(-1);
    answer.none_rejected = response->body.find(R"("rejected":[])") != std::string::npos;
    answer.body = std::move(response->body);
    return answer;
  }

 private:
  uint16_t port_;
  std::string authorization_;
  std::unique_ptr<RawHttpClient> client_;
};

struct ClientStats {
  size_t new_batches_acknowledged = 0;
  size_t acknowledged_resends = 0;  // answered with every event a duplicate
  size_t unanswered_resends = 0;    // answered after a restart
  size_t unanswered_at_kill = 0;    // batches whose answer a kill took
};

// One client's history. Only its own thread touches it while a round runs.
struct Client {
  int index = 0;
  std::mt19937_64 rng;
  uint64_t next_batch = 0;
  std::vector<SentBatch> acknowledged;  // got 200: durable from then on
  std::vector<SentBatch> unanswered;    // sent, but no answer came
  ClientStats stats;
};

// Checks a 200 answer to a batch none of whose events was ever sent before.
bool CheckFreshAnswer(const BatchAnswer& answer) {
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.accepted, static_cast<long>(kBatchEvents)) << answer.body;
  EXPECT_EQ(answer.duplicates, 0) << answer.body;
  EXPECT_TRUE(answer.none_rejected) << answer.body;
  return answer.status == 200 && answer.accepted == static_cast<long>(kBatchEvents) &&
         answer.duplicates == 0 && answer.none_rejected;
}

// Checks the answer to a resent acknowledged batch: every event a duplicate,
// whatever restarts happened since the first answer.
bool CheckAcknowledgedResend(const BatchAnswer& answer) {
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.accepted, 0)
      << "the server stored acknowledged events again: it had lost them, or forgot them at a "
         "restart: "
      << answer.body;
  EXPECT_EQ(answer.duplicates, static_cast<long>(kBatchEvents)) << answer.body;
  return answer.status == 200 && answer.accepted == 0 &&
         answer.duplicates == static_cast<long>(kBatchEvents);
}

// Checks the answer to a batch whose first answer was lost: the server may
// have stored any part of it before it died; the rest is accepted now.
bool CheckUnansweredResend(const BatchAnswer& answer) {
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.accepted + answer.duplicates, static_cast<long>(kBatchEvents)) << answer.body;
  EXPECT_TRUE(answer.none_rejected) << answer.body;
  return answer.status == 200 &&
         answer.accepted + answer.duplicates == static_cast<long>(kBatchEvents) &&
         answer.none_rejected;
}

enum class RoundKind {
  kKilled,  // load until the server dies
  kFinal,   // the server stays up: settle every open batch, resend a few, one new batch
};

// What a client does in one round. Returns when the server stops answering,
// when `stop` is set, or (kFinal) when its work is done.
void RunClientRound(Client& client, uint16_t port, const std::string& write_key, int round,
                    RoundKind kind, const std::atomic<bool>& stop) {
  SCOPED_TRACE("round " + std::to_string(round) + ", client " + std::to_string(client.index));
  BatchPoster poster(port, write_key);
  // First the batches whose answer the last kill took, as a client's retry.
  while (!client.unanswered.empty()) {
    const std::optional<BatchAnswer> answer = poster.Post(client.unanswered.back().body);
    if (!answer) {
      EXPECT_NE(kind, RoundKind::kFinal) << "the last server did not answer";
      return;
    }
    if (!CheckUnansweredResend(*answer)) return;
    client.acknowledged.push_back(std::move(client.unanswered.back()));
    client.unanswered.pop_back();
    ++client.stats.unanswered_resends;
  }
  // The newest acknowledged batch again: the restarted server must know it.
  std::vector<size_t> resends;
  if (!client.acknowledged.empty()) resends.push_back(client.acknowledged.size() - 1);
  if (kind == RoundKind::kFinal) {
    for (int i = 0; i < kFinalResends && !client.acknowledged.empty(); ++i) {
      resends.push_back(client.rng() % client.acknowledged.size());
    }
  }
  for (const size_t at : resends) {
    const std::optional<BatchAnswer> answer = poster.Post(client.acknowledged[at].body);
    if (!answer) {
      EXPECT_NE(kind, RoundKind::kFinal) << "the last server did not answer";
      return;
    }
    if (!CheckAcknowledgedResend(*answer)) return;
    ++client.stats.acknowledged_resends;
  }
  // The load: new batches, and now and then a retry of an acknowledged one.
  // The last round sends one new batch: the recovered log takes appends.
  for (int sent = 0; !stop.load(std::memory_order_relaxed); ++sent) {
    if (kind == RoundKind::kFinal && sent == 1) return;
    if (kind == RoundKind::kKilled && !client.acknowledged.empty() &&
        client.rng() % kResendOneIn == 0) {
      const SentBatch& batch = client.acknowledged[client.rng() % client.acknowledged.size()];
      const std::optional<BatchAnswer> answer = poster.Post(batch.body);
      if (!answer) return;  // killed: the batch stays acknowledged all the same
      if (!CheckAcknowledgedResend(*answer)) return;
      ++client.stats.acknowledged_resends;
      continue;
    }
    const std::string prefix =
        "c" + std::to_string(client.index) + "-b" + std::to_string(client.next_batch++);
    SentBatch batch = MakeBatch(prefix, client.rng);
    const std::optional<BatchAnswer> answer = poster.Post(batch.body);
    if (!answer) {
      EXPECT_NE(kind, RoundKind::kFinal) << "the last server did not answer";
      client.unanswered.push_back(std::move(batch));
      ++client.stats.unanswered_at_kill;
      return;
    }
    if (!CheckFreshAnswer(*answer)) {
      client.unanswered.push_back(std::move(batch));  // its fate is unknown: settle it later
      return;
    }
    client.acknowledged.push_back(std::move(batch));
    ++client.stats.new_batches_acknowledged;
  }
}

// Reads every record of the event log in `log_dir`, decodes it, and counts
// its messageIds. REQUIRES: no server runs on the directory (opening the log
// cuts a torn tail, as the server's start-up does).
void CountLoggedMessageIds(const std::string& log_dir, const std::string& workspace_id,
                           std::unordered_map<std::string, int>& counts, size_t& records) {
  // The count the server created the log with.
  int partitions = 0;
  std::ifstream(log_dir + "/partitions") >> partitions;
  ASSERT_GT(partitions, 0) << "no event log in " << log_dir;
  LocalEventLog::Options options;
  options.dir = log_dir;
  options.partitions = partitions;
  options.segment_bytes = 1 << 20;
  options.min_retention = std::chrono::hours(24);
  Result<std::unique_ptr<LocalEventLog>> log = LocalEventLog::Open(options);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  for (int partition = 0; partition < (*log)->partition_count(); ++partition) {
    uint64_t offset = 0;
    while (true) {
      Result<LogReadBatch> batch = (*log)->Read(partition, offset, 4 << 20);
      ASSERT_TRUE(batch.ok()) << "partition " << partition << ": " << batch.status().ToString();
      if (batch->records.empty()) break;
      for (const LogRecord& record : batch->records) {
        Result<Event> event = DecodeEvent(record.payload);
        ASSERT_TRUE(event.ok()) << "partition " << partition << " offset " << record.offset << ": "
                                << event.status().ToString();
        EXPECT_EQ(event->workspace_id, workspace_id);
        ++counts[event->message_id];
        ++records;
      }
      offset = batch->next_offset;
    }
  }
}

// Scans the event store in `store_dir` and counts the workspace's
// messageIds. REQUIRES: no server runs on the directory.
void CountStoredMessageIds(const std::string& store_dir, const std::string& workspace_id,
                           std::unordered_map<std::string, int>& counts, size_t& rows) {
  columnar::PosixFileSystem fs;
  columnar::ColumnarStoreOptions options;
  options.background_merges = false;
  auto store = columnar::ColumnarEventStore::Open(fs, store_dir, options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ScanRequest request;
  request.workspace_id = workspace_id;
  request.from = FromUnixMicros(0);
  request.to = FromUnixMicros(int64_t{4'000'000'000} * 1'000'000);
  request.columns = {"message_id"};
  const Status scanned = (*store)->Scan(request, 1, [&](int, const ScanBatch& batch) {
    const auto& ids = std::get<StringColumn>(batch.columns[0]);
    for (const uint32_t row : batch.selection) {
      ++counts[std::string(ids.dictionary[ids.codes[row]])];
      ++rows;
    }
    return Status::Ok();
  });
  ASSERT_TRUE(scanned.ok()) << scanned.ToString();
}

// Starts `cdp serve` on the data directory; null (with a test failure) when
// it does not come up.
std::unique_ptr<CdpServer> StartServer(const std::string& data_dir) {
  auto server = std::make_unique<CdpServer>(data_dir, ServerEnv());
  EXPECT_NE(server->port(), 0) << server->process().Output();
  if (server->port() == 0) return nullptr;
  return server;
}

// Moves the stopped server's serve.log aside, so that the next CdpServer
// (which takes the first "listening" line of serve.log) finds its own port.
void KeepServerLog(const std::string& data_dir, int round) {
  std::error_code ignored;
  std::filesystem::rename(data_dir + "/serve.log",
                          data_dir + "/serve-" + std::to_string(round) + ".log", ignored);
}

size_t CountInFile(const std::string& path, const std::string& text) {
  std::ifstream file(path);
  std::stringstream read;
  read << file.rdbuf();
  const std::string content = read.str();
  size_t count = 0;
  for (size_t at = content.find(text); at != std::string::npos; at = content.find(text, at + 1)) {
    ++count;
  }
  return count;
}

TEST(IngestCrashTest, AcknowledgedEventsSurviveSigkillExactlyOnce) {
  const uint64_t seed = SeedFromEnvironment();
  std::printf("[ seed     ] CDP_CRASH_SEED=%llu\n", static_cast<unsigned long long>(seed));
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);

  TempDir dir;
  const std::optional<Workspace> workspace = CreateWorkspace(dir.path());
  ASSERT_TRUE(workspace);

  std::vector<Client> clients(kClients);
  for (int i = 0; i < kClients; ++i) {
    clients[i].index = i;
    clients[i].rng.seed(rng());
  }

  for (int round = 0; round <= kKilledRounds; ++round) {
    const RoundKind kind = round < kKilledRounds ? RoundKind::kKilled : RoundKind::kFinal;
    std::unique_ptr<CdpServer> server = StartServer(dir.path());
    ASSERT_TRUE(server) << "round " << round;
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (Client& client : clients) {
      threads.emplace_back(RunClientRound, std::ref(client), server->port(),
                           std::cref(workspace->write_key), round, kind, std::cref(stop));
    }
    if (kind == RoundKind::kKilled) {
      const int kill_after_ms =
          kKillAfterMinMs + static_cast<int>(rng() % (kKillAfterMaxMs - kKillAfterMinMs + 1));
      std::this_thread::sleep_for(milliseconds(kill_after_ms));
      server->process().Signal(SIGKILL);
      EXPECT_EQ(server->process().Wait(seconds(10)), 128 + SIGKILL) << "round " << round;
      stop = true;
      for (std::thread& thread : threads) thread.join();
      size_t open = 0;
      for (const Client& client : clients) open += client.unanswered.size();
      std::printf("[ round %d  ] killed after %d ms; %zu batches unanswered\n", round,
                  kill_after_ms, open);
    } else {
      for (std::thread& thread : threads) thread.join();
      server->process().Signal(SIGTERM);
      EXPECT_EQ(server->process().Wait(seconds(20)), 0) << server->process().Output();
    }
    server.reset();
    KeepServerLog(dir.path(), round);
    if (::testing::Test::HasFailure()) break;
  }
  ASSERT_FALSE(::testing::Test::HasFailure()) << "seed " << seed;

  std::unordered_map<std::string, int> logged;
  size_t records = 0;
  ASSERT_NO_FATAL_FAILURE(CountLoggedMessageIds(dir.File("log"), workspace->id, logged, records));

  ClientStats total;
  std::set<std::string> acknowledged;
  for (const Client& client : clients) {
    EXPECT_TRUE(client.unanswered.empty());
    for (const SentBatch& batch : client.acknowledged) {
      acknowledged.insert(batch.message_ids.begin(), batch.message_ids.end());
    }
    total.new_batches_acknowledged += client.stats.new_batches_acknowledged;
    total.acknowledged_resends += client.stats.acknowledged_resends;
    total.unanswered_resends += client.stats.unanswered_resends;
    total.unanswered_at_kill += client.stats.unanswered_at_kill;
  }
  size_t torn_tails = 0;
  for (int round = 0; round <= kKilledRounds; ++round) {
    torn_tails +=
        CountInFile(dir.File("serve-" + std::to_string(round) + ".log"), "cutting off a torn tail");
  }
  std::printf(
      "[ summary  ] %d killed rounds, %d clients: %zu new batches acknowledged at once, %zu "
      "unanswered at a kill and acknowledged after a restart, %zu acknowledged batches resent; "
      "%zu events acknowledged, %zu log records, %zu torn tails cut\n",
      kKilledRounds, kClients, total.new_batches_acknowledged, total.unanswered_resends,
      total.acknowledged_resends, acknowledged.size(), records, torn_tails);

  size_t missing = 0;
  for (const std::string& message_id : acknowledged) {
    const auto it = logged.find(message_id);
    if (it == logged.end()) {
      if (++missing <= 10) ADD_FAILURE() << "acknowledged " << message_id << " is not in the log";
    }
  }
  size_t repeated = 0;
  size_t unknown = 0;
  for (const auto& [message_id, count] : logged) {
    if (count != 1 && ++repeated <= 10) {
      ADD_FAILURE() << message_id << " is in the log " << count << " times";
    }
    if (!acknowledged.count(message_id) && ++unknown <= 10) {
      ADD_FAILURE() << message_id << " is in the log but was never sent";
    }
  }
  EXPECT_EQ(missing, 0u) << "seed " << seed;
  EXPECT_EQ(repeated, 0u) << "seed " << seed;
  EXPECT_EQ(unknown, 0u) << "seed " << seed;
  EXPECT_EQ(records, acknowledged.size()) << "seed " << seed;

  // The loader, killed with the server, moved every logged event into the
  // event store exactly once.
  std::unordered_map<std::string, int> stored;
  size_t rows = 0;
  ASSERT_NO_FATAL_FAILURE(CountStoredMessageIds(dir.File("store"), workspace->id, stored, rows));
  EXPECT_EQ(stored, logged) << "seed " << seed;
  EXPECT_EQ(rows, records) << "seed " << seed;
  // The kills hit the load: some batch lost its answer and was sent again.
  EXPECT_GT(total.unanswered_resends, 0u);
}

// A client whose first attempt is slow retries on a second connection while
// the first is still being written (or sends the batch twice at once). The
// retry finds the messageIds reserved by the first attempt; it must not hear
// 200 before the first attempt's append is durable, or a crash right after
// would lose events the client was told are stored. (This found that bug:
// duplicates were answered at once.)
TEST(IngestCrashTest, ConcurrentRetryIsAnsweredOnlyOnceTheOriginalIsDurable) {
  constexpr int kAttempts = 20;
  constexpr size_t kRaceBatchEvents = 1000;  // a longer append: a wider window
  const uint64_t seed = SeedFromEnvironment();
  std::printf("[ seed     ] CDP_CRASH_SEED=%llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  TempDir dir;
  const std::optional<Workspace> workspace = CreateWorkspace(dir.path());
  ASSERT_TRUE(workspace);
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    std::unique_ptr<CdpServer> server = StartServer(dir.path());
    ASSERT_TRUE(server) << "attempt " << attempt;
    const SentBatch batch = MakeBatch("race" + std::to_string(attempt), rng, kRaceBatchEvents);
    BatchPoster first(server->port(), workspace->write_key);
    BatchPoster retry(server->port(), workspace->write_key);
    ASSERT_TRUE(first.Send(batch.body));
    // The retry follows after 0 to 4 ms: somewhere while the first attempt is
    // admitted, written or synced.
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 4000));
    ASSERT_TRUE(retry.Send(batch.body));
    const std::optional<BatchAnswer> answer = retry.Read(seconds(20));
    // Whether the first attempt was answered before the kill (informative:
    // either way, an answered retry means the events are durable).
    const bool first_answered = first.Read(milliseconds(0)).has_value();
    server->process().Signal(SIGKILL);
    ASSERT_EQ(server->process().Wait(seconds(10)), 128 + SIGKILL);
    server.reset();
    KeepServerLog(dir.path(), attempt);
    ASSERT_TRUE(answer) << "attempt " << attempt << ": the retry got no answer";
    ASSERT_EQ(answer->status, 200) << answer->body;

    std::unordered_map<std::string, int> logged;
    size_t records = 0;
    ASSERT_NO_FATAL_FAILURE(CountLoggedMessageIds(dir.File("log"), workspace->id, logged, records));
    size_t missing = 0;
    for (const std::string& message_id : batch.message_ids)
      missing += logged.count(message_id) == 0;
    ASSERT_EQ(missing, 0u) << "attempt " << attempt << " (seed " << seed
                           << "): the retry was answered " << answer->body << ", the first attempt "
                           << (first_answered ? "was" : "was not")
                           << " answered before the kill, and " << missing << " of "
                           << kRaceBatchEvents << " acknowledged events are not in the log";
  }
}

}  // namespace
}  // namespace cdp::testing
