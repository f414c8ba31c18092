#include "app/workspace_command.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>

#include "app/cli_audit.h"
#include "app/command_failure.h"
#include "auth/workspace_provisioner.h"
#include "core/config_values.h"
#include "core/json_writer.h"
#include "ingest/rate_limiter.h"
#include "meta/sqlite/sqlite_meta_store.h"
#include "meta/sqlite/sqlite_migrator.h"

namespace cdp {

namespace {

// The store, once the migrator agrees its schema is the one this cdp speaks.
Result<std::unique_ptr<SqliteMetaStore>> OpenCurrentStore(const Config& config) {
  CDP_ASSIGN_OR_RETURN(auto migrator, OpenSqliteMigrator(config.MetaDbPath()));
  CDP_RETURN_IF_ERROR(migrator->CheckCurrent());
  return OpenSqliteMetaStore(config.MetaDbPath());
}

Status ErrnoError(std::string_view what, const std::string& path) {
  return Status::Internal(fmt::format("cannot {} {}: {}", what, path, std::strerror(errno)));
}

// Writes the file aside and renames it into place, so a reader never sees
// half of it; created 0600 because it holds a secret.
Status WriteKeysFile(const std::string& path, std::string_view write_key,
                     std::string_view secret_key) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ignored;  // open() below reports a missing directory
  if (!parent.empty()) std::filesystem::create_directories(parent, ignored);

  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError("create", temp);
  const std::string text =
      fmt::format("CDP_WRITE_KEY={}\nCDP_SECRET_KEY={}\n", write_key, secret_key);
  // fchmod: an older temp file keeps its mode through O_TRUNC.
  const bool written = ::fchmod(fd, 0600) == 0 &&
                       ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  Status status = written ? Status::Ok() : ErrnoError("write", temp);
  if (::close(fd) != 0 && status.ok()) status = ErrnoError("close", temp);
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) status = ErrnoError("rename", temp);
  if (!status.ok()) ::unlink(temp.c_str());
  return status;
}

// What the audit log keeps of a new workspace; never its keys.
std::string WorkspaceCreateDetails(const Workspace& workspace) {
  JsonWriter details;
  details.BeginObject().Key("name").String(workspace.name).EndObject();
  return std::move(details).Take();
}

void PrintExisting(const Workspace& workspace) {
  fmt::print("workspace {} already exists (id {})\n", workspace.name, workspace.id);
}

// The upper bounds of the CDP_RATE_LIMIT_* defaults (core/config.cc), so that
// an override can say anything a default can.
constexpr int64_t kMaxRequestsPerSecond = 10'000'000;
constexpr int64_t kMaxBurstRequests = 1'000'000'000;
constexpr int64_t kMaxEventsPerDay = 1'000'000'000'000'000'000;

// A number of requests per second: decimals allowed ("2.5"), at least 1.
Result<double> ParseRequestsPerSecond(std::string_view text) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value) || value < 1 ||
      value > kMaxRequestsPerSecond) {
    return Status::BadRequest(fmt::format(
        "invalid --rps: expected a number of requests per second from 1 to {}, got '{}'",
        kMaxRequestsPerSecond, text));
  }
  return value;
}

Result<int64_t> ParseCount(std::string_view flag, std::string_view text, int64_t max) {
  Result<int64_t> value = config_values::ParseInt(text, 1, max);
  if (!value.ok()) {
    return Status::BadRequest(fmt::format("invalid {}: {}", flag, value.status().message()));
  }
  return value;
}

// A duration in whole seconds ("5s", "1m"), from 1 s to a day.
Result<int64_t> ParseBurstWindowSeconds(std::string_view text) {
  Result<std::chrono::milliseconds> window = config_values::ParseDuration(text);
  const auto max = std::chrono::seconds(WorkspaceRateLimits::kMaxBurstWindowSeconds);
  if (!window.ok() || window->count() % 1000 != 0 || *window < std::chrono::seconds(1) ||
      *window > max) {
    return Status::BadRequest(fmt::format(
        "invalid --burst-window: expected whole seconds from 1s to 24h, such as 5s or 1m, got "
        "'{}'",
        text));
  }
  return std::chrono::duration_cast<std::chrono::seconds>(*window).count();
}

// The limits `options` give, parsed; the others unset.
Result<WorkspaceRateLimits> ParseLimitOptions(const WorkspaceLimitsOptions& options) {
  WorkspaceRateLimits given;
  if (options.requests_per_second) {
    CDP_ASSIGN_OR_RETURN(given.requests_per_second,
                         ParseRequestsPerSecond(*options.requests_per_second));
  }
  if (options.burst_requests) {
    CDP_ASSIGN_OR_RETURN(given.burst_requests,
                         ParseCount("--burst", *options.burst_requests, kMaxBurstRequests));
  }
  if (options.burst_window) {
    CDP_ASSIGN_OR_RETURN(given.burst_window_seconds,
                         ParseBurstWindowSeconds(*options.burst_window));
  }
  if (options.events_per_day) {
    CDP_ASSIGN_OR_RETURN(given.events_per_day,
                         ParseCount("--events-per-day", *options.events_per_day, kMaxEventsPerDay));
  }
  return given;
}

// `limits` with the limits set in `given` replacing theirs.
void MergeLimits(const WorkspaceRateLimits& given, WorkspaceRateLimits& limits) {
  if (given.requests_per_second) limits.requests_per_second = given.requests_per_second;
  if (given.burst_requests) limits.burst_requests = given.burst_requests;
  if (given.burst_window_seconds) limits.burst_window_seconds = given.burst_window_seconds;
  if (given.events_per_day) limits.events_per_day = given.events_per_day;
}

// "5s", "10m", "1h": as --burst-window accepts it.
std::string FormatWindow(int64_t seconds) {
  if (seconds % 3600 == 0) return fmt::format("{}h", seconds / 3600);
  if (seconds % 60 == 0) return fmt::format("{}m", seconds / 60);
  return fmt::format("{}s", seconds);
}

// The workspace's override; nullopt when it has none.
Result<std::optional<WorkspaceRateLimits>> FindRateLimits(MetaStore& store,
                                                          std::string_view workspace_id) {
  CDP_ASSIGN_OR_RETURN(auto overrides, store.ListWorkspaceRateLimits());
  for (WorkspaceRateLimits& limits : overrides) {
    if (limits.workspace_id == workspace_id) return std::optional(std::move(limits));
  }
  return std::optional<WorkspaceRateLimits>();
}

void PrintLimit(std::string_view label, const std::string& value, bool overridden) {
  fmt::print("  {:<20} {:<14} {}\n", label, value, overridden ? "override" : "default");
}

// Each limit as the server applies it: the override's value where it has
// one, else the default of `config` (and of ingest::RateLimits for the burst
// window, which has no configuration variable).
void PrintEffectiveLimits(const Config& config, const Workspace& workspace,
                          const std::optional<WorkspaceRateLimits>& limits) {
  const ingest::RateLimits defaults;
  const WorkspaceRateLimits set = limits.value_or(WorkspaceRateLimits{});
  fmt::print("rate limits of workspace {} (id {}):\n", workspace.name, workspace.id);
  PrintLimit("requests per second",
             fmt::format("{}", set.requests_per_second.value_or(config.rate_limit_rps)),
             set.requests_per_second.has_value());
  PrintLimit("burst requests",
             fmt::format("{}", set.burst_requests.value_or(config.rate_limit_burst)),
             set.burst_requests.has_value());
  PrintLimit("burst window",
             FormatWindow(set.burst_window_seconds.value_or(defaults.burst_window.count())),
             set.burst_window_seconds.has_value());
  PrintLimit("events per day",
             fmt::format("{}", set.events_per_day.value_or(config.rate_limit_events_per_day)),
             set.events_per_day.has_value());
  if (limits) {
    fmt::print("override last changed {}\n", FormatIso8601(limits->updated_at));
  } else {
    fmt::print("no override: every limit is the default\n");
  }
}

// DAYS of `cdp workspace retention`: a whole number of days within
// Workspace's bounds.
Result<int> ParseRetentionDays(std::string_view text) {
  Result<int64_t> days =
      config_values::ParseInt(text, Workspace::kMinRetentionDays, Workspace::kMaxRetentionDays);
  if (!days.ok()) {
    return Status::BadRequest(
        fmt::format("invalid DAYS: the retention is a whole number of days from {} to {}, got '{}'",
                    Workspace::kMinRetentionDays, Workspace::kMaxRetentionDays, text));
  }
  return static_cast<int>(*days);
}

// "90 days", "1 day".
std::string FormatDays(int days) { return fmt::format("{} day{}", days, days == 1 ? "" : "s"); }

}  // namespace

int RunWorkspaceCreateCommand(const Config& config, std::string_view name, bool if_absent,
                              const std::string& keys_file) {
  Result<std::unique_ptr<SqliteMetaStore>> store = OpenCurrentStore(config);
  if (!store.ok()) return ReportCommandFailure(store.status());

  if (if_absent) {
    Result<Workspace> existing = (*store)->FindWorkspaceByName(name);
    if (existing.ok()) {
      PrintExisting(*existing);
      return 0;
    }
    if (existing.status().code() != ErrorCode::kNotFound)
      return ReportCommandFailure(existing.status());
  }

  WorkspaceProvisioner provisioner(**store, SystemClock::Instance());
  Result<ProvisionedWorkspace> created = provisioner.Create(name);
  if (!created.ok()) {
    // Another process may have created it since the lookup above.
    if (if_absent && created.status().code() == ErrorCode::kConflict &&
        created.status().field() == "name") {
      Result<Workspace> existing = (*store)->FindWorkspaceByName(name);
      if (!existing.ok()) return ReportCommandFailure(existing.status());
      PrintExisting(*existing);
      return 0;
    }
    return ReportCommandFailure(created.status());
  }

  fmt::print("workspace {} created (id {})\n", created->workspace.name, created->workspace.id);
  fmt::print("  write key:  {}   (public: use it in SDKs)\n", created->write_key);
  fmt::print("  secret key: {}   (shown once: store it now)\n", created->secret_key);
  std::fflush(stdout);  // the keys are out even if writing the file fails
  RecordCommandLineAudit(config, created->workspace.id, "workspace.create", "workspace",
                         created->workspace.id, WorkspaceCreateDetails(created->workspace));
  if (!keys_file.empty()) {
    if (Status status = WriteKeysFile(keys_file, created->write_key, created->secret_key);
        !status.ok()) {
      return ReportCommandFailure(status);
    }
    fmt::print("  keys written to {}\n", keys_file);
  }
  return 0;
}

int RunWorkspaceListCommand(const Config& config) {
  Result<std::unique_ptr<SqliteMetaStore>> store = OpenCurrentStore(config);
  if (!store.ok()) return ReportCommandFailure(store.status());
  Result<std::vector<Workspace>> workspaces = (*store)->ListWorkspaces();
  if (!workspaces.ok()) return ReportCommandFailure(workspaces.status());
  if (workspaces->empty()) {
    fmt::print("no workspaces yet: create one with `cdp workspace create NAME`\n");
    return 0;
  }
  Result<std::vector<WorkspaceRateLimits>> overrides = (*store)->ListWorkspaceRateLimits();
  if (!overrides.ok()) return ReportCommandFailure(overrides.status());
  std::set<std::string, std::less<>> overridden;
  for (const auto& limits : *overrides) overridden.insert(limits.workspace_id);

  size_t name_width = 4;
  for (const auto& w : *workspaces) name_width = std::max(name_width, w.name.size());
  // "36500 days" is the longest retention.
  fmt::print("{:<36}  {:<{}}  {:<24}  {:<10}  {}\n", "id", "name", name_width, "created_at",
             "retention", "rate_limits");
  for (const auto& w : *workspaces) {
    fmt::print("{:<36}  {:<{}}  {:<24}  {:<10}  {}\n", w.id, w.name, name_width,
               FormatIso8601(w.created_at), FormatDays(w.retention_days),
               overridden.contains(w.id) ? "override" : "default");
  }
  return 0;
}

int RunWorkspaceLimitsCommand(const Config& config, std::string_view name,
                              const WorkspaceLimitsOptions& options) {
  if (options.reset && options.changes_limits()) {
    return ReportCommandFailure(Status::BadRequest(
        "--reset removes the override: it cannot be combined with --rps, --burst, "
        "--burst-window or --events-per-day"));
  }
  // Checked before the database is opened: a typo changes nothing.
  Result<WorkspaceRateLimits> given = ParseLimitOptions(options);
  if (!given.ok()) return ReportCommandFailure(given.status());

  Result<std::unique_ptr<SqliteMetaStore>> store = OpenCurrentStore(config);
  if (!store.ok()) return ReportCommandFailure(store.status());
  Result<Workspace> workspace = (*store)->FindWorkspaceByName(name);
  if (!workspace.ok()) return ReportCommandFailure(workspace.status());

  if (options.reset) {
    if (Status status = (*store)->ClearWorkspaceRateLimits(workspace->id); !status.ok()) {
      return ReportCommandFailure(status);
    }
    fmt::print("rate-limit override of workspace {} removed\n", workspace->name);
  } else if (options.changes_limits()) {
    // Read, merge, write: two people changing the same workspace's limits at
    // the same moment may each lose the other's change; the last one wins.
    Result<std::optional<WorkspaceRateLimits>> current = FindRateLimits(**store, workspace->id);
    if (!current.ok()) return ReportCommandFailure(current.status());
    WorkspaceRateLimits limits = current->value_or(WorkspaceRateLimits{});
    limits.workspace_id = workspace->id;
    MergeLimits(*given, limits);
    limits.updated_at = SystemClock::Instance().Now();
    if (Status status = (*store)->SetWorkspaceRateLimits(limits); !status.ok()) {
      return ReportCommandFailure(status);
    }
    fmt::print("rate limits of workspace {} updated\n", workspace->name);
  }

  Result<std::optional<WorkspaceRateLimits>> limits = FindRateLimits(**store, workspace->id);
  if (!limits.ok()) return ReportCommandFailure(limits.status());
  PrintEffectiveLimits(config, *workspace, *limits);
  return 0;
}

int RunWorkspaceRetentionCommand(const Config& config, std::string_view name,
                                 const std::optional<std::string>& days) {
  // Checked before the database is opened: a typo changes nothing.
  std::optional<int> new_days;
  if (days) {
    Result<int> parsed = ParseRetentionDays(*days);
    if (!parsed.ok()) return ReportCommandFailure(parsed.status());
    new_days = *parsed;
  }

  Result<std::unique_ptr<SqliteMetaStore>> store = OpenCurrentStore(config);
  if (!store.ok()) return ReportCommandFailure(store.status());
  Result<Workspace> workspace = (*store)->FindWorkspaceByName(name);
  if (!workspace.ok()) return ReportCommandFailure(workspace.status());

  if (new_days) {
    if (Status status = (*store)->SetWorkspaceRetention(workspace->id, *new_days); !status.ok()) {
      return ReportCommandFailure(status);
    }
    fmt::print("retention of workspace {} updated\n", workspace->name);
    // Read back: what is printed is what is stored.
    workspace = (*store)->GetWorkspace(workspace->id);
    if (!workspace.ok()) return ReportCommandFailure(workspace.status());
  }
  fmt::print("retention of workspace {} (id {}): {}{}\n", workspace->name, workspace->id,
             FormatDays(workspace->retention_days),
             workspace->retention_days == Workspace::kDefaultRetentionDays ? " (the default)" : "");
  fmt::print("  events whose UTC day ended more than {} ago are dropped\n",
             FormatDays(workspace->retention_days));
  return 0;
}

}  // namespace cdp
