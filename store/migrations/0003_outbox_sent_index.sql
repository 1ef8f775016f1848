-- Delivered and given-up notices are kept 30 days, then pruned by the
-- delivery that follows; this index finds them without walking the outbox.
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;
