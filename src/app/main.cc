// cdp: one binary, several commands. main reads the configuration, sets up
// logging and hands over to the command.

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <optional>
#include <string>

#include "app/gen_command.h"
#include "app/migrate_command.h"
#include "app/routes_command.h"
#include "app/serve_command.h"
#include "app/user_command.h"
#include "app/workspace_command.h"
#include "core/config.h"
#include "core/log.h"
#include "query/sql/sql_memory_budget.h"

#ifndef CDP_VERSION
#define CDP_VERSION "dev"
#endif

int main(int argc, char** argv) {
  // A client that goes away mid-write must not kill the server.
  std::signal(SIGPIPE, SIG_IGN);
  // Custom SQL's per-query memory cap counts SQLite's allocations: SQLite
  // takes the counting allocator only before its first use.
  if (const cdp::Status installed = cdp::query::InstallSqlMemoryAccounting(); !installed.ok()) {
    std::cerr << "cdp: " << installed.message() << "\n";
    return 1;
  }

  CLI::App app{"cdp: a self-hosted customer-data and product-analytics platform"};
  app.require_subcommand(1);
  app.fallthrough();  // configuration flags may follow the command name
  app.set_version_flag("--version", CDP_VERSION);
  cdp::ConfigLoader loader;
  loader.Register(app);

  auto* serve = app.add_subcommand("serve", "Run the HTTP API (requires a migrated database)");

  auto* migrate = app.add_subcommand("migrate", "Apply or revert metadata schema migrations");
  migrate->require_subcommand(1);
  int down_steps = 1;
  migrate->add_subcommand("up", "Apply every pending migration");
  migrate->add_subcommand("down", "Revert the latest migrations")
      ->add_option("--steps", down_steps, "How many migrations to revert")
      ->check(CLI::PositiveNumber);
  migrate->add_subcommand("status", "List migrations and whether each is applied");

  auto* workspace = app.add_subcommand("workspace", "Manage workspaces");
  workspace->require_subcommand(1);
  auto* create = workspace->add_subcommand("create", "Create a workspace and print its keys");
  std::string workspace_name;
  bool if_absent = false;
  std::string keys_file;
  create->add_option("name", workspace_name, "Workspace name")->required();
  create->add_flag("--if-absent", if_absent, "Succeed quietly when the workspace exists");
  create->add_option("--keys-file", keys_file, "Also write the new keys to this file (mode 0600)");
  workspace->add_subcommand("list", "List workspaces");
  auto* limits =
      workspace->add_subcommand("limits", "Show or change a workspace's ingestion rate limits");
  std::string limits_workspace;
  cdp::WorkspaceLimitsOptions limits_options;
  limits->add_option("name", limits_workspace, "Workspace name")->required();
  limits
      ->add_option("--rps", limits_options.requests_per_second,
                   "Requests per second (sliding window), at least 1")
      ->type_name("N");
  limits->add_option("--burst", limits_options.burst_requests, "Requests within any burst window")
      ->type_name("N");
  limits
      ->add_option("--burst-window", limits_options.burst_window,
                   "Length of the burst window, whole seconds (5s, 1m)")
      ->type_name("DURATION");
  limits->add_option("--events-per-day", limits_options.events_per_day, "Events per UTC day")
      ->type_name("N");
  limits->add_flag("--reset", limits_options.reset,
                   "Remove the override: every limit is the default again");
  auto* retention = workspace->add_subcommand(
      "retention", "Show or change how many days a workspace's events are kept");
  std::string retention_workspace;
  std::optional<std::string> retention_days;
  retention->add_option("name", retention_workspace, "Workspace name")->required();
  retention
      ->add_option("days", retention_days,
                   "Keep events whose UTC day ended at most DAYS days ago (1 to 36500)")
      ->type_name("DAYS");

  auto* user = app.add_subcommand("user", "Manage the people who sign in");
  user->require_subcommand(1);
  auto* user_create =
      user->add_subcommand("create", "Create a user and print their one-time password");
  cdp::UserCreateOptions user_create_options;
  user_create->add_option("email", user_create_options.email, "The user's email")->required();
  user_create
      ->add_option("--workspace", user_create_options.workspace,
                   "Also make the user a member of this workspace")
      ->type_name("NAME");
  user_create
      ->add_option("--role", user_create_options.role,
                   "Their role there: owner, admin, member (the default) or viewer")
      ->type_name("ROLE");
  user_create->add_flag("--if-absent", user_create_options.if_absent,
                        "Succeed without a new password when the user exists (still adds the "
                        "membership)");
  auto* user_reset = user->add_subcommand(
      "reset-password", "Give a user a new one-time password and sign them out everywhere");
  std::string reset_email;
  user_reset->add_option("email", reset_email, "The user's email")->required();
  auto* user_list = user->add_subcommand("list", "List users and their workspaces");

  auto* routes =
      app.add_subcommand("routes", "Print every route of the HTTP API with who may call it (TSV)");

  cdp::GenCommandOptions gen_options;
  auto* gen = cdp::AddGenCommand(app, gen_options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  const auto env = cdp::ConfigLoader::ProcessEnvironment();
  cdp::Result<cdp::Config> config = loader.Load(env);
  if (!config.ok()) {
    std::cerr << "cdp: " << config.status().message() << "\n";
    return 2;
  }
  // The server's log is its output; other commands print for a person on
  // stdout and keep the log on stderr.
  cdp::log::Init(
      {.level = config->log_level, .fd = serve->parsed() ? STDOUT_FILENO : STDERR_FILENO});
  for (const auto& name : cdp::ConfigLoader::UnknownVariables(env)) {
    cdp::log::Warn("unknown configuration variable ignored (a typo?)").Str("variable", name);
  }

  int code = 0;
  if (serve->parsed()) {
    code = cdp::RunServeCommand(*config);
  } else if (migrate->parsed()) {
    const std::string action = migrate->get_subcommands().front()->get_name();
    code = cdp::RunMigrateCommand(*config, action, down_steps);
  } else if (create->parsed()) {
    code = cdp::RunWorkspaceCreateCommand(*config, workspace_name, if_absent, keys_file);
  } else if (gen->parsed()) {
    code = cdp::RunGenCommand(gen_options);
  } else if (limits->parsed()) {
    code = cdp::RunWorkspaceLimitsCommand(*config, limits_workspace, limits_options);
  } else if (retention->parsed()) {
    code = cdp::RunWorkspaceRetentionCommand(*config, retention_workspace, retention_days);
  } else if (user_create->parsed()) {
    code = cdp::RunUserCreateCommand(*config, user_create_options);
  } else if (user_reset->parsed()) {
    code = cdp::RunUserResetPasswordCommand(*config, reset_email);
  } else if (user_list->parsed()) {
    code = cdp::RunUserListCommand(*config);
  } else if (routes->parsed()) {
    code = cdp::RunRoutesCommand(*config);
  } else {
    code = cdp::RunWorkspaceListCommand(*config);
  }
  cdp::log::Flush();
  return code;
}
