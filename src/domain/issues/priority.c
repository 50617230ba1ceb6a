/*
 * Priority from impact x urgency when a body gives no priority. Rows are
 * impacts (widespread .. minor), columns urgencies (immediate .. low); the
 * README shows the same matrix.
 */
#include <stddef.h>
#include <string.h>

#include "firelater/issues.h"

static const char *const impacts[] = {"widespread", "significant", "moderate", "minor"};
static const char *const urgencies[] = {"immediate", "high", "medium", "low"};

static const char *const matrix[4][4] = {
    /*                immediate    high        medium    low */
    /* widespread  */ {"critical", "critical", "high", "medium"},
    /* significant */ {"critical", "high", "high", "medium"},
    /* moderate    */ {"high", "medium", "medium", "low"},
    /* minor       */ {"medium", "medium", "low", "low"},
};

/* The index of s in list[4], dflt when s is NULL, -1 when s is not there. */
static int index_of(const char *const *list, const char *s, int dflt)
{
    if (s == NULL)
        return dflt;
    for (int i = 0; i < 4; i++) {
        if (strcmp(list[i], s) == 0)
            return i;
    }
    return -1;
}

const char *fl_issue_priority_of(const char *impact, const char *urgency)
{
    int i = index_of(impacts, impact, 2);
    int u = index_of(urgencies, urgency, 2);

    return i < 0 || u < 0 ? NULL : matrix[i][u];
}
