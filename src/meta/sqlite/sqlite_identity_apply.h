#pragma once

#include "core/result.h"
#include "meta/identity_store.h"

namespace cdp {

class SqliteConnection;
class IdentityStatements;

// The write half of SqliteIdentityStore::Apply: every change of `batch`, made
// inside the caller's open transaction (which commits or rolls back all of
// it). Internal to src/meta/sqlite.
//
// The batch is first aggregated in memory per workspace: activity per id
// (counts added, times widened, user flags or'ed), the winning trait write
// per (id, name, set_once), the last assignment per id. The store's prior
// state of every id the batch touches comes in one SELECT per workspace.
// Then one write per id (an insert, or an update of what changed), per trait
// and per person, with statements prepared once:
//  - an id's person is its last assignment, else its stored person, else the
//    person its activity or trait write names; an assignment's person is a
//    representative, a member of itself, so it gets a row (with no events)
//    when it has none;
//  - a person is recomputed from its members when ids joined or left it
//    (assignments, new ids of an existing person), one of its ids got a
//    trait, or its member lists change order (a first user flag, an earlier
//    first_seen); recomputing a person left with no member deletes its row;
//  - any other person with activity gets its stats added in place (or its
//    row created, when it is new): the common batch, of events only, costs
//    one statement per id and one per person.
// Errors: see SqliteIdentityStore::Apply.
Status WriteIdentityBatch(SqliteConnection& connection, IdentityStatements& statements,
                          const IdentityBatch& batch);

}  // namespace cdp
