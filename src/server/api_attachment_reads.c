/*
 * Reading attachments: who may (the uploader, and whoever may read the
 * entity it is linked to), the metadata from the write side, and the
 * entity table that links and uploads check (requests plug in with a line).
 */
#include <string.h>
#include <strings.h>

#include "app.h"
#include "firelater/attachments.h"
#include "firelater/err.h"

static bool issue_readable(fl_http_req_t *req, fl_principal_t *p, const char *id)
{
    return fl_srv_can(p, FL_RES_ISSUES, FL_ACT_READ) && fl_srv_issue_load(req, p, id) != NULL;
}

/* The entities an attachment links to, with who may read one (and so its attachments). */
static const struct {
    const char *name;
    bool (*readable)(fl_http_req_t *req, fl_principal_t *p, const char *id);
} entities[] = {
    {"issue", issue_readable},
};

static bool entity_readable(fl_http_req_t *req, fl_principal_t *p, const char *type, const char *id)
{
    for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++)
        if (strcmp(entities[i].name, type) == 0)
            return entities[i].readable(req, p, id);
    return false;
}

const char *fl_srv_attach_entity_problem(fl_http_req_t *req, fl_principal_t *p,
                                         const char *entity_type, const char *entity_id)
{
    if (fl_attach_entity(entity_type) == NULL)
        return "entity_type must be issue";
    if (entity_id == NULL || !fl_uuid_is_valid(entity_id))
        return "must be a uuid";
    if (!entity_readable(req, p, entity_type, entity_id))
        return "no such entity";
    return NULL;
}

/* The live attachment of {id} that p may read, or NULL (404: nothing says whether it exists). */
const fl_attach_state_t *fl_srv_attach_readable(fl_http_req_t *req, fl_principal_t *p)
{
    const char *id = fl_http_param(req, "id");
    const fl_attach_state_t *a;

    if (id == NULL || !fl_uuid_is_valid(id))
        return NULL;
    a = fl_srv_agg_copy(req, p->tenant, &fl_attach_agg, fl_attach_stream(&req->arena, id));
    if (a == NULL || !a->exists || a->deleted)
        return NULL;
    if (p->user_id != NULL && strcasecmp(a->uploaded_by, p->user_id) == 0)
        return a;
    if (a->entity_type[0] != '\0' && entity_readable(req, p, a->entity_type, a->entity_id))
        return a;
    return NULL;
}

int fl_api_attach_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const fl_attach_state_t *a = fl_srv_attach_readable(req, p);

    (void)s;
    fl_srv_answer_entity(req, a != NULL ? fl_attach_to_json(a) : NULL, "no such attachment");
    return 0;
}
