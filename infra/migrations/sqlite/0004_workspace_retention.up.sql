-- How long the event store keeps each workspace's events, in days: it drops
-- events whose UTC day ended more than retention_days days ago. Existing
-- workspaces get the default, 90 days. The bounds are Workspace's (1 day to
-- about a century).
ALTER TABLE workspaces ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 90
  CHECK (retention_days BETWEEN 1 AND 36500);
