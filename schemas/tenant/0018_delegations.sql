-- Approval delegations as the projector keeps them (src/domain/delegations).
-- Not in the spec: issue 6's "delegation of one's approvals to another user
-- for a period". The write side keeps them per delegator, in the stream
-- delegations:<delegator_id>; version is that stream's version at the
-- delegation's last event. A revocation sets revoked_at (the row stays: the
-- history is kept). The status a reader sees (scheduled, active, ended,
-- revoked) follows from the times and the clock, so it is not stored.
-- No ids are generated here: every id comes from an event.
CREATE TABLE delegations (
    id UUID PRIMARY KEY,
    delegator_id UUID NOT NULL,
    delegate_id UUID NOT NULL,
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    reason TEXT,
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    revoked_at TIMESTAMPTZ,
    revoked_by UUID,
    version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX idx_delegations_delegator ON delegations(delegator_id, starts_at DESC);
CREATE INDEX idx_delegations_delegate ON delegations(delegate_id, starts_at DESC);
