-- The version of the user's stream that a row reflects: GET answers it as the
-- ETag a client sends back in If-Match.
ALTER TABLE users ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
