#include "gen/batch_poster.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>

#include "gen/http_connection.h"

namespace cdp::gen {

namespace {

constexpr size_t kMaxRejectionSamples = 5;

// The error the server explained itself with ({"error": "...", "field": "..."}),
// or its body's start when it is not that.
std::string ServerError(std::string_view body) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(body);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) == simdjson::SUCCESS) {
    std::string_view error;
    if (root["error"].get(error) == simdjson::SUCCESS) {
      std::string_view field;
      if (root["field"].get(field) == simdjson::SUCCESS && !field.empty()) {
        return fmt::format("{} ({})", error, field);
      }
      return std::string(error);
    }
  }
  std::string text(body.substr(0, 200));
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text.empty() ? "no explanation" : text;
}

ErrorCode CodeOf(int http_status) {
  switch (http_status) {
    case 400:
      return ErrorCode::kBadRequest;
    case 401:
      return ErrorCode::kUnauthorized;
    case 403:
      return ErrorCode::kForbidden;
    case 404:
      return ErrorCode::kNotFound;
    case 413:
      return ErrorCode::kPayloadTooLarge;
    case 422:
      return ErrorCode::kUnprocessableEntity;
    case 429:
      return ErrorCode::kTooManyRequests;
    default:
      return http_status >= 500 ? ErrorCode::kUnavailable : ErrorCode::kBadRequest;
  }
}

std::string_view Advice(int http_status) {
  switch (http_status) {
    case 401:
      return "; check --write-key";
    case 404:
      return "; is --post the base URL of a cdp server?";
    case 413:
      return "; lower --batch, or raise the server's CDP_INGEST_MAX_REQUEST / CDP_INGEST_MAX_BATCH";
    default:
      return "";
  }
}

}  // namespace

Result<PostTarget> ParsePostUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    return Status::BadRequest(
        fmt::format("--post takes an http:// URL such as http://127.0.0.1:8080, not '{}'{}", url,
                    url.starts_with("https://") ? " (https is not supported)" : ""),
        "post");
  }
  std::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  PostTarget target;
  std::string_view port = "80";
  if (authority.starts_with('[')) {  // [IPv6]:port
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return Status::BadRequest(fmt::format("--post: bad host in '{}'", url), "post");
    }
    target.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':')
        return Status::BadRequest(fmt::format("--post: bad host in '{}'", url), "post");
      port = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    target.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  int port_number = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), port_number);
  if (target.host.empty() || ec != std::errc() || end != port.data() + port.size() ||
      port_number < 1 || port_number > 65535) {
    return Status::BadRequest(fmt::format("--post: bad host or port in '{}'", url), "post");
  }
  target.port = std::string(port);
  while (path.ends_with('/')) path.remove_suffix(1);
  target.path = std::string(path);
  if (!path.ends_with("/v1/batch") && !path.ends_with("/batch")) target.path += "/v1/batch";
  return target;
}

std::string BasicCredentials(std::string_view key) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string text = std::string(key) + ":";
  std::string out = "Basic ";
  for (size_t i = 0; i < text.size(); i += 3) {
    uint32_t chunk = static_cast<uint32_t>(static_cast<uint8_t>(text[i])) << 16;
    if (i + 1 < text.size()) chunk |= static_cast<uint32_t>(static_cast<uint8_t>(text[i + 1])) << 8;
    if (i + 2 < text.size()) chunk |= static_cast<uint8_t>(text[i + 2]);
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < text.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < text.size() ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

Result<std::unique_ptr<BatchPoster>> BatchPoster::Start(PosterOptions options) {
  CDP_ASSIGN_OR_RETURN(PostTarget target, ParsePostUrl(options.url));
  if (options.key.empty()) {
    return Status::BadRequest("--post needs the workspace's key: --write-key wk_...", "write-key");
  }
  if (options.batch_events < 1 || options.concurrency < 1 || options.max_attempts < 1) {
    return Status::BadRequest("--batch and --concurrency must be at least 1", "batch");
  }
  std::unique_ptr<BatchPoster> poster(new BatchPoster(std::move(options), std::move(target)));
  for (int i = 0; i < poster->options_.concurrency; ++i) {
    poster->workers_.emplace_back([p = poster.get()] { p->Work(); });
  }
  return poster;
}

BatchPoster::BatchPoster(PosterOptions options, PostTarget target)
    : options_(std::move(options)),
      target_(std::move(target)),
      headers_({{"Authorization", BasicCredentials(options_.key)}}) {}

BatchPoster::~BatchPoster() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    if (failure_.ok()) failure_ = Status::Unavailable("stopped", std::chrono::seconds(0));
  }
  changed_.notify_all();
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

Status BatchPoster::Add(std::string_view message) {
  if (current_events_ > 0 && current_.size() + message.size() + 2 > options_.batch_bytes) {
    CDP_RETURN_IF_ERROR(Seal());
  }
  if (current_events_ == 0) {
    current_.reserve(options_.batch_bytes + 4096);
    current_ = R"({"batch":[)";
  } else {
    current_.push_back(',');
  }
  current_.append(message);
  if (++current_events_ >= options_.batch_events) return Seal();
  return Status::Ok();
}

Status BatchPoster::Seal() {
  current_ += "]}";
  Batch batch{std::move(current_), current_events_};
  current_ = std::string();
  current_events_ = 0;
  std::unique_lock lock(mu_);
  // Room for one batch per connection besides those being sent.
  const size_t limit = static_cast<size_t>(options_.concurrency);
  changed_.wait(lock, [&] { return queue_.size() < limit || !failure_.ok(); });
  if (!failure_.ok()) return failure_;
  queue_.push_back(std::move(batch));
  lock.unlock();
  changed_.notify_all();
  return Status::Ok();
}

Status BatchPoster::Finish() {
  // A failed Seal is failure_, returned below once the workers are joined.
  if (current_events_ > 0) (void)Seal();
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  changed_.notify_all();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  std::lock_guard lock(mu_);
  return failure_;
}

PostCounts BatchPoster::counts() const {
  std::lock_guard lock(mu_);
  return counts_;
}

std::vector<std::string> BatchPoster::rejections() const {
  std::lock_guard lock(mu_);
  return rejections_;
}

void BatchPoster::Stop(Status failure) {
  {
    std::lock_guard lock(mu_);
    if (failure_.ok()) failure_ = std::move(failure);
  }
  changed_.notify_all();
}

bool BatchPoster::Pause(std::chrono::milliseconds delay) {
  std::unique_lock lock(mu_);
  return !changed_.wait_for(lock, delay, [&] { return !failure_.ok(); });
}

void BatchPoster::Work() {
  HttpConnection connection(target_.host, target_.port, options_.timeout);
  for (;;) {
    Batch batch;
    {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return !queue_.empty() || closing_ || !failure_.ok(); });
      if (!failure_.ok() || queue_.empty()) return;
      batch = std::move(queue_.front());
      queue_.pop_front();
    }
    changed_.notify_all();  // room in the queue
    if (Status sent = Send(connection, batch); !sent.ok()) {
      Stop(std::move(sent));
      return;
    }
  }
}

Status BatchPoster::Send(HttpConnection& connection, const Batch& batch) {
  for (int attempt = 1;; ++attempt) {
    {
      std::lock_guard lock(mu_);
      ++counts_.requests;
      if (attempt > 1) ++counts_.retries;
    }
    Result<HttpAnswer> answer = connection.Post(target_.path, batch.body, headers_);
    std::chrono::milliseconds wait{0};
    if (!answer.ok()) {
      if (attempt >= options_.max_attempts) {
        return Status::Unavailable(
            fmt::format("{} (gave up after {} attempts)", answer.status().message(), attempt),
            std::chrono::seconds(1));
      }
      wait = std::min<std::chrono::milliseconds>(
          options_.reconnect_backoff * (1 << std::min(attempt - 1, 10)), std::chrono::seconds(5));
    } else if (answer->status == 200) {
      return Count(answer->body, batch);
    } else if (answer->status == 429 || answer->status == 503) {
      const std::chrono::seconds asked = answer->retry_after.value_or(std::chrono::seconds(1));
      const std::string reason = ServerError(answer->body);
      if (asked > options_.max_retry_after) {
        return Status(CodeOf(answer->status),
                      fmt::format("the server answered {} and asks to wait {} s: {}{}",
                                  answer->status, asked.count(), reason,
                                  answer->status == 429
                                      ? "; raise the workspace's limits (cdp workspace limits)"
                                      : ""));
      }
      if (attempt >= options_.max_attempts) {
        return Status(CodeOf(answer->status),
                      fmt::format("the server still answered {} after {} attempts: {}{}",
                                  answer->status, attempt, reason,
                                  answer->status == 429
                                      ? "; lower --concurrency or raise the workspace's limits "
                                        "(cdp workspace limits)"
                                      : ""));
      }
      wait = asked;
    } else {
      return Status(CodeOf(answer->status),
                    fmt::format("the server refused a batch with {}: {}{}", answer->status,
                                ServerError(answer->body), Advice(answer->status)));
    }
    if (!Pause(wait)) return Status::Ok();  // another worker failed; its error is the run's
  }
}

Status BatchPoster::Count(std::string_view answer, const Batch& batch) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(answer);
  simdjson::dom::element root;
  uint64_t accepted = 0;
  uint64_t duplicates = 0;
  simdjson::dom::array rejected;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS ||
      root["accepted"].get(accepted) != simdjson::SUCCESS ||
      root["duplicates"].get(duplicates) != simdjson::SUCCESS ||
      root["rejected"].get(rejected) != simdjson::SUCCESS) {
    return Status::Unavailable(
        fmt::format("the server's answer is not a cdp batch answer: {}", ServerError(answer)),
        std::chrono::seconds(0));
  }
  std::lock_guard lock(mu_);
  counts_.accepted += accepted;
  counts_.duplicates += duplicates;
  counts_.rejected += rejected.size();
  for (const simdjson::dom::element item : rejected) {
    if (rejections_.size() >= kMaxRejectionSamples) break;
    // Missing parts are shown as -1 / "?" / no field.
    int64_t index = -1;
    std::string_view error;
    std::string_view field;
    if (item["index"].get(index) != simdjson::SUCCESS) index = -1;
    if (item["error"].get(error) != simdjson::SUCCESS) error = "?";
    if (item["field"].get(field) != simdjson::SUCCESS) field = {};
    rejections_.push_back(field.empty()
                              ? fmt::format("batch item {}: {}", index, error)
                              : fmt::format("batch item {}: {} ({})", index, error, field));
  }
  if (accepted + duplicates + rejected.size() != batch.events) {
    return Status::Unavailable(fmt::format("the server answered for {} events of a batch of {}",
                                           accepted + duplicates + rejected.size(), batch.events),
                               std::chrono::seconds(0));
  }
  return Status::Ok();
}

}  // namespace cdp::gen
