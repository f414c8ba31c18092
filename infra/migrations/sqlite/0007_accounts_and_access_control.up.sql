-- Accounts and access control: people who sign in, the workspaces they belong
-- to and with which role, their sessions, scoped and hashed API keys, and the
-- audit log of administrative actions.
-- Times are ISO-8601 UTC text with milliseconds, as everywhere.

-- A person who signs in to the console or the API. The email is stored
-- normalized (trimmed, lower-case) so that it is unique whatever its case.
-- password_hash is libsodium's argon2id string ("$argon2id$v=19$m=...").
-- failed_logins counts consecutive failures since the last success; after too
-- many the account is locked until locked_until.
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  password_change_required INTEGER NOT NULL DEFAULT 0 CHECK (password_change_required IN (0, 1)),
  created_at TEXT NOT NULL,
  password_changed_at TEXT NOT NULL,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT
);

-- Who belongs to which workspace, and as what.
CREATE TABLE workspace_members (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  created_at TEXT NOT NULL,
  PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX workspace_members_user_id ON workspace_members (user_id);

-- A signed-in session: a cookie for the console or a bearer token for API
-- use. Only the token's hex SHA-256 is kept, as for secret keys.
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('cookie', 'token')),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT,
  ip TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_id ON sessions (user_id);

-- API keys gain a scope, a name and their creator, and write keys are now
-- kept as a hash too (shown once, like secret keys). Existing write keys are
-- hashed in place; existing secret keys could do everything, so their scope
-- is admin. cdp_sha256() is registered by cdp on its connections.
CREATE TABLE api_keys_v7 (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('write', 'secret')),
  scope TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  display_prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  CHECK ((kind = 'write' AND scope = 'ingest') OR
         (kind = 'secret' AND scope IN ('read', 'admin')))
);
INSERT INTO api_keys_v7 (id, workspace_id, kind, scope, display_prefix, key_hash, created_at,
                         revoked_at)
  SELECT id, workspace_id, kind,
         CASE kind WHEN 'write' THEN 'ingest' ELSE 'admin' END,
         display_prefix,
         CASE kind WHEN 'write' THEN cdp_sha256(write_key) ELSE secret_hash END,
         created_at, revoked_at
  FROM api_keys;
DROP INDEX api_keys_workspace_id;
DROP TABLE api_keys;
ALTER TABLE api_keys_v7 RENAME TO api_keys;
CREATE INDEX api_keys_workspace_id ON api_keys (workspace_id);

-- Administrative actions, per workspace, newest last (ids are UUIDv7).
-- actor_kind: 'user' (actor_id a user id, actor_label the email), 'api_key'
-- (a key id and its masked prefix) or 'cli' (the command line on the server).
-- details is a JSON object; it never holds a secret.
CREATE TABLE audit_log (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  at TEXT NOT NULL,
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'cli')),
  actor_id TEXT NOT NULL,
  actor_label TEXT NOT NULL,
  action TEXT NOT NULL,
  target_kind TEXT NOT NULL,
  target_id TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}',
  ip TEXT NOT NULL DEFAULT '',
  request_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_workspace_id ON audit_log (workspace_id, id);
