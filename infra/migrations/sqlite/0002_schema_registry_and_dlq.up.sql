-- The schema registry and the dead-letter queue of ingestion.
-- Times are ISO-8601 UTC text with milliseconds, as in 0001.

-- The registry. A property's type is kept per (workspace, section, name), not
-- per event: "plan" has one type across every event that carries it, as in
-- Segment Protocols and PostHog, so a column of the event store has one type
-- and a filter on "plan" means one thing. The first type seen sticks; an event
-- that disagrees is rejected (and dead-lettered) rather than registered.
-- section is where the property sits in the event: 'properties' (track, page,
-- screen), 'traits' (identify, group) or 'context'.
CREATE TABLE schema_properties (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  section TEXT NOT NULL CHECK (section IN ('properties', 'traits', 'context')),
  name TEXT NOT NULL CHECK (name <> ''),
  type TEXT NOT NULL CHECK (type IN ('string', 'number', 'boolean', 'timestamp')),
  first_seen TEXT NOT NULL,
  PRIMARY KEY (workspace_id, section, name)
) WITHOUT ROWID;

-- Event names seen: a track event's name, or the message type for the others
-- ("identify", "page"...).
CREATE TABLE schema_events (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (name <> ''),
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  PRIMARY KEY (workspace_id, name),
  CHECK (first_seen <= last_seen)
) WITHOUT ROWID;

-- Which events carried which properties, for GET /schemas. The composite
-- foreign keys keep a link inside its workspace, and deleting a workspace
-- removes its links through either parent.
CREATE TABLE schema_event_properties (
  workspace_id TEXT NOT NULL,
  event TEXT NOT NULL,
  section TEXT NOT NULL,
  name TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  PRIMARY KEY (workspace_id, event, section, name),
  FOREIGN KEY (workspace_id, event)
    REFERENCES schema_events (workspace_id, name) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, section, name)
    REFERENCES schema_properties (workspace_id, section, name) ON DELETE CASCADE,
  CHECK (first_seen <= last_seen)
) WITHOUT ROWID;

-- Lets a deleted property find its links (the foreign key's child side).
CREATE INDEX schema_event_properties_property
  ON schema_event_properties (workspace_id, section, name);

-- Events refused by the schema check, kept as received so that they can be
-- replayed once the schema is fixed. A dead letter never changes: replays are
-- recorded beside it, and its status (pending / replayed) is derived from them.
-- id is a UUIDv7, so ordering by id is ordering by creation time.
CREATE TABLE dead_letters (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  received_at TEXT NOT NULL,
  payload TEXT NOT NULL,               -- the original item, JSON text
  reason TEXT NOT NULL CHECK (reason <> ''),
  field TEXT CHECK (field <> ''),      -- NULL when the reason names no field
  -- The listing's index (newest first per workspace), and the parent key of
  -- dead_letter_replays.
  UNIQUE (workspace_id, id)
);

-- Append-only: one row per replay of a dead letter.
CREATE TABLE dead_letter_replays (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  dead_letter_id TEXT NOT NULL,
  at TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'rejected')),
  reason TEXT,
  field TEXT CHECK (field <> ''),
  FOREIGN KEY (workspace_id, dead_letter_id)
    REFERENCES dead_letters (workspace_id, id) ON DELETE CASCADE,
  CHECK ((outcome = 'accepted' AND reason IS NULL AND field IS NULL) OR
         (outcome = 'rejected' AND reason IS NOT NULL AND reason <> ''))
);

CREATE INDEX dead_letter_replays_dead_letter
  ON dead_letter_replays (workspace_id, dead_letter_id, at, id);

-- A dead letter is accepted at most once: a second accepted replay would
-- append the event twice.
CREATE UNIQUE INDEX dead_letter_replays_one_accepted
  ON dead_letter_replays (dead_letter_id) WHERE outcome = 'accepted';

-- Neither table is ever updated; rows only go with their workspace.
CREATE TRIGGER dead_letters_immutable BEFORE UPDATE ON dead_letters
BEGIN
  SELECT RAISE(ABORT, 'dead letters are immutable');
END;

CREATE TRIGGER dead_letter_replays_immutable BEFORE UPDATE ON dead_letter_replays
BEGIN
  SELECT RAISE(ABORT, 'replay attempts are immutable');
END;
