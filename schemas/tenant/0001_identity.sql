-- Identity and access of one tenant, run with search_path set to its schema
-- (tenant_<slug>). These tables are a read model: the projector fills them
-- from the tenant's event log, so the ids are the events' ids (no defaults
-- are relied on) and nothing here is the source of truth.
--
-- The spec's id_sequences table and next_id() are deliberately absent:
-- human-readable numbers (REQ-00001, ...) are taken in the log's write
-- transaction, gapless per tenant, and arrive here inside the events.

CREATE TABLE users (
    id UUID PRIMARY KEY,
    email VARCHAR(255) NOT NULL UNIQUE,
    name VARCHAR(255) NOT NULL,
    avatar_url TEXT,
    phone VARCHAR(50),
    timezone VARCHAR(100) DEFAULT 'UTC',
    status VARCHAR(20) DEFAULT 'active'
        CHECK (status IN ('active', 'inactive', 'pending')),
    auth_provider VARCHAR(50) DEFAULT 'local', -- 'local', 'google', 'okta', 'azure_ad'
    external_id VARCHAR(255),                  -- SSO provider's id
    password_hash TEXT,                        -- argon2id, local accounts only
    last_login_at TIMESTAMPTZ,
    settings JSONB DEFAULT '{}',
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW()
);
-- Email is unique per tenant case-insensitively; the UNIQUE above covers the
-- exact match the spec asks for, this index the lookups at sign-in.
CREATE UNIQUE INDEX idx_users_email_lower ON users (lower(email));
CREATE INDEX idx_users_external_id ON users (auth_provider, external_id)
    WHERE external_id IS NOT NULL;
CREATE INDEX idx_users_status ON users (status);
CREATE INDEX idx_users_created_at ON users (created_at);

CREATE TABLE roles (
    id UUID PRIMARY KEY,
    name VARCHAR(100) NOT NULL UNIQUE, -- 'admin', 'manager', 'agent', 'requester'
    display_name VARCHAR(255) NOT NULL,
    description TEXT,
    is_system BOOLEAN DEFAULT false,   -- system roles cannot be deleted
    created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE TABLE permissions (
    id UUID PRIMARY KEY,
    resource VARCHAR(100) NOT NULL, -- 'issues', 'changes', 'catalog', ...
    action VARCHAR(50) NOT NULL,    -- 'create', 'read', 'update', 'delete', 'approve'
    description TEXT,
    UNIQUE (resource, action)
);

CREATE TABLE role_permissions (
    role_id UUID REFERENCES roles(id) ON DELETE CASCADE,
    permission_id UUID REFERENCES permissions(id) ON DELETE CASCADE,
    PRIMARY KEY (role_id, permission_id)
);
CREATE INDEX idx_role_permissions_permission ON role_permissions (permission_id);

CREATE TABLE user_roles (
    user_id UUID REFERENCES users(id) ON DELETE CASCADE,
    role_id UUID REFERENCES roles(id) ON DELETE CASCADE,
    granted_by UUID REFERENCES users(id),
    granted_at TIMESTAMPTZ DEFAULT NOW(),
    PRIMARY KEY (user_id, role_id)
);
CREATE INDEX idx_user_roles_role ON user_roles (role_id);

-- The spec inserts the default roles (admin, manager, agent, requester) here;
-- in FireLater they are created by the tenant's first events, so that a
-- rebuild from the log reproduces them with the same ids.

CREATE TABLE groups (
    id UUID PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    type VARCHAR(50) DEFAULT 'team'
        CHECK (type IN ('team', 'department', 'distribution')),
    parent_id UUID REFERENCES groups(id) ON DELETE SET NULL,
    manager_id UUID REFERENCES users(id) ON DELETE SET NULL,
    email VARCHAR(255),                -- group address for notifications
    settings JSONB DEFAULT '{}',
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW()
);
CREATE INDEX idx_groups_parent ON groups (parent_id);
CREATE INDEX idx_groups_type ON groups (type);
CREATE INDEX idx_groups_manager ON groups (manager_id);

CREATE TABLE group_members (
    group_id UUID REFERENCES groups(id) ON DELETE CASCADE,
    user_id UUID REFERENCES users(id) ON DELETE CASCADE,
    role VARCHAR(50) DEFAULT 'member' CHECK (role IN ('member', 'lead')),
    joined_at TIMESTAMPTZ DEFAULT NOW(),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX idx_group_members_user ON group_members (user_id);

-- The projector's position in this tenant's log, moved in the same
-- transaction as the effects of the events up to it: exactly once.
CREATE TABLE projector_checkpoint (
    name TEXT PRIMARY KEY,           -- the projector, e.g. 'main'
    position BIGINT NOT NULL DEFAULT 0 CHECK (position >= 0),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
