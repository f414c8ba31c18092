-- Reverts 0007. A write key cannot be recovered from its hash: the
-- downgraded table keeps write keys as 'hashed:<hash>', which matches no key
-- anyone holds, so every write key made before the downgrade stops working
-- and new ones must be created (`cdp workspace create`). Key scopes, names,
-- users, sessions and the audit log are dropped.
DROP INDEX audit_log_workspace_id;
DROP TABLE audit_log;

CREATE TABLE api_keys_v6 (
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
INSERT INTO api_keys_v6 (id, workspace_id, kind, display_prefix, write_key, secret_hash,
                         created_at, revoked_at)
  SELECT id, workspace_id, kind, display_prefix,
         CASE kind WHEN 'write' THEN 'hashed:' || key_hash END,
         CASE kind WHEN 'secret' THEN key_hash END,
         created_at, revoked_at
  FROM api_keys;
DROP INDEX api_keys_workspace_id;
DROP TABLE api_keys;
ALTER TABLE api_keys_v6 RENAME TO api_keys;
CREATE INDEX api_keys_workspace_id ON api_keys (workspace_id);

DROP INDEX sessions_user_id;
DROP TABLE sessions;
DROP INDEX workspace_members_user_id;
DROP TABLE workspace_members;
DROP TABLE users;
