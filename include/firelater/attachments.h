/*
 * Attachments: files uploaded once, stored content-addressed under the
 * tenant's data directory (<data>/tenants/<slug>/attachments/<aa>/<hash>,
 * hash the BLAKE2b-256 of the bytes, so the same bytes are stored once), and
 * linked to an entity (an issue today; a request once that module lands).
 * The write side (aggregate, checks, decide), the read side (projection into
 * attachments, the per-entity list) and the JSON a client sees. The HTTP
 * glue: src/server/api_attachments.c (the body streamed to disk),
 * api_attachment_reads.c (metadata, lists, links), api_attachment_download.c.
 *
 * Stream: attachment:<uuid> (attachment.uploaded, attachment.linked,
 * attachment.deleted).
 */
#ifndef FIRELATER_ATTACHMENTS_H
#define FIRELATER_ATTACHMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "firelater/aggcache.h"
#include "firelater/arena.h"
#include "firelater/domain.h"
#include "firelater/http.h"
#include "firelater/projector.h"

#define FL_ATTACH_MAX_BYTES    (25u * 1024 * 1024) /* a tenant's default size limit */
#define FL_ATTACH_FILENAME_MAX 255                 /* bytes of UTF-8 */
#define FL_ATTACH_HASH_HEX     64                  /* BLAKE2b-256 in hex */

/* attachment:<uuid>. Strings live in the fold's arena; entity_type "" when unlinked. */
typedef struct fl_attach_state {
    bool exists;
    bool deleted;
    uint64_t version;
    char id[FL_UUID_LEN + 1];
    char hash[FL_ATTACH_HASH_HEX + 1];
    const char *filename;
    const char *content_type;
    uint64_t size_bytes;
    char uploaded_by[FL_UUID_LEN + 1];
    char entity_type[16];
    char entity_id[FL_UUID_LEN + 1];
    fl_time_t created_at, updated_at, deleted_at;
} fl_attach_state_t;

extern const fl_agg_type_t fl_attach_agg;

/* "attachment:<id>", in a. */
char *fl_attach_stream(fl_arena_t *a, const char *id);

/* ---------------------------------------------------------------- checks */

/*
 * The entity types an attachment may be linked to: a small table, so that
 * requests plug in with one line. NULL when name is not one.
 */
typedef struct fl_attach_entity {
    const char *name;   /* "issue" */
    const char *stream; /* the stream prefix of its aggregate: "issue:" */
} fl_attach_entity_t;
const fl_attach_entity_t *fl_attach_entity(const char *name);

/*
 * A filename as stored and shown: NULL when acceptable, else why not (no
 * path parts, no control characters, valid UTF-8, 1 to 255 bytes, not "."
 * or ".."). The caller takes the last path segment first if it wants to.
 */
const char *fl_attach_filename_problem(const char *name);

/*
 * The media type of a Content-Type ("text/plain; charset=utf-8" ->
 * "text/plain", lowercased, into a) when the allow-list takes it, else
 * NULL. The list: common documents (PDF, office formats, OpenDocument,
 * RTF), images (PNG, JPEG, GIF, WebP, BMP, TIFF), text (plain, CSV,
 * markdown, JSON, XML, logs), archives (zip, gzip, tar, 7z). Executables,
 * HTML and SVG (scripts served inline) are refused.
 */
const char *fl_attach_type_allowed(fl_arena_t *a, const char *content_type);

/*
 * The Content-Disposition of a download: attachment; filename="<ASCII
 * fallback, quotes and backslashes escaped, non-ASCII as _>";
 * filename*=UTF-8''<RFC 5987 percent-encoding>. In a.
 */
char *fl_attach_disposition(fl_arena_t *a, const char *filename);

/* ---------------------------------------------------------------- decide */

/* An upload, checked by the caller (filename, type, size) and stored under hash. */
typedef struct fl_attach_upload {
    const char *hash; /* 64 hex digits */
    const char *filename;
    const char *content_type; /* as fl_attach_type_allowed returned it */
    uint64_t size_bytes;
    const char *entity_type; /* NULL: not linked */
    const char *entity_id;
} fl_attach_upload_t;

/*
 * attachment.uploaded {id, hash, filename, content_type, size_bytes,
 * uploaded_by, entity_type, entity_id} on a new attachment:<uuid>. Sets
 * d->location. 422 on a bad hash or size (a caller's bug, never a client's).
 */
int fl_attach_decide_upload(const fl_cmd_ctx_t *ctx, const fl_attach_upload_t *u, fl_decision_t *d);

/* attachment.linked {id, entity_type, entity_id}. 404 unknown or deleted; 409 already linked. */
int fl_attach_decide_link(const fl_cmd_ctx_t *ctx, const fl_attach_state_t *s,
                          const char *entity_type, const char *entity_id, fl_decision_t *d);

/* attachment.deleted {id, hash}. 404 unknown or deleted. expected: If-Match or FL_LOG_ANY. */
int fl_attach_decide_delete(const fl_cmd_ctx_t *ctx, const fl_attach_state_t *s, int64_t expected,
                            fl_decision_t *d);

/* The attachment: id, hash, filename, content_type, size_bytes, uploaded_by, entity_type,
 * entity_id (null when unlinked), created_at, version. */
json_t *fl_attach_to_json(const fl_attach_state_t *s);

/* ---------------------------------------------------------- write lookup */

/*
 * For other modules' write sides (the form validator's file fields, through
 * fl_form_refs_t): what attachment:<id> is, from the tenant's aggregate
 * cache. Returns 0 (out filled; out->exists false for an unknown id or one
 * that is not a uuid) or the log's error. Strings live in out->a's arena.
 */
typedef struct fl_attach_ref {
    bool exists;
    bool deleted;
    uint64_t size_bytes;
    const char *filename;
    const char *content_type;
    char uploaded_by[FL_UUID_LEN + 1];
} fl_attach_ref_t;
int fl_attach_lookup(fl_agg_cache_t *cache, fl_arena_t *a, const char *id, fl_attach_ref_t *out);

/* --------------------------------------------------------------- read side */

extern const fl_proj_handler_t fl_attach_projections[];

/* One statement; rows carry column j (an attachment's JSON) and _total: fl_json_page. */
typedef struct fl_attach_query {
    const char *sql;
    const char *params[4];
    int nparams;
    long page, per_page;
} fl_attach_query_t;

/*
 * GET /<entity>s/{id}/attachments: the live attachments linked to
 * entity_type:entity_id, newest first; page, per_page (1..100, default 25).
 * Unknown parameters and bad values are 422 naming them (in d). FL_EINVAL
 * also for an unknown entity type or an id that is not a uuid (the
 * caller's check).
 */
int fl_attach_list_query(const char *entity_type, const char *entity_id,
                         const fl_http_param_t *query, size_t n, fl_arena_t *a,
                         fl_attach_query_t *out, fl_decision_t *d);

#endif
