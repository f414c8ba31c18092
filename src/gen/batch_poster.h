#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.h"

namespace cdp::gen {

class HttpConnection;

// Where `cdp gen --post URL` sends batches.
struct PostTarget {
  std::string host;
  std::string port;
  std::string path;  // "/v1/batch", or under the URL's path prefix
};

// "http://host[:port][/prefix]" (a URL already ending in /v1/batch or /batch
// is taken as is). BadRequest for anything else, https included.
Result<PostTarget> ParsePostUrl(std::string_view url);

// base64("key:"): the HTTP Basic credentials Segment's SDKs send.
std::string BasicCredentials(std::string_view key);

struct PosterOptions {
  std::string url;
  std::string key;  // a write key (wk_...) or, for old events, a secret key (sk_...)
  size_t batch_events = 500;
  // Below the server's default request limit (500 KiB): a batch is cut
  // before it would grow past this many bytes.
  size_t batch_bytes = 450 << 10;
  int concurrency = 4;  // connections, each with its own thread
  // Per batch: how often 429, 503 or a broken connection is retried.
  int max_attempts = 10;
  // A 429 or 503 asking to wait longer than this (say, for a daily quota) stops the run.
  std::chrono::seconds max_retry_after{60};
  std::chrono::milliseconds timeout{60'000};  // per connect, send and read
  // Waits after a broken connection: base * 2^(attempt - 1), capped at 5 s.
  std::chrono::milliseconds reconnect_backoff{250};
};

struct PostCounts {
  uint64_t accepted = 0;
  uint64_t duplicates = 0;
  uint64_t rejected = 0;
  uint64_t requests = 0;  // HTTP requests, retries included
  uint64_t retries = 0;
  uint64_t answered() const { return accepted + duplicates + rejected; }
};

// Posts Segment messages to cdp's /v1/batch as {"batch":[...]} bodies, cut
// in the order the messages are added, over `concurrency` keep-alive
// connections. Batches may reach the server out of order when concurrency > 1;
// what is sent does not depend on it. Retries are safe: the server
// deduplicates on messageId (a resent batch counts as duplicates).
//
// Stops at the first failure: a 4xx other than 429 (with the server's error),
// a 5xx other than 503, too many retries, or a Retry-After beyond
// max_retry_after. Thread safety: Add and Finish from one thread; counts()
// and rejections() from any.
class BatchPoster {
 public:
  static Result<std::unique_ptr<BatchPoster>> Start(PosterOptions options);
  // Stops the workers; batches not yet sent are dropped (call Finish to send them).
  ~BatchPoster();
  BatchPoster(const BatchPoster&) = delete;
  BatchPoster& operator=(const BatchPoster&) = delete;

  // Adds one message (a JSON object). Blocks while every connection is busy
  // and the queue is full. Returns the failure that stopped the poster, if any.
  Status Add(std::string_view message);
  // Sends what is left, waits for every answer and stops the workers.
  Status Finish();

  PostCounts counts() const;
  // The first few items the server refused, as "batch item 7: <reason> (<field>)".
  std::vector<std::string> rejections() const;

 private:
  struct Batch {
    std::string body;
    size_t events = 0;
  };

  BatchPoster(PosterOptions options, PostTarget target);
  Status Seal();
  void Work();
  Status Send(HttpConnection& connection, const Batch& batch);
  Status Count(std::string_view answer, const Batch& batch);
  // Waits `delay`, or less when another worker failed; false in that case.
  bool Pause(std::chrono::milliseconds delay);
  void Stop(Status failure);

  const PosterOptions options_;
  const PostTarget target_;
  const std::vector<std::pair<std::string, std::string>> headers_;

  std::string current_;  // the batch being filled (Add's thread only)
  size_t current_events_ = 0;

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;              // GUARDED_BY(mu_)
  bool closing_ = false;                 // GUARDED_BY(mu_): no more batches will come
  Status failure_;                       // GUARDED_BY(mu_)
  PostCounts counts_;                    // GUARDED_BY(mu_)
  std::vector<std::string> rejections_;  // GUARDED_BY(mu_)
  std::vector<std::thread> workers_;
};

}  // namespace cdp::gen
