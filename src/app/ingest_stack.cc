#include "app/ingest_stack.h"

#include <fmt/format.h>

#include "core/log.h"
#include "ingest/dedup_restore.h"
#include "ingest/enrich/geo_locator.h"
#include "ingest/enrich/ip_privacy.h"
#include "ingest/enrich/user_agent_parser.h"

namespace cdp {

namespace {

using std::chrono::duration_cast;

constexpr std::chrono::minutes kHousekeepingInterval{1};
constexpr std::chrono::seconds kRateLimitRefreshInterval{30};

ingest::IngestOptions IngestOptionsFrom(const Config& config) {
  ingest::IngestOptions options;
  options.limits.max_event_bytes = config.ingest_max_event_bytes;
  options.limits.max_batch_events = static_cast<size_t>(config.ingest_max_batch_events);
  options.max_request_bytes = config.ingest_max_request_bytes;
  options.late_after = duration_cast<std::chrono::seconds>(config.ingest_late_after);
  options.ack = ingest::ParseAckMode(config.ingest_ack).value_or(ingest::AckMode::kDurable);
  return options;
}

ingest::RateLimits RateLimitsFrom(const Config& config) {
  ingest::RateLimits limits;
  limits.requests_per_second = config.rate_limit_rps;
  limits.burst_requests = config.rate_limit_burst;
  limits.events_per_day = config.rate_limit_events_per_day;
  return limits;
}

Result<std::unique_ptr<ingest::enrich::Enricher>> OpenEnricher(const Config& config) {
  namespace enrich = ingest::enrich;
  const std::string rules = config.ua_regexes.empty() ? CDP_UAP_REGEXES : config.ua_regexes;
  Result<std::unique_ptr<enrich::UserAgentParser>> parser = enrich::UserAgentParser::Load(rules);
  if (!parser.ok()) {
    return std::move(Status(parser.status())
                         .WithCause(fmt::format("user-agent rules {} (CDP_UA_REGEXES): {}", rules,
                                                parser.status().ToString())));
  }
  std::unique_ptr<enrich::GeoLocator> geo;
  Result<std::unique_ptr<enrich::GeoLocator>> opened =
      enrich::OpenGeoLocator({.mmdb_path = config.geoip_db});
  if (opened.ok()) {
    geo = std::move(opened).value();
    log::Info("geo enrichment").Str("database", geo->Describe());
  } else if (!config.geoip_db.empty()) {
    return opened.status();  // configured, so it must work
  } else {
    log::Warn(
        "no geo enrichment: Debian's geoip-database is not installed and CDP_GEOIP_DB is unset")
        .Err(opened.status());
  }
  const auto policy = enrich::ParseIpPolicy(config.ip_policy).value_or(enrich::IpPolicy::kKeep);
  return std::make_unique<enrich::Enricher>(
      std::make_unique<enrich::CachingUserAgentParser>(std::move(parser).value()), std::move(geo),
      enrich::EnricherOptions{.ip_policy = policy});
}

}  // namespace

IngestStack::IngestStack(const Config& config, MetaStore& meta, SchemaRegistry& schema_registry,
                         DeadLetterStore& dead_letters)
    : clock_(SystemClock::Instance()),
      meta_(meta),
      schema_registry_(schema_registry),
      dead_letters_(dead_letters),
      write_keys_(meta, clock_, config.write_key_cache_ttl),
      rate_limiter_(clock_, RateLimitsFrom(config)),
      rate_limit_sync_(meta, rate_limiter_, RateLimitsFrom(config)) {}

IngestStack::~IngestStack() { Close(); }

Result<std::unique_ptr<IngestStack>> IngestStack::Open(const Config& config, MetaStore& meta,
                                                       SchemaRegistry& schema_registry,
                                                       DeadLetterStore& dead_letters) {
  std::unique_ptr<IngestStack> stack(new IngestStack(config, meta, schema_registry, dead_letters));
  // The log keeps a dedup window of events whatever its consumers did, so
  // that the index can be rebuilt from it after a restart.
  LocalEventLog::Options log_options;
  log_options.dir = config.data_dir + "/log";
  log_options.partitions = config.log_partitions;
  log_options.segment_bytes = config.log_segment_bytes;
  log_options.min_retention = stack->dedup_.window();
  CDP_ASSIGN_OR_RETURN(stack->log_, LocalEventLog::Open(log_options));
  CDP_ASSIGN_OR_RETURN(
      const size_t restored,
      ingest::RestoreDedupIndexFromLog(*stack->log_, stack->dedup_, stack->clock_.Now()));
  log::Info("event log open")
      .Str("dir", log_options.dir)
      .Int("partitions", stack->log_->partition_count())
      .Int("dedup_entries_restored", static_cast<int64_t>(restored));

  CDP_RETURN_IF_ERROR(stack->rate_limit_sync_.Apply());
  CDP_ASSIGN_OR_RETURN(stack->enricher_, OpenEnricher(config));
  stack->schema_gate_ = std::make_unique<ingest::SchemaGate>(schema_registry, stack->clock_);
  stack->service_ = std::make_unique<ingest::IngestService>(
      ingest::IngestService::Dependencies{
          .write_keys = stack->write_keys_,
          .api_keys = stack->meta_,
          .rate_limiter = stack->rate_limiter_,
          .dedup = stack->dedup_,
          .schema = *stack->schema_gate_,
          .dead_letters = dead_letters,
          .enricher = stack->enricher_.get(),
          .log = *stack->log_,
          .clock = stack->clock_,
      },
      IngestOptionsFrom(config));
  stack->replayer_ = std::make_unique<ingest::DeadLetterReplayer>(
      dead_letters, *stack->schema_gate_, stack->dedup_, *stack->log_, stack->clock_);
  stack->housekeeping_ = std::make_unique<PeriodicTask>(kHousekeepingInterval, [raw = stack.get()] {
    raw->log_->ApplyRetention();
    raw->dedup_.Expire(raw->clock_.Now());
  });
  stack->rate_limit_refresh_ =
      std::make_unique<PeriodicTask>(kRateLimitRefreshInterval, [raw = stack.get()] {
        if (Status applied = raw->rate_limit_sync_.Apply(); !applied.ok()) {
          log::Warn("cannot read the per-workspace rate limits; keeping the current ones")
              .Err(applied);
        }
      });
  return stack;
}

void IngestStack::Close() {
  rate_limit_refresh_.reset();
  housekeeping_.reset();
  log_.reset();
}

}  // namespace cdp
