-- SLA configuration as the projector keeps it (src/domain/sla, the sla:config stream).
--
-- Differences from the spec's tables, and why:
-- * version: the sla:config version a row reflects (one stream holds the whole
--   configuration, so every row of a tenant shares that counter).
-- * deleted_at on business_hours and sla_policies: deletion is soft, so that SLA
--   timers and history that name a policy keep a row to point at; reads leave
--   deleted rows out. Schedules, holidays and targets are replaced whole on
--   every update (they are part of their parent's body).
-- * sla_policies.business_hours_id (the spec has no link): NULL counts round
--   the clock. The write side refuses naming a deleted definition and deleting
--   one in use, so the foreign key never refuses a batch the log accepted.
-- * business_hours_schedule holds several intervals a day: the spec's
--   UNIQUE(business_hours_id, day_of_week) is dropped; end_time may be 24:00.
-- * No ids are generated here: every id comes from an event (targets, schedule
--   and holiday rows get BIGSERIAL keys, they have no identity of their own).
-- * CHECK constraints carry the decoder's value lists and ranges; at most one
--   live default per kind (partial unique indexes), as the write side keeps it.
CREATE TABLE business_hours (
    id UUID PRIMARY KEY,
    name VARCHAR(255) NOT NULL DEFAULT 'Default',
    timezone VARCHAR(100) NOT NULL DEFAULT 'UTC',
    is_default BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    deleted_at TIMESTAMPTZ,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX business_hours_one_default ON business_hours (is_default)
    WHERE is_default AND deleted_at IS NULL;

CREATE TABLE business_hours_schedule (
    id BIGSERIAL PRIMARY KEY,
    business_hours_id UUID NOT NULL REFERENCES business_hours(id) ON DELETE CASCADE,
    day_of_week INTEGER NOT NULL CHECK (day_of_week BETWEEN 0 AND 6),
    start_time TIME NOT NULL,
    end_time TIME NOT NULL,
    CHECK (start_time < end_time)
);
CREATE INDEX idx_business_hours_schedule_bh ON business_hours_schedule(business_hours_id);

CREATE TABLE business_hours_holidays (
    id BIGSERIAL PRIMARY KEY,
    business_hours_id UUID NOT NULL REFERENCES business_hours(id) ON DELETE CASCADE,
    holiday_date DATE NOT NULL,
    name VARCHAR(255),
    UNIQUE (business_hours_id, holiday_date)
);

CREATE TABLE sla_policies (
    id UUID PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    entity_type VARCHAR(50) NOT NULL CHECK (entity_type IN ('issue', 'request', 'change')),
    is_default BOOLEAN NOT NULL DEFAULT false,
    conditions JSONB NOT NULL DEFAULT '{}',
    business_hours_id UUID REFERENCES business_hours(id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    deleted_at TIMESTAMPTZ,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX sla_policies_one_default ON sla_policies (entity_type)
    WHERE is_default AND deleted_at IS NULL;
CREATE INDEX idx_sla_policies_entity_type ON sla_policies(entity_type) WHERE deleted_at IS NULL;

CREATE TABLE sla_targets (
    id BIGSERIAL PRIMARY KEY,
    policy_id UUID NOT NULL REFERENCES sla_policies(id) ON DELETE CASCADE,
    metric_type VARCHAR(50) NOT NULL CHECK (metric_type IN ('response_time', 'resolution_time')),
    priority VARCHAR(20) NOT NULL CHECK (priority IN ('critical', 'high', 'medium', 'low')),
    target_minutes INTEGER NOT NULL CHECK (target_minutes BETWEEN 1 AND 525600),
    warning_percent INTEGER NOT NULL DEFAULT 80 CHECK (warning_percent BETWEEN 1 AND 99),
    business_hours_only BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (policy_id, metric_type, priority)
);
