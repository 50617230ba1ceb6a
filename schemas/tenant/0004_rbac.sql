-- Roles and permissions (RBAC): custom roles next to the four system roles,
-- the permission catalogue, and the roles groups hold.
--
-- roles: version is the role stream's version a row reflects (GET's ETag);
-- deletion is soft (deleted_at), so the history keeps its target and a
-- deleted role's name can be taken again. The write side keeps live names
-- unique (role-name:<name> claim streams); names are lowercase ASCII by
-- rule, and a delete is always projected before a later create of its
-- name, so the partial unique index below agrees with the log and cannot
-- stall the projector.
ALTER TABLE roles ADD COLUMN updated_at TIMESTAMPTZ DEFAULT NOW();
ALTER TABLE roles ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE roles ADD COLUMN deleted_at TIMESTAMPTZ;
UPDATE roles SET updated_at = created_at, version = 1; -- each was one role.created so far
ALTER TABLE roles DROP CONSTRAINT roles_name_key;
CREATE UNIQUE INDEX idx_roles_live_name ON roles (name) WHERE deleted_at IS NULL;

-- The catalogue: every resource x action of include/firelater/rbac.h, with
-- ids derived from the name (md5('resource:action')) so that every tenant,
-- every rebuild and the projector agree without looking them up. The
-- descriptions are those GET /api/v1/permissions shows (src/domain/roles).
INSERT INTO permissions (id, resource, action, description)
SELECT md5(r || ':' || a)::uuid, r, a,
       CASE a WHEN 'manage'
           THEN 'Every action on ' || r
                || ': manage implies create, read, update, delete, approve and assign'
           ELSE upper(substr(a, 1, 1)) || substr(a, 2) || ' ' || r
       END
FROM unnest(ARRAY['issues', 'changes', 'catalog', 'requests', 'oncall', 'applications', 'users',
                  'groups', 'roles', 'reports', 'integrations', 'cloud', 'audit', 'sla',
                  'settings']) AS r
CROSS JOIN unnest(ARRAY['create', 'read', 'update', 'delete', 'approve', 'assign',
                        'manage']) AS a
ON CONFLICT (resource, action) DO NOTHING;

-- The roles a group holds: every member of the group, and of its
-- sub-groups, has them (the server's access model folds the same events).
CREATE TABLE group_roles (
    group_id UUID REFERENCES groups(id) ON DELETE CASCADE,
    role_id UUID REFERENCES roles(id) ON DELETE CASCADE,
    granted_at TIMESTAMPTZ DEFAULT NOW(),
    PRIMARY KEY (group_id, role_id)
);
CREATE INDEX idx_group_roles_role ON group_roles (role_id);
