DROP INDEX api_keys_workspace_id;
DROP TABLE api_keys;
DROP TABLE workspaces;
