-- service_requests.request_number is UNIQUE (0017), which PostgreSQL keeps as
-- its own btree on the column; 0017's idx_requests_number was a second, equal
-- one that every insert and every non-HOT update of a request maintained for
-- nothing. Lookups by number use the unique constraint's index.
DROP INDEX IF EXISTS idx_requests_number;
