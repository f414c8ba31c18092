-- Tenants and the keys that authenticate them.
-- Times are ISO-8601 UTC text with milliseconds ("2026-11-25T21:06:11.123Z"),
-- which sorts chronologically as text.

CREATE TABLE workspaces (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);

-- A write key is public (it ships in web pages), so it is kept in clear; a
-- secret key is kept only as the hex SHA-256 of the key, and display_prefix
-- lets a listing tell keys apart without revealing them.
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('write', 'secret')),
  display_prefix TEXT NOT NULL,
  write_key TEXT UNIQUE,
  secret_hash TEXT UNIQUE,
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  CHECK ((kind = 'write' AND write_key IS NOT NULL AND secret_hash IS NULL) OR
         (kind = 'secret' AND secret_hash IS NOT NULL AND write_key IS NULL))
);

CREATE INDEX api_keys_workspace_id ON api_keys (workspace_id);
