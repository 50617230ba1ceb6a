-- Shared by every tenant: the plans, the tenants, and the migrations ledger.
-- The tenants table mirrors the platform log (the source of truth for a
-- tenant's lifecycle); the server reads it, flctl writes it.

CREATE TABLE schema_migrations (
    scope TEXT NOT NULL,             -- 'public' or a tenant's schema, e.g. 'tenant_acme'
    version INTEGER NOT NULL,        -- NNNN of schemas/<public|tenant>/NNNN_name.sql
    name TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (scope, version)
);

CREATE TABLE plans (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name VARCHAR(100) NOT NULL UNIQUE, -- 'starter', 'professional', 'enterprise'
    display_name VARCHAR(255) NOT NULL,
    max_users INTEGER,                 -- NULL = unlimited
    max_applications INTEGER,
    features JSONB DEFAULT '{}',       -- feature flags
    price_monthly DECIMAL(10, 2),
    price_yearly DECIMAL(10, 2),
    is_active BOOLEAN DEFAULT true,
    created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE TABLE tenants (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name VARCHAR(255) NOT NULL,
    slug VARCHAR(100) UNIQUE NOT NULL,
    plan_id UUID REFERENCES plans(id),
    status VARCHAR(50) DEFAULT 'active'
        CHECK (status IN ('active', 'suspended', 'cancelled')),
    settings JSONB DEFAULT '{}',
    billing_email VARCHAR(255),
    trial_ends_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW()
);
-- The spec's idx_tenants_slug is left out: UNIQUE (slug) already indexes it.
