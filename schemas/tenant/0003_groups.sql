-- Groups as the projector keeps them.
--
-- version: the group stream's version a row reflects (GET's ETag), as for
-- users. deleted_at: deletion is soft, so that rows which refer to a group
-- (issues, applications, approvals) keep a real row to point at and the
-- history stays readable; every read query leaves deleted groups out. The
-- members of a deleted group are removed (group_members rows deleted).
ALTER TABLE groups ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE groups ADD COLUMN deleted_at TIMESTAMPTZ;

-- Lists and the uniqueness lookups work on live groups only. The index is
-- not UNIQUE on purpose: the write side's name claims fold ASCII case only,
-- and lower() here folds more, so a unique index could refuse a batch the
-- log has already accepted and stall the projector.
CREATE INDEX idx_groups_live_name ON groups (lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX idx_groups_created_at ON groups (created_at);
