-- What makes GET /issues fast over a million issues (src/domain/issues/query.c).
--
-- * issue_counts: live (not deleted) issues per (status, priority), kept by
--   triggers in the same transaction as the rows themselves, so a list that
--   filters by nothing but status and priority gets its meta.total from at
--   most 24 rows instead of counting every match. The triggers fire for
--   every writer of issues (the projector, a rebuild's replay), so the counts
--   can never drift from the table; the UPDATE trigger only runs when one of
--   the three columns it depends on changes.
-- * idx_issues_number_order: the default sort (issue number, numerically: the
--   lpad makes ISS-100000 follow ISS-99999) with the id as tie-breaker, over
--   live rows, so a first page is an index walk that stops after per_page
--   matches instead of a sort of all of them.
CREATE TABLE issue_counts (
    status VARCHAR(50) NOT NULL,
    priority VARCHAR(20) NOT NULL,
    n BIGINT NOT NULL CHECK (n >= 0),
    PRIMARY KEY (status, priority)
);

CREATE FUNCTION issue_counts_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL THEN
        UPDATE issue_counts SET n = n - 1
         WHERE status = OLD.status AND priority = OLD.priority;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL THEN
        INSERT INTO issue_counts (status, priority, n) VALUES (NEW.status, NEW.priority, 1)
            ON CONFLICT (status, priority) DO UPDATE SET n = issue_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER issue_counts_insert_delete AFTER INSERT OR DELETE ON issues
    FOR EACH ROW EXECUTE FUNCTION issue_counts_move();
CREATE TRIGGER issue_counts_update AFTER UPDATE OF status, priority, deleted_at ON issues
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                       OR OLD.priority IS DISTINCT FROM NEW.priority
                       OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL))
    EXECUTE FUNCTION issue_counts_move();

INSERT INTO issue_counts (status, priority, n)
    SELECT status, priority, count(*) FROM issues WHERE deleted_at IS NULL
     GROUP BY status, priority;

CREATE INDEX idx_issues_number_order ON issues (lpad(issue_number, 32, '0'), id)
    WHERE deleted_at IS NULL;
