-- issue_counts_move (0013) increments with an UPDATE first and falls back to
-- the INSERT ... ON CONFLICT only for a (status, priority) not counted yet.
-- The speculative insertion that always conflicted cost about a fifth of the
-- projector's INSERT INTO issues (pg_stat_statements, 2026-12-07).
CREATE OR REPLACE FUNCTION issue_counts_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL THEN
        UPDATE issue_counts SET n = n - 1
         WHERE status = OLD.status AND priority = OLD.priority;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL THEN
        UPDATE issue_counts SET n = n + 1
         WHERE status = NEW.status AND priority = NEW.priority;
        IF NOT FOUND THEN
            INSERT INTO issue_counts (status, priority, n) VALUES (NEW.status, NEW.priority, 1)
                ON CONFLICT (status, priority) DO UPDATE SET n = issue_counts.n + 1;
        END IF;
    END IF;
    RETURN NULL;
END
$$;
