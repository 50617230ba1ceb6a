/*
 * The permission catalogue and the system roles' grants.
 *
 * The grants are a table a reviewer can read at a glance: one row per
 * resource, one column per system role, each cell the actions granted as
 * letters (C create, R read, U update, D delete, P approve, A assign,
 * M manage). Requesters' "read" on issues and requests is narrowed to their
 * own records by those modules; everything else is decided here.
 */
#include <string.h>

#include "firelater/rbac.h"

static const char *const resource_names[FL_RES_COUNT] = {
    "issues", "changes", "catalog",      "requests", "oncall", "applications", "users",    "groups",
    "roles",  "reports", "integrations", "cloud",    "audit",  "sla",          "settings",
};

static const char *const action_names[FL_ACT_COUNT] = {
    "create", "read", "update", "delete", "approve", "assign", "manage",
};

static const char action_letters[FL_ACT_COUNT] = {'C', 'R', 'U', 'D', 'P', 'A', 'M'};

/* Columns: admin, manager, agent, requester. */
#define N_SYSTEM 4
static const char *const system_roles[N_SYSTEM] = {"admin", "manager", "agent", "requester"};

static const char *const grants[FL_RES_COUNT][N_SYSTEM] = {
    /*                     admin   manager  agent   requester */
    [FL_RES_ISSUES] = {"M", "CRUPA", "CRUA", "CR"},
    [FL_RES_CHANGES] = {"M", "CRUPA", "CRU", ""},
    [FL_RES_CATALOG] = {"M", "CRU", "R", "R"},
    [FL_RES_REQUESTS] = {"M", "CRUPA", "CRUA", "CR"},
    [FL_RES_ONCALL] = {"M", "CRUA", "R", ""},
    [FL_RES_APPLICATIONS] = {"M", "CRU", "R", ""},
    [FL_RES_USERS] = {"M", "R", "R", ""},
    [FL_RES_GROUPS] = {"M", "RU", "R", ""},
    [FL_RES_ROLES] = {"M", "R", "", ""},
    [FL_RES_REPORTS] = {"M", "CR", "R", ""},
    [FL_RES_INTEGRATIONS] = {"M", "R", "", ""},
    [FL_RES_CLOUD] = {"M", "R", "R", ""},
    [FL_RES_AUDIT] = {"M", "R", "", ""},
    [FL_RES_SLA] = {"M", "R", "R", ""},
    [FL_RES_SETTINGS] = {"M", "R", "", ""},
};

const char *fl_resource_name(fl_resource_t r)
{
    return (unsigned)r < FL_RES_COUNT ? resource_names[r] : "";
}

const char *fl_action_name(fl_action_t a)
{
    return (unsigned)a < FL_ACT_COUNT ? action_names[a] : "";
}

bool fl_perms_subset(const fl_perms_t *sub, const fl_perms_t *super)
{
    for (int r = 0; r < FL_RES_COUNT; r++) {
        for (int a = 0; a < FL_ACT_COUNT; a++) {
            if (fl_perms_has_exact(sub, (fl_resource_t)r, (fl_action_t)a) &&
                !fl_perms_allow(super, (fl_resource_t)r, (fl_action_t)a))
                return false;
        }
    }
    return true;
}

bool fl_perms_equal(const fl_perms_t *a, const fl_perms_t *b)
{
    return a->w[0] == b->w[0] && a->w[1] == b->w[1];
}

bool fl_perm_parse(const char *s, fl_resource_t *r, fl_action_t *a)
{
    const char *colon = strchr(s, ':');
    if (colon == NULL)
        return false;
    size_t n = (size_t)(colon - s);
    for (int i = 0; i < FL_RES_COUNT; i++) {
        if (strlen(resource_names[i]) != n || memcmp(resource_names[i], s, n) != 0)
            continue;
        for (int j = 0; j < FL_ACT_COUNT; j++) {
            if (strcmp(action_names[j], colon + 1) == 0) {
                *r = (fl_resource_t)i;
                *a = (fl_action_t)j;
                return true;
            }
        }
        return false;
    }
    return false;
}

void fl_perm_format(fl_resource_t r, fl_action_t a, char *buf)
{
    size_t rn = strlen(fl_resource_name(r)), an = strlen(fl_action_name(a));
    memcpy(buf, fl_resource_name(r), rn);
    buf[rn] = ':';
    memcpy(buf + rn + 1, fl_action_name(a), an + 1);
}

bool fl_rbac_system_role_perms(const char *role, fl_perms_t *out)
{
    int col = -1;
    for (int i = 0; i < N_SYSTEM; i++) {
        if (strcmp(system_roles[i], role) == 0)
            col = i;
    }
    if (col < 0)
        return false;
    *out = (fl_perms_t){{0, 0}};
    for (int r = 0; r < FL_RES_COUNT; r++) {
        for (const char *c = grants[r][col]; *c != '\0'; c++) {
            const char *hit = memchr(action_letters, *c, FL_ACT_COUNT);
            if (hit != NULL)
                fl_perms_add(out, (fl_resource_t)r, (fl_action_t)(hit - action_letters));
        }
    }
    return true;
}
