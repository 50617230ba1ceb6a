-- The service catalog as the projector keeps it (src/domain/catalog).
--
-- Differences from the spec's SERVICE CATALOG tables, and why:
-- * version (the entity stream's version: GET's ETag) on every table, and
--   deleted_at on categories and bundles: deletion is soft, so requests that
--   name a bundle and items that name a category keep a real row to point at;
--   every read leaves deleted rows out. Items are never deleted: DELETE
--   retires them (status 'retired').
-- * catalog_categories.item_count: the live (draft or active) items filed in
--   the category, kept by the write side, which refuses deleting a category
--   that has any.
-- * catalog_items.form_version (the current published version, 0 for a draft
--   never published), fulfillment_group_id (the issue asks for a fulfilment
--   group), source_id (the item a clone was copied from), and
--   catalog_item_form_versions: every published form, kept for the requests
--   that were submitted with it.
-- * No foreign keys to groups or SLA policies: the write side checks them
--   (live when saved), and a key here could refuse a batch the log accepted.
-- * catalog_bundle_items.sort_order orders the bundle's items; the primary key
--   keeps (bundle_id, item_id) unique as the write side does.
-- * No ids are generated here: every id comes from an event.
CREATE TABLE catalog_categories (
    id UUID PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    icon VARCHAR(100),
    color VARCHAR(20),
    sort_order INTEGER NOT NULL DEFAULT 0,
    parent_id UUID REFERENCES catalog_categories(id),
    status VARCHAR(50) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'hidden')),
    item_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX idx_catalog_categories_parent ON catalog_categories(parent_id)
    WHERE deleted_at IS NULL;

CREATE TABLE catalog_items (
    id UUID PRIMARY KEY,
    category_id UUID REFERENCES catalog_categories(id),
    name VARCHAR(255) NOT NULL,
    short_desc VARCHAR(500),
    description TEXT,
    icon VARCHAR(100),
    image_url TEXT,
    status VARCHAR(50) NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'retired')),
    form_schema JSONB NOT NULL DEFAULT '[]',
    form_version INTEGER NOT NULL DEFAULT 0,
    fulfillment_type VARCHAR(50) NOT NULL DEFAULT 'manual'
        CHECK (fulfillment_type IN ('manual', 'automated', 'hybrid')),
    fulfillment_config JSONB NOT NULL DEFAULT '{}',
    fulfillment_group_id UUID,
    approval_required BOOLEAN NOT NULL DEFAULT false,
    approval_type VARCHAR(50) NOT NULL DEFAULT 'sequential'
        CHECK (approval_type IN ('sequential', 'parallel', 'any')),
    approval_groups UUID[] NOT NULL DEFAULT '{}',
    sla_policy_id UUID,
    default_priority VARCHAR(20) NOT NULL DEFAULT 'medium'
        CHECK (default_priority IN ('critical', 'high', 'medium', 'low')),
    estimated_hours INTEGER,
    cost DECIMAL(10,2) CHECK (cost >= 0),
    cost_type VARCHAR(50) CHECK (cost_type IN ('one_time', 'monthly', 'yearly')),
    cost_center VARCHAR(100),
    visible_to_groups UUID[],
    tags TEXT[] NOT NULL DEFAULT '{}',
    sort_order INTEGER NOT NULL DEFAULT 0,
    source_id UUID,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX idx_catalog_items_category ON catalog_items(category_id);
CREATE INDEX idx_catalog_items_status ON catalog_items(status);
CREATE INDEX idx_catalog_items_tags ON catalog_items USING gin (tags);

CREATE TABLE catalog_item_form_versions (
    item_id UUID NOT NULL REFERENCES catalog_items(id),
    version INTEGER NOT NULL CHECK (version >= 1),
    form_schema JSONB NOT NULL,
    published_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (item_id, version)
);

CREATE TABLE catalog_bundles (
    id UUID PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    icon VARCHAR(100),
    status VARCHAR(50) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    discount_percent DECIMAL(5,2) CHECK (discount_percent BETWEEN 0 AND 100),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE catalog_bundle_items (
    bundle_id UUID REFERENCES catalog_bundles(id) ON DELETE CASCADE,
    item_id UUID REFERENCES catalog_items(id),
    quantity INTEGER NOT NULL DEFAULT 1 CHECK (quantity BETWEEN 1 AND 100),
    sort_order INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bundle_id, item_id)
);
CREATE INDEX idx_catalog_bundle_items_item ON catalog_bundle_items(item_id);
