-- Issue categories as the projector keeps them (src/domain/issue_categories).
--
-- Differences from the spec's issue_categories, and why:
-- * description, updated_at, version (the stream version: GET's ETag),
--   deleted_at: deletion is soft, so issues that name a category keep a real
--   row to point at; every read leaves deleted rows out.
-- * parent_id has no ON DELETE SET NULL action: rows are never deleted, and
--   the write side refuses deleting a category that has live children.
-- * Sibling names are unique on the write side (ASCII case folded); the index
--   on (parent_id, lower(name)) is deliberately not UNIQUE, so that it can
--   never refuse a batch the log accepted.
-- * No ids are generated here: every id comes from an event.
CREATE TABLE issue_categories (
    id UUID PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    parent_id UUID REFERENCES issue_categories(id),
    sort_order INTEGER NOT NULL DEFAULT 0,
    is_active BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX idx_issue_categories_parent ON issue_categories(parent_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_issue_categories_sibling_name ON issue_categories(parent_id, lower(name))
    WHERE deleted_at IS NULL;
