-- Full-text search (src/domain/search): GIN indexes on the very expressions
-- the search statements match, so every source of GET /api/v1/search is an
-- index scan. 'simple' (no stemming, no stop words) for names and addresses,
-- 'english' for prose. Numbers (APP-00001) match upper-cased, exactly.
CREATE INDEX idx_users_search ON users USING GIN (to_tsvector('simple', name || ' ' || email));
CREATE INDEX idx_groups_search ON groups
    USING GIN (to_tsvector('simple', name || ' ' || coalesce(description, '')))
    WHERE deleted_at IS NULL;
CREATE INDEX idx_applications_search ON applications
    USING GIN (to_tsvector('english', name || ' ' || coalesce(description, '')))
    WHERE deleted_at IS NULL;
CREATE INDEX idx_applications_upper_number ON applications (upper(app_id));
