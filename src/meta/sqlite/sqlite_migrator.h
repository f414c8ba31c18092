#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "meta/migration.h"

namespace cdp {

// The migrator of the SQLite metadata database at `path` (created with its
// parent directory if missing), with the migrations embedded in the binary.
Result<std::unique_ptr<SchemaMigrator>> OpenSqliteMigrator(const std::string& path);

// The same with other migrations and clock, for tests. Internal when
// `migrations` fail ValidateMigrations. REQUIRES: `clock` outlives the result.
Result<std::unique_ptr<SchemaMigrator>> OpenSqliteMigrator(const std::string& path,
                                                           std::vector<Migration> migrations,
                                                           const Clock& clock);

}  // namespace cdp
