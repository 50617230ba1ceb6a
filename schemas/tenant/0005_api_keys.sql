-- API keys for service accounts, as the projector keeps them (events
-- api_key.created, api_key.revoked, api_key.used on apikey:<id>).
--
-- key_hash is the hex BLAKE2b-256 of the key's 32-byte random secret: the
-- secret itself is never stored anywhere, so nothing here can be used as a
-- key. The API never selects key_hash. last_used_at is recorded at most once
-- a minute per key. version: the key stream's version a row reflects.
CREATE TABLE api_keys (
    id UUID PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    prefix VARCHAR(80) NOT NULL,
    key_hash CHAR(64) NOT NULL,
    scopes TEXT[] NOT NULL DEFAULT '{}',
    expires_at TIMESTAMPTZ,
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX idx_api_keys_created_at ON api_keys (created_at);
