/*
 * The fold every claim stream shares (firelater/claim.h).
 */
#include <stdio.h>
#include <string.h>

#include "firelater/claim.h"
#include "firelater/codec.h"

int fl_claim_fold(const fl_claim_kind_t *k, const fl_event_t *ev, bool *claimed, uint64_t *version,
                  char holder[FL_UUID_LEN + 1])
{
    json_t *data = NULL;
    int rc;

    if (ev->data_len > 0 && (rc = fl_codec_to_json(ev->data, ev->data_len, &data)) < 0)
        return rc;
    if (strcmp(ev->type, k->claimed) == 0) {
        const char *s = json_string_value(json_object_get(data, k->key));

        *claimed = true;
        snprintf(holder, FL_UUID_LEN + 1, "%s", s != NULL ? s : "");
    } else if (strcmp(ev->type, k->released) == 0) {
        *claimed = false;
        holder[0] = '\0';
    }
    json_decref(data);
    *version = ev->sv;
    return 0;
}
