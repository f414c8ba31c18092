#include "app/migrate_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "app/command_failure.h"
#include "meta/migration.h"
#include "meta/sqlite/sqlite_migrator.h"

namespace cdp {

namespace {

// Prints "applying 0001_name ... " when a step starts and "ok" once it is
// done, so a slow or failing step shows which one it is.
class StepPrinter {
 public:
  MigrationProgress Callback() {
    return [this](const Migration& m, bool up) {
      EndLine("ok");
      fmt::print("{} {} ... ", up ? "applying" : "reverting", MigrationLabel(m.version, m.name));
      std::fflush(stdout);
      line_open_ = true;
      ++steps_;
    };
  }
  // Closes the last step's line with the outcome of the whole run.
  void Finish(const Status& status) { EndLine(status.ok() ? "ok" : "failed"); }
  int steps() const { return steps_; }

 private:
  void EndLine(std::string_view outcome) {
    if (line_open_) fmt::print("{}\n", outcome);
    line_open_ = false;
  }

  bool line_open_ = false;
  int steps_ = 0;
};

// "schema version 1 of 1: up to date", or what is left to do.
int PrintSummary(SchemaMigrator& migrator) {
  if (Status history = migrator.CheckHistory(); !history.ok()) return ReportCommandFailure(history);
  Result<int> current = migrator.CurrentVersion();
  if (!current.ok()) return ReportCommandFailure(current.status());
  const int latest = migrator.LatestVersion();
  if (*current > latest) return ReportCommandFailure(migrator.CheckCurrent());
  if (*current < latest) {
    fmt::print("schema version {} of {}: {} pending (run `cdp migrate up`)\n", *current, latest,
               latest - *current);
  } else {
    fmt::print("schema version {} of {}: up to date\n", *current, latest);
  }
  return 0;
}

void PrintStatusTable(const std::vector<MigrationStatus>& list) {
  size_t name_width = 4;
  for (const auto& m : list) name_width = std::max(name_width, m.name.size());
  fmt::print("{:<7}  {:<{}}  {:<7}  {}\n", "version", "name", name_width, "state", "applied_at");
  for (const auto& m : list) {
    fmt::print("{:<7}  {:<{}}  {:<7}  {}\n", fmt::format("{:04}", m.version), m.name, name_width,
               m.applied ? "applied" : "pending",
               m.applied_at ? FormatIso8601(*m.applied_at) : "-");
  }
}

}  // namespace

int RunMigrateCommand(const Config& config, std::string_view action, int steps) {
  if (action != "up" && action != "down" && action != "status") {
    fmt::print(stderr, "error: unknown migrate action '{}': expected up, down or status\n", action);
    return 1;
  }
  Result<std::unique_ptr<SchemaMigrator>> migrator = OpenSqliteMigrator(config.MetaDbPath());
  if (!migrator.ok()) return ReportCommandFailure(migrator.status());

  if (action == "status") {
    Result<std::vector<MigrationStatus>> list = (*migrator)->StatusList();
    if (!list.ok()) return ReportCommandFailure(list.status());
    PrintStatusTable(*list);
    return PrintSummary(**migrator);
  }

  StepPrinter printer;
  const Status status = action == "up" ? (*migrator)->Up(printer.Callback())
                                       : (*migrator)->Down(steps, printer.Callback());
  printer.Finish(status);
  if (!status.ok()) return ReportCommandFailure(status);
  if (printer.steps() == 0) fmt::print("nothing to apply\n");
  return PrintSummary(**migrator);
}

}  // namespace cdp
