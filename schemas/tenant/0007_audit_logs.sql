-- The audit trail: one row per event of the tenant's log, written by the
-- audit projection (src/domain/audit), which sees every event type. It is a
-- read model like the others: `flctl projections rebuild` replays the whole
-- log into it, so events appended before this migration appear after a
-- rebuild.
--
-- Differences from the spec's audit_logs table, and why:
-- * position (the event's log position) is the key instead of a random id:
--   it is stable across rebuilds and names the event for `flctl log dump`,
--   `flctl log verify` and `flctl audit export`; the projector's idempotent
--   insert is ON CONFLICT (position) DO NOTHING. hash is the BLAKE2b-256 of
--   the event's stored bytes (hex), as `flctl audit export` prints it.
-- * No tenant_id: the schema is the tenant.
-- * Text columns are TEXT, not VARCHAR(100): a value the log accepted must
--   never make the insert fail, as the projector would retry it forever.
-- * entity_id is TEXT: not every stream is named by a uuid (sessions are
--   named by their token family, claims by a name or an address).
-- * changes holds {field: {from, to}} (the events' own vocabulary, not the
--   spec's {old, new}); data is the whole event data. Both are redacted.
-- * actor, event_type, stream, stream_version and request_id (the event's
--   cid, which is the request's X-Request-Id) come from the envelope.
CREATE TABLE audit_logs (
    position BIGINT PRIMARY KEY,
    user_id UUID,                 -- the actor's user, when the actor is a user
    actor TEXT NOT NULL,          -- "user:<uuid>", "apikey:<id>", "flctl:root", ...
    action TEXT NOT NULL,         -- the event type's verb: "updated"
    event_type TEXT NOT NULL,     -- "user.updated"
    entity_type TEXT NOT NULL,    -- "user"
    entity_id TEXT NOT NULL,
    stream TEXT NOT NULL,
    stream_version BIGINT NOT NULL,
    changes JSONB,
    data JSONB NOT NULL,
    request_id TEXT,
    ip_address INET,
    user_agent TEXT,
    hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- The filters: an entity's history, a user's actions, a time range, a
-- request. Each ends with position, the order of every list.
CREATE INDEX idx_audit_logs_entity ON audit_logs (entity_type, entity_id, position);
CREATE INDEX idx_audit_logs_user ON audit_logs (user_id, position) WHERE user_id IS NOT NULL;
CREATE INDEX idx_audit_logs_created_at ON audit_logs (created_at);
CREATE INDEX idx_audit_logs_request ON audit_logs (request_id) WHERE request_id IS NOT NULL;
