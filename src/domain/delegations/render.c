/*
 * The JSON a client sees of a delegation, from the write side's state (the
 * answer to a create or a revoke, ?as_of= time travel). The read model's
 * rows (query.c) have the same members.
 */
#include "firelater/delegations.h"

json_t *fl_delegation_to_json(const fl_delegations_state_t *s, const fl_delegation_t *x,
                              fl_time_t now)
{
    return json_pack(
        "{s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:I}", "id", x->id, "delegator_id",
        s->user_id, "delegate_id", x->delegate_id, "starts_at", fl_json_time_or_null(x->starts_at),
        "ends_at", fl_json_time_or_null(x->ends_at), "reason", fl_json_str_or_null(x->reason),
        "status", fl_delegation_status(x, now), "created_by",
        fl_json_str_or_null(x->created_by[0] != '\0' ? x->created_by : NULL), "created_at",
        fl_json_time_or_null(x->created_at), "revoked_at", fl_json_time_or_null(x->revoked_at),
        "revoked_by", fl_json_str_or_null(x->revoked_by[0] != '\0' ? x->revoked_by : NULL),
        "version", (json_int_t)x->version);
}

json_t *fl_delegations_to_json(const fl_delegations_state_t *s, fl_time_t now)
{
    json_t *data = json_array();

    for (size_t i = s->n; i > 0; i--)
        json_array_append_new(data, fl_delegation_to_json(s, &s->items[i - 1], now));
    return json_pack("{s:o, s:{s:I}}", "data", data, "meta", "total", (json_int_t)s->n);
}
