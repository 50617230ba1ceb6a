#!/usr/bin/env bash
# End to end: service requests through the real binaries. Submission against
# the spec's example laptop form (422s naming form_data fields: wrong JSON
# types, unknown fields, hidden-by-condition fields dropped, 1 MB strings,
# SQL- and HTML-looking strings stored verbatim), REQ numbers, requester
# visibility, the list's filters and paging, approval chains of three groups
# of each type (sequential, parallel, any), separation of duties, a user
# deciding twice, rejection, fulfilment (assign, reassign, start, complete,
# reopen, cancel) with the 409 of every refused move, updates, history, time
# travel, 404s and 403s, tenant isolation and a rebuild of the read model.
set -uo pipefail
FIRELATER=$1
FLCTL=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"

PW='correct horse battery staple'
pg_start
tenants_create acme globex
server_start --read-wait-ms 2000
login acme admin@acme.test "$PW" && expect 200
TOKEN=$(json .access_token)
login globex admin@globex.test "$PW" && expect 200
G_TOKEN=$(json .access_token)
NOBODY=00000000-0000-4000-8000-00000000dead
RQ=/api/v1/requests
I=/api/v1/catalog/items
LAPTOP_FORM=$(jq -c . "$ROOT/bench/forms_laptop.json")
TODAY=$(date -u +%F)

field_named() {
    json '.errors[].field' | grep -qxF -- "$1" || fail "no error on $1: $(cat "$TMP/body")"
}
mkgroup() { # mkgroup NAME: prints the id
    req POST /api/v1/groups "{\"name\":\"$1\",\"type\":\"team\"}" "$TOKEN" && expect 201
    json .id
}
mkuser() { # mkuser NAME ROLE [GROUP...]: prints the id; $TOK_<NAME> holds a token afterwards
    local name=$1 role=$2 id g
    shift 2
    req POST /api/v1/users "{\"email\":\"$name@acme.test\",\"name\":\"$name\",\"password\":\"$PW\",\"roles\":[\"$role\"]}" "$TOKEN" && expect 201
    id=$(json .id)
    for g in "$@"; do
        req POST "/api/v1/groups/$g/members" "{\"user_id\":\"$id\"}" "$TOKEN" && expect 200
    done
    echo "$id"
}
token_of() {
    login acme "$1@acme.test" "$PW" && expect 200
    json .access_token
}
mkitem() { # mkitem NAME APPROVAL_JSON [EXTRA]: a published item with the laptop form
    req POST $I "{\"name\":\"$1\",\"form_schema\":$LAPTOP_FORM,\"fulfillment_group_id\":\"$FUL\",$2${3:-}}" "$TOKEN" && expect 201
    local id
    id=$(json .id)
    req POST "$I/$id/publish" "" "$TOKEN" && expect 200
    echo "$id"
}
# form DELIVER_TO [JQ-EDIT]: a valid laptop form's data, edited
form() {
    jq -cn --arg u "$1" --arg d "$TODAY" '{field_1:"MacBook Pro 14", field_2:"32gb",
      field_3:["slack"], field_4:("x" * 60), field_5:$d, field_6:$u, field_9:true}' |
        jq -c "${2:-.}"
}
submit() { # submit ITEM TOKEN [FORM] [EXTRA]: sets STATUS
    req POST $RQ "{\"catalog_item_id\":\"$1\",\"form_data\":${3:-$(form "$RITA")}${4:-}}" "$2"
}

step "setup: three approver groups, a fulfilment team, requesters, an agent, items"
G1=$(mkgroup Approvers-1)
G2=$(mkgroup Approvers-2)
G3=$(mkgroup Approvers-3)
FUL=$(mkgroup Fulfilment)
SECRET=$(mkgroup Secret)
RITA=$(mkuser rita requester)
PAUL=$(mkuser paul requester)
ANN1=$(mkuser ann1 requester "$G1")
ANN2=$(mkuser ann2 requester "$G2")
ANN3=$(mkuser ann3 requester "$G3")
MULTI=$(mkuser multi requester "$G1" "$G2" "$G3")
BOB=$(mkuser bob agent "$FUL")
CARL=$(mkuser carl agent)
OUT=$(mkuser outsider requester)
T_RITA=$(token_of rita)
T_PAUL=$(token_of paul)
T_ANN1=$(token_of ann1)
T_ANN2=$(token_of ann2)
T_ANN3=$(token_of ann3)
T_MULTI=$(token_of multi)
T_BOB=$(token_of bob)
T_OUT=$(token_of outsider)
CHAIN="\"approval_groups\":[\"$G1\",\"$G2\",\"$G3\"]"
SEQ=$(mkitem Laptop-seq "\"approval_required\":true,\"approval_type\":\"sequential\",$CHAIN" ',"default_priority":"high"')
PAR=$(mkitem Laptop-par "\"approval_required\":true,\"approval_type\":\"parallel\",$CHAIN")
ANY=$(mkitem Laptop-any "\"approval_required\":true,\"approval_type\":\"any\",$CHAIN")
FREE=$(mkitem Laptop-free '"approval_required":false')
HIDDEN=$(mkitem Laptop-hidden '"approval_required":false' ",\"visible_to_groups\":[\"$SECRET\"]")
req POST $I "{\"name\":\"Draft\",\"form_schema\":$LAPTOP_FORM}" "$TOKEN" && expect 201
DRAFT=$(json .id)
ok

step "submit: REQ number, Location, ETag, status, the item's copies, normalised form data"
submit "$SEQ" "$T_RITA" && expect 201
R1=$(json .id)
[[ $(header Location) == "$RQ/$R1" && $(header ETag) == '"2"' ]] || fail "$(cat "$TMP/headers")"
[[ $(json .request_number) == REQ-00001 && $(json .status) == pending_approval ]] || fail "$(cat "$TMP/body")"
[[ $(json .item_name) == Laptop-seq && $(json .assigned_group) == "$FUL" && $(json .priority) == high ]] || fail "$(cat "$TMP/body")"
[[ $(json .form_version) == 1 && $(json .requester_id) == "$RITA" && $(json .requested_for_id) == "$RITA" ]] || fail "$(cat "$TMP/body")"
[[ $(json .approval_type) == sequential && $(json '.approval_groups | join(",")') == "$G1,$G2,$G3" ]] || fail "$(cat "$TMP/body")"
[[ $(json .form_data.field_10) == 1 && $(json .form_data.field_2) == 32gb && $(json .approval_status) == pending ]] || fail "defaults: $(cat "$TMP/body")"
cp "$TMP/body" "$TMP/r1_written"
req GET "$RQ/$R1" "" "$T_RITA" && expect 200
diff <(jq -S . "$TMP/r1_written") <(jq -S . "$TMP/body") || fail "the read model differs from the write"
req GET "$RQ/REQ-00001" "" "$TOKEN" && expect 200
[[ $(json .id) == "$R1" ]] || fail "by number"
submit "$FREE" "$T_RITA" "$(form "$RITA")" ',"priority":"low"' && expect 201
R2=$(json .id)
[[ $(json .request_number) == REQ-00002 && $(json .status) == approved && $(json .priority) == low ]] || fail "$(cat "$TMP/body")"
[[ $(json .approval_type) == null && $(json .approval_status) == null ]] || fail "$(cat "$TMP/body")"
submit "$FREE" "$T_RITA" "$(form "$RITA")" ",\"requested_for_id\":\"$PAUL\"" && expect 201
R3=$(json .id)
[[ $(json .requested_for_id) == "$PAUL" && $(json .priority) == medium ]] || fail "$(cat "$TMP/body")"
ok

step "submit: 422s naming form_data fields, and the body's own fields"
submit "$SEQ" "$T_RITA" "$(form "$RITA" '.field_1 = 5 | .field_10 = "x" | .field_9 = "yes" | .field_3 = "slack"')" && expect 422
for f in form_data.field_1 form_data.field_10 form_data.field_9 form_data.field_3; do field_named "$f"; done
submit "$SEQ" "$T_RITA" "$(form "$RITA" '.field_99 = 1 | del(.field_4)')" && expect 422
field_named form_data.field_99 && field_named form_data.field_4
submit "$SEQ" "$T_RITA" "$(form "$NOBODY" '.field_5 = "1999-01-01"')" && expect 422
field_named form_data.field_6 && field_named form_data.field_5
head -c 1000000 /dev/zero | tr '\0' a >"$TMP/big.txt"
form "$RITA" | jq -c --rawfile b "$TMP/big.txt" --arg i "$SEQ" '{catalog_item_id: $i, form_data: (. + {field_4: $b})}' >"$TMP/big.json"
STATUS=$(curl -s -o "$TMP/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $T_RITA" --data-binary @"$TMP/big.json" "$BASE$RQ")
expect 422 && field_named form_data.field_4
submit "$SEQ" "$T_RITA" "$(form "$RITA" ".field_1 = \"$(head -c 5000 /dev/zero | tr '\0' 'b')\"")" && expect 422
field_named form_data.field_1
submit "$SEQ" "$T_RITA" "\"not an object\"" && expect 422 && field_named form_data
req POST $RQ "{\"bundle_id\":\"$NOBODY\"}" "$T_RITA" && expect 422 && field_named bundle_id
req POST $RQ '{"catalog_item_id":"x","priority":"urgent","requested_for_id":7,"wat":1}' "$T_RITA" && expect 422
for f in catalog_item_id priority requested_for_id wat; do field_named "$f"; done
req POST $RQ '{}' "$T_RITA" && expect 422 && field_named catalog_item_id
req POST $RQ '{"catalog_item_id":' "$T_RITA" && expect 400
submit "$NOBODY" "$T_RITA" && expect 422 && field_named catalog_item_id
submit "$DRAFT" "$T_RITA" && expect 422 && field_named catalog_item_id
submit "$HIDDEN" "$T_RITA" && expect 422 && field_named catalog_item_id
submit "$FREE" "$T_RITA" "$(form "$RITA")" ",\"requested_for_id\":\"$NOBODY\"" && expect 422 && field_named requested_for_id
submit "$HIDDEN" "$TOKEN" "$(form "$RITA")" && expect 201 # a catalog manager sees every item
ok

step "submit: a hidden-by-condition field is dropped; SQL and HTML stored verbatim"
export EVIL="<script>alert('x')</script> ' OR 1=1; DROP TABLE service_requests; --"
submit "$FREE" "$T_RITA" "$(form "$RITA" '.field_2 = "16gb" | .field_1 = env.EVIL')" && expect 201
R4=$(json .id)
[[ $(json '.form_data | has("field_3")') == false ]] || fail "field_3 kept: $(cat "$TMP/body")"
req GET "$RQ/$R4" "" "$T_RITA" && expect 200
[[ $(json .form_data.field_1) == "$EVIL" ]] || fail "not verbatim: $(json .form_data.field_1)"
ok
