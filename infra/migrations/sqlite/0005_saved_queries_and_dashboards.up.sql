-- Saved queries and the dashboards built from them (the query library).
-- Times are ISO-8601 UTC text with milliseconds, as in 0001. Ids are UUIDv7,
-- so ordering by id is ordering by creation time. length() counts
-- characters; the bounds are QueryLibrary's (src/meta/query_library.h).

-- kind is an analysis of the query API ('funnel', 'trends'...). The API
-- checks the name, so that a new kind needs no migration. request is the
-- analysis's body, one JSON object (json_type would fail on malformed text,
-- hence json_valid first), at most 64 KiB. Names need not be unique.
CREATE TABLE saved_queries (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind TEXT NOT NULL CHECK (kind <> ''),
  request TEXT NOT NULL CHECK (length(CAST(request AS BLOB)) <= 65536 AND
                               CASE WHEN json_valid(request)
                                    THEN json_type(request) = 'object' ELSE 0 END),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  -- The listing's index (newest first per workspace), and the parent key
  -- that keeps a widget inside its workspace.
  UNIQUE (workspace_id, id)
);

CREATE TABLE dashboards (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (workspace_id, id)
);

-- A dashboard's tiles, in `position` order. The composite foreign keys keep a
-- widget and the saved query it shows in the dashboard's workspace. Deleting
-- a saved query that a widget shows is refused (the default NO ACTION, checked
-- at the end of the statement, so deleting a whole workspace still cascades
-- through both parents).
CREATE TABLE dashboard_widgets (
  workspace_id TEXT NOT NULL,
  dashboard_id TEXT NOT NULL,
  id TEXT NOT NULL CHECK (id <> ''),
  position INTEGER NOT NULL CHECK (position BETWEEN 0 AND 99),
  saved_query_id TEXT NOT NULL,
  title TEXT CHECK (length(title) BETWEEN 1 AND 200),  -- NULL: none
  x INTEGER NOT NULL CHECK (x BETWEEN 0 AND 1000),
  y INTEGER NOT NULL CHECK (y BETWEEN 0 AND 1000),
  w INTEGER NOT NULL CHECK (w BETWEEN 1 AND 100),
  h INTEGER NOT NULL CHECK (h BETWEEN 1 AND 100),
  PRIMARY KEY (workspace_id, dashboard_id, id),
  UNIQUE (workspace_id, dashboard_id, position),
  FOREIGN KEY (workspace_id, dashboard_id)
    REFERENCES dashboards (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, saved_query_id)
    REFERENCES saved_queries (workspace_id, id)
) WITHOUT ROWID;

-- Finds the widgets that show a saved query (the foreign key's child side):
-- what a delete of the query checks.
CREATE INDEX dashboard_widgets_saved_query
  ON dashboard_widgets (workspace_id, saved_query_id);
