-- Request comments are edited and deleted (src/domain/requests/README.md
-- "Comments"): request.comment_edited sets edited_at, request.comment_deleted
-- sets deleted_at (the row stays, GET /requests/{id}/comments leaves it out;
-- the request's history has a row for each edit and deletion).
ALTER TABLE request_comments ADD COLUMN edited_at TIMESTAMPTZ;
ALTER TABLE request_comments ADD COLUMN deleted_at TIMESTAMPTZ;
