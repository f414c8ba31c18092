DROP TABLE workspace_rate_limits;
