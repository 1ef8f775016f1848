-- The outbox is per receiver: a notice that routes to three receivers is
-- three rows, each claimed, retried and marked sent on its own, so one
-- receiver failing never holds another back. '' is the single receiver of
-- notices written before receivers existed; the first configured receiver
-- adopts them.
ALTER TABLE outbox ADD COLUMN receiver TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_pending_receiver ON outbox (receiver, id) WHERE sent_at IS NULL AND given_up_at IS NULL;
-- The message a receiver that can edit (Slack in bot mode) posted about a
-- finding: later notices of the finding edit it and reply in its thread
-- instead of posting anew.
CREATE TABLE receiver_messages (
    receiver   TEXT NOT NULL,
    finding_id INTEGER NOT NULL,
    channel    TEXT NOT NULL,
    ts         TEXT NOT NULL,
    posted_at  TEXT NOT NULL,
    PRIMARY KEY (receiver, finding_id)
);
