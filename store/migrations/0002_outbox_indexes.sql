-- The outbox keeps every notice ever sent, so reads that want the few
-- pending ones must not walk it all. Without these, ClaimNotices scanned
-- the table in id order (ORDER BY id LIMIT beat outbox_due) and OutboxStats
-- scanned it twice per /healthz or /metrics request. Each index holds only
-- the rows it serves.
CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL AND given_up_at IS NULL;
CREATE INDEX outbox_given_up ON outbox (given_up_at) WHERE given_up_at IS NOT NULL;
CREATE INDEX outbox_failing ON outbox (id) WHERE sent_at IS NULL AND last_error != '';
