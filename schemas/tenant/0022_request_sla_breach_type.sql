-- Which SLA clock of a request breached (src/domain/requests/README.md "SLA"),
-- as issues.sla_breach_type: 'response', 'resolution', or 'both' once both
-- did; NULL while none has. Set by the projection of request.sla_breached.
-- Requests breached before this migration get it with a rebuild of the read
-- model (flctl projections rebuild); until then it stays NULL.
ALTER TABLE service_requests ADD COLUMN sla_breach_type VARCHAR(50);
