#pragma once

#include <vector>

#include "meta/migration.h"

namespace cdp {

// The SQLite metadata schema: infra/migrations/sqlite/*.sql, embedded at build
// time by cmake/EmbedMigrations.cmake (which also refuses a broken history:
// gaps in versions, an up without its down).
const std::vector<Migration>& EmbeddedSqliteMigrations();

}  // namespace cdp
