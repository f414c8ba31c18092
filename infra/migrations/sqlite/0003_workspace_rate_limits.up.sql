-- Per-workspace overrides of ingestion's rate limits. The server's defaults
-- come from its configuration (CDP_RATE_LIMIT_*); a row overrides some or all
-- of them for one workspace, and a NULL column means "the default" for that
-- limit. A workspace without a row uses the defaults throughout.
-- Times are ISO-8601 UTC text with milliseconds, as in 0001.
--
-- The bounds are the rate limiter's: a request is one, so at least one per
-- second; every other limit positive. The burst window is at most a day: the
-- daily cap covers longer spans, and the limiter keeps window counters in
-- memory only about that long.
CREATE TABLE workspace_rate_limits (
  workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  requests_per_second REAL CHECK (requests_per_second >= 1),
  burst_requests INTEGER CHECK (burst_requests > 0),
  burst_window_seconds INTEGER CHECK (burst_window_seconds BETWEEN 1 AND 86400),
  events_per_day INTEGER CHECK (events_per_day > 0),
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
