-- Sources' fetch status: what the last attempts did and what to send next time.
CREATE TABLE sources (
    name                 TEXT PRIMARY KEY,
    type                 TEXT NOT NULL DEFAULT '',
    last_attempt_at      TEXT,
    last_success_at      TEXT,
    last_error_at        TEXT,
    last_error           TEXT NOT NULL DEFAULT '',
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    failing_since        TEXT,
    last_hash            TEXT NOT NULL DEFAULT '',
    judged_key           TEXT NOT NULL DEFAULT '',
    fetch_state          TEXT NOT NULL DEFAULT '{}'
);

-- One canonical document per source per change; body is gzip when that pays.
CREATE TABLE snapshots (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    source     TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    hash       TEXT NOT NULL,
    changes    INTEGER NOT NULL DEFAULT 0,
    encoding   TEXT NOT NULL DEFAULT 'identity',
    size       INTEGER NOT NULL,
    body       BLOB NOT NULL
);
CREATE INDEX snapshots_by_source ON snapshots (source, id);
CREATE INDEX snapshots_by_time ON snapshots (fetched_at);

-- Judged conditions; the fingerprint makes a condition seen again the same row.
CREATE TABLE findings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT NOT NULL UNIQUE,
    source      TEXT NOT NULL,
    rule        TEXT NOT NULL,
    severity    INTEGER NOT NULL,
    category    TEXT NOT NULL,
    path        TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    extra       TEXT NOT NULL DEFAULT '{}',
    state       TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    resolved_at TEXT,
    acked_at    TEXT,
    ack_note    TEXT NOT NULL DEFAULT '',
    snapshot_id INTEGER,
    updated_at  TEXT NOT NULL
);
CREATE INDEX findings_by_source_state ON findings (source, state);
CREATE INDEX findings_by_state_severity ON findings (state, severity);
CREATE INDEX findings_by_detected ON findings (detected_at);
CREATE INDEX findings_by_resolved ON findings (resolved_at);

-- Notices waiting for delivery, written in the same transaction as their findings.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    source          TEXT NOT NULL DEFAULT '',
    grp             TEXT NOT NULL DEFAULT '',
    finding_id      INTEGER,
    payload         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_by      TEXT,
    claimed_until   TEXT,
    sent_at         TEXT,
    given_up_at     TEXT,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND given_up_at IS NULL;
