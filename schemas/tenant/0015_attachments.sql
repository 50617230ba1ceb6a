-- Attachments as the projector keeps them (src/domain/attachments).
--
-- Differences from the spec's attachments, and why:
-- * No tenant_id: the schema is the tenant's.
-- * hash (BLAKE2b-256, hex) instead of storage_path: the bytes are stored
--   content-addressed at <data>/tenants/<slug>/attachments/<hash[0:2]>/<hash>,
--   so the path follows from the hash and two uploads of the same bytes share
--   one file.
-- * entity_type and entity_id may be null: a file may be uploaded first and
--   linked later (POST /attachments/{id}/link).
-- * updated_at, deleted_at (deletion is soft), version (the stream version).
-- * No ids are generated here: every id comes from an event.
CREATE TABLE attachments (
    id UUID PRIMARY KEY,
    hash CHAR(64) NOT NULL,
    filename VARCHAR(500) NOT NULL,
    content_type VARCHAR(100),
    size_bytes BIGINT NOT NULL,
    uploaded_by UUID,
    entity_type VARCHAR(100),
    entity_id UUID,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX idx_attachments_entity ON attachments(entity_type, entity_id, created_at)
    WHERE deleted_at IS NULL;
CREATE INDEX idx_attachments_hash ON attachments(hash);
