-- Who acknowledged a finding, when, and until when: an ack with an expiry
-- gives the finding back to `check` when it runs out (expired_at set then).
-- One row per finding: a new ack replaces the last.
CREATE TABLE acks (
    finding_id INTEGER PRIMARY KEY,
    author     TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    expires_at TEXT,
    expired_at TEXT
);
CREATE INDEX acks_expiring ON acks (expires_at) WHERE expires_at IS NOT NULL AND expired_at IS NULL;

-- Silences mute matching findings (source, rule, path globs) until ends_at:
-- no notice, no failing check. Expiring one early sets ends_at to then.
CREATE TABLE silences (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    source     TEXT NOT NULL DEFAULT '',
    rule       TEXT NOT NULL DEFAULT '',
    path       TEXT NOT NULL DEFAULT '',
    comment    TEXT NOT NULL DEFAULT '',
    author     TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    ends_at    TEXT NOT NULL
);
CREATE INDEX silences_by_end ON silences (ends_at);
