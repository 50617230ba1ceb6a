-- Bundle requests (src/domain/requests/README.md "Bundles"): a child request
-- names its parent (the bundle request: bundle_id set, no catalog item);
-- the parent's children are the rows whose parent_id is its id.
ALTER TABLE service_requests ADD COLUMN parent_id UUID;
CREATE INDEX idx_requests_parent ON service_requests(parent_id);
