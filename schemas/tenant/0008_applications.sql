-- The application registry as the projector keeps it (src/domain/applications).
--
-- Differences from the spec's applications and environments tables, and why:
-- * version: the application stream's version a row reflects (GET's ETag);
--   environments live on their application's stream and share it.
-- * deleted_at on both: deletion is soft, so that issues, changes and cloud
--   resources that refer to an application or environment keep a real row to
--   point at; every read query leaves deleted rows out. Deleting an
--   application sets deleted_at on its environments too.
-- * The spec's UNIQUE(application_id, name) holds for live environments only
--   (a partial unique index), so a removed environment's name is free again.
--   The write side already refuses duplicates, more strictly (ASCII case
--   folded), so the index can never refuse a batch the log accepted.
-- * No ids are generated here: every id comes from an event.
-- * tier, status, lifecycle_stage, criticality, type, cloud_provider carry
--   CHECK constraints with the spec's value lists, as the decoder does.
CREATE TABLE applications (
    id UUID PRIMARY KEY,
    app_id VARCHAR(50) NOT NULL UNIQUE,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    tier VARCHAR(10) NOT NULL CHECK (tier IN ('P1', 'P2', 'P3', 'P4')),
    status VARCHAR(50) NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'inactive', 'deprecated')),
    lifecycle_stage VARCHAR(50) NOT NULL DEFAULT 'production'
        CHECK (lifecycle_stage IN ('development', 'staging', 'production', 'sunset')),
    owner_user_id UUID REFERENCES users(id) ON DELETE SET NULL,
    owner_group_id UUID REFERENCES groups(id) ON DELETE SET NULL,
    support_group_id UUID REFERENCES groups(id) ON DELETE SET NULL,
    business_unit VARCHAR(255),
    criticality VARCHAR(50) CHECK (criticality IN ('mission_critical', 'business_critical',
                                                   'business_operational', 'administrative')),
    tags TEXT[] NOT NULL DEFAULT '{}',
    metadata JSONB NOT NULL DEFAULT '{}',
    health_score DECIMAL(5,2),
    health_score_updated_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0,
    deleted_at TIMESTAMPTZ
);
CREATE INDEX idx_applications_tier ON applications(tier);
CREATE INDEX idx_applications_status ON applications(status);
CREATE INDEX idx_applications_owner_user ON applications(owner_user_id);
CREATE INDEX idx_applications_owner_group ON applications(owner_group_id);
CREATE INDEX idx_applications_support_group ON applications(support_group_id);
CREATE INDEX idx_applications_tags ON applications USING GIN (tags);
CREATE INDEX idx_applications_live_name ON applications (lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE environments (
    id UUID PRIMARY KEY,
    application_id UUID NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    name VARCHAR(100) NOT NULL,
    type VARCHAR(50) NOT NULL CHECK (type IN ('dev', 'test', 'staging', 'prod')),
    url TEXT,
    cloud_provider VARCHAR(50) CHECK (cloud_provider IN ('aws', 'gcp', 'azure', 'on-prem')),
    cloud_account VARCHAR(255),
    cloud_region VARCHAR(50),
    resource_ids JSONB NOT NULL DEFAULT '[]',
    status VARCHAR(50) NOT NULL DEFAULT 'active',
    metadata JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX idx_environments_live_name ON environments (application_id, name)
    WHERE deleted_at IS NULL;
CREATE INDEX idx_environments_application ON environments(application_id);
CREATE INDEX idx_environments_type ON environments(type);
