-- Service requests as the projector keeps them (src/domain/requests).
--
-- Differences from the spec's service_requests and request_approvals, and why:
-- * service_requests keeps what the request copied at submission: item_name,
--   form_version (the published form its form_data was validated against),
--   approval_type and approval_groups (the chain, so editing the item later
--   does not change open requests); plus started_at, cancelled_at and
--   version (the stream's: GET's ETag).
-- * no foreign keys: the read model is rebuilt from the log in any order.
-- * status never rests at 'new' (a submission moves it on in the same
--   command), so the column has no default.
-- * request_approvals gains delegated_from (who the approver acted for) and
--   a primary key (request_id, step_number): one row per step.
-- * request_comments and request_status_history, which the spec leaves out,
--   mirror the issues' tables.
CREATE TABLE service_requests (
    id UUID PRIMARY KEY,
    request_number VARCHAR(50) NOT NULL UNIQUE,
    catalog_item_id UUID,
    bundle_id UUID,
    item_name VARCHAR(255),
    requester_id UUID,
    requested_for_id UUID,
    assigned_to UUID,
    assigned_group UUID,
    status VARCHAR(50) NOT NULL,
    priority VARCHAR(20) NOT NULL DEFAULT 'medium',
    form_data JSONB NOT NULL DEFAULT '{}',
    form_version INTEGER,
    approval_status VARCHAR(50),
    approval_type VARCHAR(20),
    approval_groups JSONB NOT NULL DEFAULT '[]',
    current_approval_step INTEGER NOT NULL DEFAULT 0,
    sla_policy_id UUID,
    response_due_at TIMESTAMPTZ,
    resolution_due_at TIMESTAMPTZ,
    responded_at TIMESTAMPTZ,
    sla_breached BOOLEAN NOT NULL DEFAULT false,
    due_date TIMESTAMPTZ,
    started_at TIMESTAMPTZ,
    completed_at TIMESTAMPTZ,
    completion_notes TEXT,
    cancelled_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX idx_requests_number ON service_requests(request_number);
CREATE INDEX idx_requests_status ON service_requests(status);
CREATE INDEX idx_requests_requester ON service_requests(requester_id);
CREATE INDEX idx_requests_for ON service_requests(requested_for_id);
CREATE INDEX idx_requests_assigned ON service_requests(assigned_to);
CREATE INDEX idx_requests_created ON service_requests(created_at DESC);

CREATE TABLE request_approvals (
    id UUID NOT NULL,
    request_id UUID NOT NULL,
    step_number INTEGER NOT NULL,
    approver_group_id UUID,
    approver_id UUID,
    status VARCHAR(50) NOT NULL DEFAULT 'pending',
    decision_at TIMESTAMPTZ,
    comments TEXT,
    delegated_from UUID,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (request_id, step_number)
);
CREATE INDEX idx_request_approvals_status ON request_approvals(status);

CREATE TABLE request_comments (
    id UUID PRIMARY KEY,
    request_id UUID NOT NULL,
    user_id UUID,
    body TEXT NOT NULL,
    is_internal BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_request_comments_request ON request_comments(request_id, created_at);

CREATE TABLE request_status_history (
    id UUID PRIMARY KEY,
    request_id UUID NOT NULL,
    from_status VARCHAR(50),
    to_status VARCHAR(50) NOT NULL,
    changed_by UUID,
    reason TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_request_status_history_request ON request_status_history(request_id, created_at);
