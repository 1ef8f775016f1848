-- When the first delivery attempt of a notice whose outcome is unknown
-- began: set right before posting, kept through failures (a client
-- timeout may hide a message Slack did post), cleared only once the
-- notice is marked sent. A deliverer that finds it set looks for the
-- notice in the channel's history before posting it again.
ALTER TABLE outbox ADD COLUMN attempt_started_at TEXT;
-- A claim takes every pending notice of a finding together (so they are
-- delivered in order, or collapsed into one); this index finds a finding's
-- pending notices, and a deliverer's claims to renew, without walking the
-- outbox.
CREATE INDEX outbox_pending_finding ON outbox (finding_id, id) WHERE sent_at IS NULL AND given_up_at IS NULL;
