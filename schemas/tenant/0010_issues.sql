-- Issues (incidents) as the projector keeps them (src/domain/issues).
--
-- The spec's issue tables, with these differences:
-- * No ids are generated here and there are no foreign keys to other
--   modules' tables: every id comes from an event, and the write side checks
--   references, so the read model can never refuse a batch the log accepted.
-- * issues.version: the issue stream's version (GET's ETag); deleted_at on
--   issues, comments and work logs: deletion is soft.
-- * Metrics in business minutes beside the spec's wall minutes
--   (business_time_to_first_response, business_time_to_resolution): the SLA
--   policy's calendar, computed when the event is decided.
-- * category_id names a row of issue_categories (0011, their own module).
-- * issue_links: links between issues (parent/child, related, duplicate,
--   caused_by) and to changes; the spec keeps only parent_issue_id.
CREATE TABLE issues (
    id UUID PRIMARY KEY,
    issue_number VARCHAR(50) NOT NULL UNIQUE,
    title VARCHAR(500) NOT NULL,
    description TEXT,
    status VARCHAR(50) NOT NULL DEFAULT 'new',
    priority VARCHAR(20) NOT NULL DEFAULT 'medium',
    severity VARCHAR(20),
    impact VARCHAR(50),
    urgency VARCHAR(50),
    category_id UUID,
    issue_type VARCHAR(50) NOT NULL DEFAULT 'issue',
    source VARCHAR(50),
    application_id UUID,
    environment_id UUID,
    reporter_id UUID,
    assigned_to UUID,
    assigned_group UUID,
    escalation_level INTEGER NOT NULL DEFAULT 0,
    escalated_at TIMESTAMPTZ,
    escalation_policy_id UUID,
    sla_policy_id UUID,
    response_due_at TIMESTAMPTZ,
    resolution_due_at TIMESTAMPTZ,
    first_response_at TIMESTAMPTZ,
    sla_breached BOOLEAN NOT NULL DEFAULT false,
    sla_breach_type VARCHAR(50),
    resolution_code VARCHAR(100),
    resolution_notes TEXT,
    resolved_at TIMESTAMPTZ,
    resolved_by UUID,
    closed_at TIMESTAMPTZ,
    closed_by UUID,
    parent_issue_id UUID,
    related_change_id UUID,
    external_refs JSONB NOT NULL DEFAULT '[]',
    time_to_first_response INTEGER,
    time_to_resolution INTEGER,
    business_time_to_first_response INTEGER,
    business_time_to_resolution INTEGER,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0,
    deleted_at TIMESTAMPTZ
);
CREATE INDEX idx_issues_status ON issues(status);
CREATE INDEX idx_issues_priority ON issues(priority);
CREATE INDEX idx_issues_application ON issues(application_id);
CREATE INDEX idx_issues_assigned_to ON issues(assigned_to);
CREATE INDEX idx_issues_assigned_group ON issues(assigned_group);
CREATE INDEX idx_issues_reporter ON issues(reporter_id);
CREATE INDEX idx_issues_created ON issues(created_at DESC);
CREATE INDEX idx_issues_sla_breach ON issues(sla_breached) WHERE sla_breached = true;
CREATE INDEX idx_issues_open ON issues(status) WHERE status NOT IN ('resolved', 'closed');
-- The list's most common page: open issues of one priority, newest first.
CREATE INDEX idx_issues_open_priority ON issues(priority, created_at DESC)
    WHERE deleted_at IS NULL AND status NOT IN ('resolved', 'closed');
CREATE INDEX idx_issues_upper_number ON issues(upper(issue_number));
CREATE INDEX idx_issues_search ON issues USING GIN ((setweight(to_tsvector('english', title), 'A') ||
    setweight(to_tsvector('english', coalesce(description, '')), 'B'))) WHERE deleted_at IS NULL;

CREATE TABLE issue_comments (
    id UUID PRIMARY KEY,
    issue_id UUID NOT NULL,
    user_id UUID,
    content TEXT NOT NULL,
    content_type VARCHAR(50) NOT NULL DEFAULT 'text',
    is_internal BOOLEAN NOT NULL DEFAULT false,
    is_resolution BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ
);
CREATE INDEX idx_issue_comments_issue ON issue_comments(issue_id);
CREATE INDEX idx_issue_comments_created ON issue_comments(created_at);
CREATE INDEX idx_issue_comments_search ON issue_comments
    USING GIN (to_tsvector('english', content)) WHERE deleted_at IS NULL;

CREATE TABLE issue_worklogs (
    id UUID PRIMARY KEY,
    issue_id UUID NOT NULL,
    user_id UUID,
    time_spent INTEGER NOT NULL,
    work_date DATE NOT NULL,
    description TEXT,
    billable BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ
);
CREATE INDEX idx_issue_worklogs_issue ON issue_worklogs(issue_id);
CREATE INDEX idx_issue_worklogs_user ON issue_worklogs(user_id);

CREATE TABLE issue_status_history (
    id UUID PRIMARY KEY,
    issue_id UUID NOT NULL,
    from_status VARCHAR(50),
    to_status VARCHAR(50) NOT NULL,
    changed_by UUID,
    reason TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_issue_status_history_issue ON issue_status_history(issue_id);

CREATE TABLE issue_links (
    id UUID PRIMARY KEY,
    issue_id UUID NOT NULL,
    target_type VARCHAR(20) NOT NULL CHECK (target_type IN ('issue', 'change')),
    target_id UUID NOT NULL,
    link_type VARCHAR(20) NOT NULL
        CHECK (link_type IN ('parent', 'child', 'related', 'duplicate', 'caused_by')),
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    UNIQUE (issue_id, target_type, target_id, link_type)
);
CREATE INDEX idx_issue_links_target ON issue_links(target_id);
