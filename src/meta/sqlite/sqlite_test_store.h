#pragma once

// Test support for the SqliteMetaStore tests: a store on a migrated file.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "meta/sqlite/sqlite_meta_store.h"
#include "meta/sqlite/sqlite_migrator.h"

namespace cdp::testing {

// Migrates the database at `path` to the latest version and opens a store on
// it; null (with a test failure) when either fails.
inline std::unique_ptr<SqliteMetaStore> OpenMigratedSqliteMetaStore(const std::string& path) {
  auto migrator = OpenSqliteMigrator(path);
  EXPECT_TRUE(migrator.ok()) << migrator.status().ToString();
  if (!migrator.ok()) return nullptr;
  Status up = (*migrator)->Up();
  EXPECT_TRUE(up.ok()) << up.ToString();
  if (!up.ok()) return nullptr;
  auto store = OpenSqliteMetaStore(path);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

}  // namespace cdp::testing
