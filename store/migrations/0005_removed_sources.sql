-- A source taken out of the configuration is retired, not deleted: its
-- snapshots and findings stay in the history, but /healthz and /metrics
-- stop reporting it. Adding it back clears the mark.
ALTER TABLE sources ADD COLUMN removed_at TEXT;
