-- Request SLA clocks (src/domain/requests/README.md "SLA"): the SLA timers'
-- request.sla_warning and request.sla_breached appear in a request's history
-- as rows in the status it was in (from_status = to_status), dated at the
-- crossing: event names the event (NULL for the status moves), details holds
-- its data (metric, crossed_at, policy_id, priority, target_minutes,
-- threshold_minutes). The SLA columns of service_requests exist since 0017.
ALTER TABLE request_status_history ADD COLUMN event VARCHAR(50);
ALTER TABLE request_status_history ADD COLUMN details JSONB;
