-- Identity stitching and profiles (src/meta/identity_store.h): the ids every
-- event resolved to and the person each belongs to, the traits events set on
-- them, every link request with its outcome, one materialized row per person
-- for the profile API, and the event log offsets the identity consumer has
-- applied. The identity service is the only writer, one batch per
-- transaction (SqliteIdentityStore::Apply).
--
-- Times here are INTEGER Unix milliseconds, the precision of the rest of the
-- metadata (whose ISO-8601 text has milliseconds too): these columns are
-- compared and aggregated on every batch and ordered by on every profile page,
-- which integers do without parsing.

-- One row per distinct id (anonymous id, user id, alias) of a workspace. id_key
-- is PersonKeyOf(id) as a signed 64-bit integer: the person maps of queries
-- name ids by key, and IdsWithKey turns a key back into ids. person is the
-- representative id of the id's person; a representative is a member of its
-- own person, so it always has a row. An id with no event of its own (an
-- anonymous id seen only in an identify) has event_count 0 and NULL times.
CREATE TABLE identity_ids (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id TEXT NOT NULL CHECK (id <> ''),
  id_key INTEGER NOT NULL,
  person TEXT NOT NULL CHECK (person <> ''),
  is_user INTEGER NOT NULL DEFAULT 0 CHECK (is_user IN (0, 1)),  -- some event had it as user_id
  first_seen INTEGER,
  last_seen INTEGER,
  event_count INTEGER NOT NULL DEFAULT 0 CHECK (event_count >= 0),
  PRIMARY KEY (workspace_id, id),
  CHECK ((event_count = 0) = (first_seen IS NULL) AND (first_seen IS NULL) = (last_seen IS NULL)),
  CHECK (first_seen <= last_seen)
) WITHOUT ROWID;

CREATE INDEX identity_ids_key ON identity_ids (workspace_id, id_key);
-- A person's members: what a profile is recomputed from.
CREATE INDEX identity_ids_person ON identity_ids (workspace_id, person);

-- The trait values events set on an id: per (id, name), the latest plain set
-- (set_once 0) and the earliest set_once (set_once 1), each with its event
-- timestamp `at`. write_seq orders the writes (identity_counters
-- 'trait_writes'), so that equal timestamps resolve the same way across the
-- ids of a person as on one id: a later plain set wins, an earlier set_once
-- stays. value_json is one JSON value (json_valid: a broken value would make
-- the person's traits_json unreadable to ListProfiles).
CREATE TABLE identity_traits (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  name TEXT NOT NULL CHECK (name <> ''),
  set_once INTEGER NOT NULL CHECK (set_once IN (0, 1)),
  value_json TEXT NOT NULL CHECK (json_valid(value_json)),
  at INTEGER NOT NULL,
  write_seq INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, id, name, set_once)
) WITHOUT ROWID;

-- Every link request (identify, alias, merge_dangerously) in the order the
-- identity service applied it: what rebuilds the graphs at start. Merges
-- carry their id, both representatives and the absorbed ids (moved_ids, a
-- JSON array of strings); unmerged_at is set once a merge is undone.
CREATE TABLE identity_links (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL CHECK (seq > 0),
  kind TEXT NOT NULL CHECK (kind IN ('identify', 'alias', 'merge_dangerously')),
  from_id TEXT NOT NULL CHECK (from_id <> ''),
  to_id TEXT NOT NULL CHECK (to_id <> ''),
  message_id TEXT NOT NULL,
  event_timestamp INTEGER NOT NULL,
  applied_at INTEGER NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('merged', 'same_person', 'refused_identified')),
  merge_id TEXT UNIQUE,  -- NULL unless merged
  winner TEXT,
  loser TEXT,
  moved_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(moved_ids) AND
                                             json_type(moved_ids) = 'array'),
  unmerged_at INTEGER,
  PRIMARY KEY (workspace_id, seq),
  CHECK ((outcome = 'merged') = (merge_id IS NOT NULL AND winner IS NOT NULL AND
                                 loser IS NOT NULL)),
  CHECK (unmerged_at IS NULL OR outcome = 'merged')
) WITHOUT ROWID;

-- The merges of a person (MergesOf): merged links by either end.
CREATE INDEX identity_links_merged_from
  ON identity_links (workspace_id, from_id) WHERE outcome = 'merged';
CREATE INDEX identity_links_merged_to
  ON identity_links (workspace_id, to_id) WHERE outcome = 'merged';

-- One row per person, kept by every batch: its stats incrementally, the rest
-- recomputed from the member rows when members or traits change. person_key
-- is PersonKeyOf(person) (signed), the key of its profile id. user_ids and
-- anonymous_ids are JSON arrays of strings; traits_json is the JSON object of
-- the person's traits; search_text is its ids and trait values, lower-cased
-- (ASCII), one per line, for ListProfiles' search. A person none of whose ids
-- had an event of its own has event_count 0 and times 0.
CREATE TABLE profiles (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  person TEXT NOT NULL CHECK (person <> ''),
  person_key INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  event_count INTEGER NOT NULL CHECK (event_count >= 0),
  traits_json TEXT NOT NULL DEFAULT '{}',
  user_ids TEXT NOT NULL DEFAULT '[]',
  anonymous_ids TEXT NOT NULL DEFAULT '[]',
  search_text TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (workspace_id, person)
) WITHOUT ROWID;

-- ListProfiles' order (most recently seen first, then by person) and cursor.
CREATE INDEX profiles_recent ON profiles (workspace_id, last_seen DESC, person);
CREATE INDEX profiles_person_key ON profiles (workspace_id, person_key);

-- The event log offsets the identity consumer applied through: partition ->
-- next offset to read. Not per workspace: the log is shared.
CREATE TABLE identity_consumed_offsets (
  log_partition INTEGER PRIMARY KEY CHECK (log_partition >= 0),
  next_offset INTEGER NOT NULL CHECK (next_offset >= 0)
);

-- Counters of the identity store: 'trait_writes' numbers trait writes
-- (identity_traits.write_seq).
CREATE TABLE identity_counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO identity_counters (name, value) VALUES ('trait_writes', 0);
