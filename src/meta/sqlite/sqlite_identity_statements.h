#pragma once

#include <unordered_map>
#include <utility>

#include "core/result.h"
#include "meta/sqlite/sqlite_connection.h"

namespace cdp {

// The prepared statements of the SQLite identity store, each prepared once
// and reused: a batch runs the same few statements thousands of times, and
// preparing is most of the cost of a short one. Internal to src/meta/sqlite.
//
// Statements are keyed by the address of their SQL, a constant of the
// caller. A statement is handed out as a Lease, which resets it when dropped
// so that no reused statement keeps a read transaction open between calls.
// Thread safety: none; the owner serializes use, as for its connection.
// REQUIRES: the connection outlives the cache.
class IdentityStatements {
 public:
  class Lease {
   public:
    explicit Lease(SqliteStatement* statement) : statement_(statement) {}
    Lease(Lease&& other) noexcept : statement_(std::exchange(other.statement_, nullptr)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (statement_ != nullptr) statement_->Reset();
    }
    SqliteStatement& operator*() const { return *statement_; }
    SqliteStatement* operator->() const { return statement_; }

   private:
    SqliteStatement* statement_;
  };

  explicit IdentityStatements(SqliteConnection& connection) : connection_(connection) {}

  // The statement of `sql`, reset; parameters keep their last bindings
  // (bind every one). REQUIRES: `sql` is a string constant.
  Result<Lease> Get(const char* sql) {
    auto found = statements_.find(sql);
    if (found == statements_.end()) {
      CDP_ASSIGN_OR_RETURN(SqliteStatement statement, connection_.Prepare(sql));
      found = statements_.emplace(sql, std::move(statement)).first;
    }
    return Lease(&found->second);
  }

 private:
  SqliteConnection& connection_;
  std::unordered_map<const char*, SqliteStatement> statements_;
};

}  // namespace cdp
