-- The notification queue (the spec's notifications table). Unlike the other
-- tables of the tenant schema this one is not a projection of the log: rows
-- are written directly by the server, because some messages carry secrets
-- that must never enter the immutable, exported log (a password reset's
-- token). The notifications issue delivers the pending rows.
--
-- channel_id has no foreign key yet: notification_channels does not exist.
-- A rebuild (flctl projections rebuild) swaps in a schema made from the log,
-- so it does not carry these rows over; pending reset messages expire within
-- 30 minutes anyway, and a user can ask again.
CREATE TABLE notifications (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID REFERENCES users(id) ON DELETE SET NULL,
    channel_id UUID, -- REFERENCES notification_channels(id) ON DELETE SET NULL, once it exists
    -- Event details
    event_category VARCHAR(100) NOT NULL,
    event_type VARCHAR(100) NOT NULL,
    entity_type VARCHAR(100),
    entity_id UUID,
    -- Content
    subject VARCHAR(500),
    content TEXT,
    content_html TEXT,
    data JSONB DEFAULT '{}', -- structured data for templates
    -- Delivery
    priority VARCHAR(20) DEFAULT 'normal', -- 'low', 'normal', 'high', 'urgent'
    status VARCHAR(50) DEFAULT 'pending',  -- 'pending', 'sent', 'failed', 'skipped'
    attempts INTEGER DEFAULT 0,
    max_attempts INTEGER DEFAULT 3,
    scheduled_at TIMESTAMPTZ DEFAULT NOW(),
    sent_at TIMESTAMPTZ,
    error TEXT,
    -- Tracking
    opened_at TIMESTAMPTZ,
    clicked_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ DEFAULT NOW()
);
CREATE INDEX idx_notifications_user ON notifications (user_id);
CREATE INDEX idx_notifications_status ON notifications (status);
CREATE INDEX idx_notifications_scheduled ON notifications (scheduled_at) WHERE status = 'pending';
CREATE INDEX idx_notifications_entity ON notifications (entity_type, entity_id);
