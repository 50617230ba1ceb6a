/*
 * The unpaged read queries on one group: its row, its ancestors, its
 * descendants and the count of its children. The hierarchy walks are
 * recursive CTEs bounded by FL_GROUPS_MAX_DEPTH levels, and skip deleted
 * groups (a deleted group has no live children: deleting one with children
 * is refused).
 */
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

static int one_id(const char *sql, const char *group_id, fl_arena_t *a, fl_groups_query_t *out)
{
    memset(out, 0, sizeof(*out));
    if (!fl_uuid_is_valid(group_id))
        return FL_EINVAL;
    out->sql = sql;
    out->params[0] = fl_arena_strndup(a, group_id, FL_UUID_LEN);
    out->nparams = 1;
    return out->params[0] == NULL ? FL_ETOOBIG : 0;
}

int fl_groups_get_query(const char *group_id, fl_arena_t *a, fl_groups_query_t *out)
{
    return one_id("SELECT " FL__GROUPS_COLUMNS
                  " FROM groups s WHERE s.id = $1::uuid AND s.deleted_at IS NULL",
                  group_id, a, out);
}

int fl_groups_ancestors_query(const char *group_id, fl_arena_t *a, fl_groups_query_t *out)
{
    return one_id("WITH RECURSIVE up(id, parent_id, depth) AS (SELECT g.id, g.parent_id, 0"
                  " FROM groups g WHERE g.id = $1::uuid UNION ALL SELECT p.id, p.parent_id,"
                  " u.depth + 1 FROM groups p JOIN up u ON p.id = u.parent_id"
                  " WHERE u.depth < 32)"
                  " SELECT " FL__GROUPS_COLUMNS ", u.depth::text AS depth FROM up u"
                  " JOIN groups s ON s.id = u.id WHERE u.depth > 0 AND s.deleted_at IS NULL"
                  " ORDER BY u.depth",
                  group_id, a, out);
}

int fl_groups_descendants_query(const char *group_id, fl_arena_t *a, fl_groups_query_t *out)
{
    return one_id("WITH RECURSIVE down(id, depth) AS (SELECT g.id, 0 FROM groups g"
                  " WHERE g.id = $1::uuid UNION ALL SELECT c.id, d.depth + 1 FROM groups c"
                  " JOIN down d ON c.parent_id = d.id WHERE c.deleted_at IS NULL"
                  " AND d.depth < 32)"
                  " SELECT " FL__GROUPS_COLUMNS ", d.depth::text AS depth FROM down d"
                  " JOIN groups s ON s.id = d.id WHERE d.depth > 0"
                  " ORDER BY d.depth, s.name, s.id",
                  group_id, a, out);
}

int fl_groups_children_count_query(const char *group_id, fl_arena_t *a, fl_groups_query_t *out)
{
    return one_id("SELECT count(*)::text AS n FROM groups"
                  " WHERE parent_id = $1::uuid AND deleted_at IS NULL",
                  group_id, a, out);
}
