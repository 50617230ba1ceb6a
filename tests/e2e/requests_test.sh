#!/usr/bin/env bash
# End to end: service requests through the real binaries. Submission against
# the spec's example laptop form (422s naming form_data fields: wrong JSON
# types, unknown fields, hidden-by-condition fields dropped, 1 MB strings,
# SQL- and HTML-looking strings stored verbatim), REQ numbers, requester
# visibility, the list's filters and paging, approval chains of three groups
# of each type (sequential, parallel, any), separation of duties, a user
# deciding twice, rejection, delegation (a member's delegate decides in its
# window, never for a party, not after a revoke), fulfilment (assign, reassign, start, complete,
# reopen, cancel) with the 409 of every refused move, updates, history, time
# travel, comments (written, edited and deleted by their author or requests:manage), 404s and 403s, tenant isolation and a rebuild of the read model.
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
mkuser outsider requester >/dev/null
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
req POST $RQ "{\"bundle_id\":\"$NOBODY\",\"children\":[{\"item_id\":\"$NOBODY\"}]}" "$T_RITA" && expect 422 && field_named bundle_id
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

step "list: a requester sees what they asked for or what is for them; filters, paging, 422s"
req GET "$RQ?per_page=100" "" "$TOKEN" && expect 200
[[ $(json .meta.total) == 5 ]] || fail "admin total $(json .meta.total)"
req GET $RQ "" "$T_RITA" && expect 200
[[ $(json .meta.total) == 4 ]] || fail "rita sees $(json .meta.total)"
req GET $RQ "" "$T_PAUL" && expect 200
[[ $(json .meta.total) == 1 && $(json .data[0].id) == "$R3" ]] || fail "paul sees $(cat "$TMP/body")"
req GET "$RQ/$R3" "" "$T_PAUL" && expect 200
req GET "$RQ/$R1" "" "$T_PAUL" && expect 404
req GET "$RQ/REQ-00001" "" "$T_OUT" && expect 404
req GET "$RQ/$R1/approvals" "" "$T_OUT" && expect 404
req GET "$RQ/$NOBODY" "" "$TOKEN" && expect 404
req GET "$RQ?status=approved&priority=low" "" "$TOKEN" && expect 200
[[ $(json .meta.total) == 1 && $(json .data[0].id) == "$R2" ]] || fail "filters $(cat "$TMP/body")"
req GET "$RQ?catalog_item_id=$SEQ&requester_id=$RITA&assigned_group=$FUL" "" "$TOKEN" && expect 200
[[ $(json .meta.total) == 1 ]] || fail "catalog_item_id $(cat "$TMP/body")"
req GET "$RQ?requested_for_id=$PAUL" "" "$TOKEN" && expect 200
[[ $(json .meta.total) == 1 ]] || fail "requested_for_id"
req GET "$RQ?q=req-00002" "" "$TOKEN" && expect 200
[[ $(json .meta.total) == 1 && $(json .data[0].id) == "$R2" ]] || fail "q number"
req GET "$RQ?q=hidden" "" "$TOKEN" && expect 200
[[ $(json .meta.total) == 1 ]] || fail "q item name"
req GET "$RQ?per_page=2&page=2&sort=request_number&order=desc" "" "$TOKEN" && expect 200
[[ $(json '.data | length') == 2 && $(json .data[0].request_number) == REQ-00003 && $(json .meta.total) == 5 ]] || fail "paging $(cat "$TMP/body")"
req GET "$RQ?status=new-ish&priority=x&sort=cost&order=up&page=0&per_page=101&assigned_to=x&wat=1" "" "$TOKEN" && expect 422
for f in status priority sort order page per_page assigned_to wat; do field_named "$f"; done
req GET "$RQ?status=approved&status=approved" "" "$TOKEN" && expect 422 && field_named status
ok

approve() { # approve REQUEST TOKEN [COMMENTS]
    req POST "$RQ/$1/approve" "{\"comments\":\"${3:-fine}\"}" "$2"
}
chain() { # the approvals' statuses, in step order
    req GET "$RQ/$1/approvals" "" "$TOKEN" && expect 200
    json '[.data[].status] | join(",")'
}

step "sequential: steps in order, separation of duties, a user decides once"
approve "$R1" "$T_ANN2" && expect 403 # step 2 is not open yet
approve "$R1" "$T_RITA" && expect 403
json .detail | grep -q "separation of duties" || fail "detail: $(cat "$TMP/body")"
approve "$R1" "$T_OUT" && expect 403
approve "$R1" "$T_MULTI" "first" && expect 200
[[ $(json .status) == pending_approval && $(json .current_approval_step) == 2 ]] || fail "$(cat "$TMP/body")"
approve "$R1" "$T_MULTI" && expect 409 # also in G2, but decided step 1 already
json .detail | grep -q "already decided step 1" || fail "detail: $(cat "$TMP/body")"
approve "$R1" "$T_ANN1" && expect 403 # step 1 is done, G1 has nothing open
approve "$R1" "$T_ANN2" && expect 200
[[ $(chain "$R1") == approved,approved,pending ]] || fail "chain $(cat "$TMP/body")"
[[ $(json .data[0].approver_id) == "$MULTI" && $(json .data[0].comments) == first && $(json .data[0].approver_group_name) == Approvers-1 ]] || fail "$(cat "$TMP/body")"
[[ $(json .data[0].delegated_from) == null && $(json .data[0].decision_at) != null ]] || fail "$(cat "$TMP/body")"
req GET "$RQ/$R1/approvals" "" "$T_ANN3" && expect 200 # an approver sees the chain
approve "$R1" "$T_ANN3" && expect 200
[[ $(json .status) == approved && $(json .approval_status) == approved ]] || fail "$(cat "$TMP/body")"
approve "$R1" "$T_ANN3" && expect 409
[[ $(chain "$R1") == approved,approved,approved ]] || fail "chain"
ok

step "parallel: three groups in any order; the requested_for person may not decide"
submit "$PAR" "$T_ANN1" "$(form "$RITA")" ",\"requested_for_id\":\"$ANN3\"" && expect 201
P1=$(json .id)
approve "$P1" "$T_ANN1" && expect 403
approve "$P1" "$T_ANN3" && expect 403
submit "$PAR" "$T_RITA" && expect 201
P2=$(json .id)
approve "$P2" "$T_ANN3" && expect 200
approve "$P2" "$T_ANN1" && expect 200
[[ $(json .status) == pending_approval ]] || fail "$(cat "$TMP/body")"
[[ $(chain "$P2") == approved,pending,approved ]] || fail "chain"
approve "$P2" "$T_MULTI" && expect 200
[[ $(json .status) == approved ]] || fail "$(cat "$TMP/body")"
[[ $(chain "$P2") == approved,approved,approved && $(json .data[1].approver_id) == "$MULTI" ]] || fail "chain"
ok

step "any: one approval ends the chain, the rest are skipped; rejection ends a request"
submit "$ANY" "$T_RITA" && expect 201
A1=$(json .id)
approve "$A1" "$T_ANN2" && expect 200
[[ $(json .status) == approved ]] || fail "$(cat "$TMP/body")"
[[ $(chain "$A1") == skipped,approved,skipped && $(json .data[1].approver_id) == "$ANN2" ]] || fail "chain $(cat "$TMP/body")"
submit "$SEQ" "$T_RITA" && expect 201
X1=$(json .id)
req POST "$RQ/$X1/reject" '{}' "$T_ANN1" && expect 422 && field_named comments
req POST "$RQ/$X1/reject" '{"comments":"   "}' "$T_ANN1" && expect 422 && field_named comments
req POST "$RQ/$X1/reject" '{"comments":"too pricey","x":1}' "$T_ANN1" && expect 422 && field_named x
req POST "$RQ/$X1/reject" '{"comments":"too pricey"}' "$T_ANN1" && expect 200
[[ $(json .status) == rejected && $(json .approval_status) == rejected ]] || fail "$(cat "$TMP/body")"
[[ $(chain "$X1") == rejected,skipped,skipped && $(json .data[0].approver_id) == "$ANN1" ]] || fail "chain"
[[ $(json .data[0].comments) == "too pricey" ]] || fail "comments $(cat "$TMP/body")"
approve "$X1" "$T_ANN2" && expect 409
json .detail | grep -q "the request is rejected" || fail "detail: $(cat "$TMP/body")"
submit "$PAR" "$T_RITA" && expect 201
X2=$(json .id)
approve "$X2" "$T_ANN1" && expect 200
req POST "$RQ/$X2/reject" '{"comments":"no"}' "$T_ANN3" && expect 200
[[ $(json .status) == rejected ]] || fail "$(cat "$TMP/body")"
[[ $(chain "$X2") == approved,skipped,rejected ]] || fail "chain $(cat "$TMP/body")"
ok

step "fulfilment: assign, reassign, start, complete, reopen, cancel, and the 409s"
req POST "$RQ/$X1/assign" "{\"assigned_to\":\"$BOB\"}" "$T_BOB" && expect 409 # rejected
json .detail | grep -q "rejected" || fail "detail: $(cat "$TMP/body")"
req POST "$RQ/$R2/assign" '{}' "$T_BOB" && expect 422 && field_named assigned_to
req POST "$RQ/$R2/assign" "{\"assigned_to\":\"$RITA\"}" "$T_BOB" && expect 422 && field_named assigned_to # no agent
req POST "$RQ/$R2/assign" "{\"assigned_to\":\"$CARL\",\"assigned_group\":\"$FUL\"}" "$T_BOB" && expect 422 && field_named assigned_to
req POST "$RQ/$R2/assign" "{\"assigned_group\":\"$NOBODY\"}" "$T_BOB" && expect 422 && field_named assigned_group
req POST "$RQ/$R2/assign" "{\"assigned_to\":\"$BOB\"}" "$T_RITA" && expect 403
req POST "$RQ/$R2/reassign" "{\"assigned_to\":\"$BOB\"}" "$T_BOB" && expect 409
req POST "$RQ/$R2/assign" "{\"assigned_to\":\"$BOB\",\"assigned_group\":\"$FUL\"}" "$T_BOB" && expect 200
[[ $(json .assigned_to) == "$BOB" && $(json .assigned_group) == "$FUL" ]] || fail "$(cat "$TMP/body")"
req POST "$RQ/$R2/assign" "{\"assigned_to\":\"$CARL\"}" "$T_BOB" && expect 409
req POST "$RQ/$R2/reassign" "{\"assigned_to\":\"$CARL\",\"assigned_group\":null}" "$T_BOB" && expect 200
[[ $(json .assigned_to) == "$CARL" ]] || fail "$(cat "$TMP/body")"
req POST "$RQ/$R2/complete" '{"completion_notes":"done"}' "$T_BOB" && expect 409 # approved
json .detail | grep -q "the request is approved and cannot become completed" || fail "detail: $(cat "$TMP/body")"
req POST "$RQ/$R2/reopen" '{"reason":"x"}' "$T_BOB" && expect 409
req POST "$RQ/$R2/start" "" "$T_RITA" && expect 403
req POST "$RQ/$R2/start" "" "$T_BOB" && expect 200
[[ $(json .status) == in_progress && $(json .started_at) != null ]] || fail "$(cat "$TMP/body")"
req POST "$RQ/$R2/start" "" "$T_BOB" && expect 409
req POST "$RQ/$R2/complete" '{}' "$T_BOB" && expect 422 && field_named completion_notes
req POST "$RQ/$R2/complete" '{"completion_notes":"delivered to desk 4"}' "$T_BOB" && expect 200
[[ $(json .status) == completed && $(json .completion_notes) == "delivered to desk 4" && $(json .completed_at) != null ]] || fail "$(cat "$TMP/body")"
req POST "$RQ/$R2/complete" '{"completion_notes":"again"}' "$T_BOB" && expect 409
req DELETE "$RQ/$R2" "" "$T_RITA" && expect 409
json .detail | grep -q "the request is completed and cannot become cancelled" || fail "detail: $(cat "$TMP/body")"
req POST "$RQ/$R2/start" "" "$T_BOB" && expect 409
req POST "$RQ/$R2/reopen" '{}' "$T_BOB" && expect 422 && field_named reason
req POST "$RQ/$R2/reopen" '{"reason":"wrong model"}' "$T_BOB" && expect 200
[[ $(json .status) == in_progress && $(json .completed_at) == null ]] || fail "$(cat "$TMP/body")"
req POST "$RQ/$R2/complete" '{"completion_notes":"right model"}' "$T_BOB" && expect 200
req DELETE "$RQ/$R3" "" "$T_PAUL" && expect 403 # it is for paul, but rita asked
req DELETE "$RQ/$R3" "" "$T_OUT" && expect 404
req DELETE "$RQ/$R3" '{"reason":"not needed"}' "$T_RITA" && expect 200
[[ $(json .status) == cancelled && $(json .cancelled_at) != null ]] || fail "$(cat "$TMP/body")"
req DELETE "$RQ/$R3" "" "$T_RITA" && expect 409
req POST "$RQ/$R3/start" "" "$T_BOB" && expect 409
req POST "$RQ/$R3/assign" "{\"assigned_to\":\"$BOB\"}" "$T_BOB" && expect 409
submit "$SEQ" "$T_RITA" && expect 201
C1=$(json .id)
req POST "$RQ/$C1/start" "" "$T_BOB" && expect 409 # pending approval
req DELETE "$RQ/$C1" "" "$T_BOB" && expect 200 # an agent cancels too
[[ $(json .status) == cancelled ]] || fail "$(cat "$TMP/body")"
approve "$C1" "$T_ANN1" && expect 409
req POST "$RQ/$P2/start" "" "$T_BOB" -H 'If-Match: "1"' && expect 412
ok

step "update: priority, due date, form data re-validated; only while open; requester or agent"
req PUT "$RQ/$P2" '{"priority":"critical","due_date":"2030-01-02T03:04:05Z"}' "$T_RITA" && expect 200
[[ $(json .priority) == critical && $(json .due_date) == 2030-01-02T03:04:05.000000Z ]] || fail "$(cat "$TMP/body")"
cp "$TMP/body" "$TMP/p2_written"
req GET "$RQ/$P2" "" "$T_RITA" && expect 200
diff <(jq -S . "$TMP/p2_written") <(jq -S . "$TMP/body") || fail "the read model differs from the write"
req PUT "$RQ/$P2" "{\"form_data\":$(form "$RITA" '.field_10 = 11')}" "$T_RITA" && expect 422 && field_named form_data.field_10
req PUT "$RQ/$P2" "{\"form_data\":$(form "$RITA" '.field_10 = 3')}" "$T_BOB" && expect 200
[[ $(json .form_data.field_10) == 3 ]] || fail "$(cat "$TMP/body")"
req PUT "$RQ/$P2" '{"priority":null,"due_date":"soon","status":"completed"}' "$T_RITA" && expect 422
for f in priority due_date status; do field_named "$f"; done
req PUT "$RQ/$P2" '{}' "$T_RITA" && expect 422
req PUT "$RQ/$P2" '{"priority":"low"}' "$T_OUT" && expect 404
req PUT "$RQ/$R3" '{"priority":"low"}' "$T_RITA" && expect 409
req PUT "$RQ/$R2" '{"priority":"low"}' "$T_BOB" && expect 409
ok

step "form versions: a request keeps its own, a new one takes the current; Idempotency-Key"
req PUT "$I/$FREE" '{"form_schema":{"fields":[{"id":"model","type":"text","label":"Model","required":true}]}}' "$TOKEN" && expect 200
[[ $(json .form_version) == 2 ]] || fail "not republished: $(cat "$TMP/body")"
submit "$FREE" "$T_RITA" && expect 422 && field_named form_data.field_1 # the laptop form is v1 only
submit "$FREE" "$T_RITA" '{"model":"X1"}' && expect 201
[[ $(json .form_version) == 2 && $(json .form_data.model) == X1 ]] || fail "$(cat "$TMP/body")"
req PUT "$RQ/$R4" "{\"form_data\":$(form "$RITA" '.field_10 = 2')}" "$T_RITA" && expect 200 # still v1
[[ $(json .form_version) == 1 && $(json .form_data.field_10) == 2 ]] || fail "$(cat "$TMP/body")"
req PUT "$RQ/$R4" '{"form_data":{"model":"X1"}}' "$T_RITA" && expect 422 && field_named form_data.model
req POST $RQ "{\"catalog_item_id\":\"$FREE\",\"form_data\":{\"model\":\"idem\"}}" "$T_RITA" 'Idempotency-Key: req-1' && expect 201
IDEM=$(json .id)
req POST $RQ "{\"catalog_item_id\":\"$FREE\",\"form_data\":{\"model\":\"idem\"}}" "$T_RITA" 'Idempotency-Key: req-1'
if [[ $STATUS != 20[01] || $(json .id) != "$IDEM" ]]; then
    fail "a retry made another request: $STATUS $(cat "$TMP/body")"
fi
GONE=$(mkuser gone requester)
req DELETE "/api/v1/users/$GONE" "" "$TOKEN"
[[ $STATUS == 200 || $STATUS == 204 ]] || fail "deactivate $STATUS"
submit "$FREE" "$T_RITA" '{"model":"X1"}' ",\"requested_for_id\":\"$GONE\"" && expect 422 && field_named requested_for_id
ok

step "history and time travel"
req GET "$RQ/$R2/history" "" "$T_RITA" && expect 200
[[ $(json '[.data[].to_status] | join(",")') == new,approved,in_progress,completed,in_progress,completed ]] || fail "history $(cat "$TMP/body")"
[[ $(json .data[4].reason) == "wrong model" && $(json .data[1].from_status) == new ]] || fail "$(cat "$TMP/body")"
req GET "$RQ/$R1/history" "" "$TOKEN" && expect 200
[[ $(json '[.data[].to_status] | join(",")') == new,pending_approval,approved ]] || fail "history $(cat "$TMP/body")"
req GET "$RQ/$R1?as_of=2000-01-01T00:00:00Z" "" "$TOKEN" && expect 404
req GET "$RQ/$R2?as_of=$(date -u -d '+1 hour' +%FT%TZ)" "" "$T_RITA" && expect 200
[[ $(json .status) == completed ]] || fail "as_of $(cat "$TMP/body")"
ok

step "comments: internal ones hidden from requesters; 422s, 403, 404"
req POST "$RQ/$R2/comments" '{"body":"when will it ship?"}' "$T_RITA" && expect 201
RC1=$(json .id)
[[ $(header Location) == "$RQ/$R2/comments/$RC1" && $(json .user_id) == "$RITA" && $(json .is_internal) == false ]] || fail "$(cat "$TMP/body")"
req POST "$RQ/$R2/comments" '{"body":"vendor is late","is_internal":true}' "$T_BOB" && expect 201
RC2=$(json .id)
[[ $(json .is_internal) == true && $(json .body) == "vendor is late" ]] || fail "$(cat "$TMP/body")"
req POST "$RQ/$R2/comments" '{"body":"secret","is_internal":true}' "$T_RITA" && expect 403 && field_named is_internal
req POST "$RQ/$R2/comments" '{"body":"","is_internal":"yes","x":1}' "$T_BOB" && expect 422
for f in body is_internal x; do field_named "$f"; done
req POST "$RQ/$R2/comments" '{"body":"<b>hi</b> '"'"'; DROP TABLE request_comments; --"}' "$T_BOB" && expect 201
req POST "$RQ/$R2/comments" '{"body":"hello"}' "$T_OUT" && expect 404
req GET "$RQ/$R2/comments" "" "$T_BOB" && expect 200
[[ $(json .meta.total) == 3 && $(json .data[2].body) == "<b>hi</b> '; DROP TABLE request_comments; --" ]] || fail "$(cat "$TMP/body")"
req GET "$RQ/$R2/comments?order=desc&per_page=1" "" "$T_RITA" && expect 200
[[ $(json .meta.total) == 2 && $(json .data[0].is_internal) == false && $(json '.data | length') == 1 ]] || fail "requester sees $(cat "$TMP/body")"
req GET "$RQ/$R2/comments?page=0&wat=1" "" "$T_RITA" && expect 422 && field_named page && field_named wat
req GET "$RQ/$R2/comments" "" "$T_OUT" && expect 404
ok

step "comments edited and deleted: the author or requests:manage; 403, 404, 422; history keeps them"
T_CARL=$(token_of carl)
req PUT "$RQ/$R2/comments/$RC1" '{"body":"when will it ship, please?"}' "$T_RITA" && expect 200
[[ $(json .id) == "$RC1" && $(json .body) == "when will it ship, please?" && $(json .is_internal) == false &&
    $(json .user_id) == "$RITA" && $(json .edited_at) =~ ^20 ]] || fail "edit $(cat "$TMP/body")"
req PUT "$RQ/$R2/comments/$RC1" '{"body":"mine now"}' "$T_BOB" && expect 403 # an agent, not the author
req DELETE "$RQ/$R2/comments/$RC1" "" "$T_BOB" && expect 403
req PUT "$RQ/$R2/comments/$RC1" '{"body":"x"}' "$T_OUT" && expect 404 # cannot see the request
req PUT "$RQ/$R2/comments/$RC1" '{"body":"","is_internal":"yes","x":1}' "$T_RITA" && expect 422
for f in body is_internal x; do field_named "$f"; done
req PUT "$RQ/$R2/comments/$RC1" '{"is_internal":false}' "$T_RITA" && expect 422 && field_named body
req PUT "$RQ/$R2/comments/$RC1" '{"body":"psst","is_internal":true}' "$T_RITA" && expect 403 && field_named is_internal
req GET "$RQ/$R2/comments" "" "$T_RITA" && expect 200 # nothing of the refused edits changed it
[[ $(json ".data[] | select(.id == \"$RC1\") | .body") == "when will it ship, please?" &&
    $(json ".data[] | select(.id == \"$RC1\") | .is_internal") == false ]] || fail "after 422 $(cat "$TMP/body")"
req PUT "$RQ/$R2/comments/$RC2" '{"body":"x"}' "$T_RITA" && expect 404 # internal: not there for her
req PUT "$RQ/$R2/comments/$RC2" '{"body":"vendor is very late"}' "$T_CARL" && expect 403
req PUT "$RQ/$R2/comments/$RC2" '{"body":"vendor is very late"}' "$TOKEN" && expect 200 # requests:manage
[[ $(json .body) == "vendor is very late" && $(json .is_internal) == true && $(json .user_id) == "$BOB" ]] || fail "$(cat "$TMP/body")"
req DELETE "$RQ/$R2/comments/$RC1" "" "$T_RITA" && expect 204
req GET "$RQ/$R2/comments" "" "$T_RITA" && expect 200
[[ $(json .meta.total) == 1 && $(json "[.data[].id] | index(\"$RC1\")") == null ]] || fail "deleted listed $(cat "$TMP/body")"
req GET "$RQ/$R2/comments" "" "$T_BOB" && expect 200
[[ $(json .meta.total) == 2 && $(json "[.data[].id] | index(\"$RC1\")") == null ]] || fail "deleted listed $(cat "$TMP/body")"
req PUT "$RQ/$R2/comments/$RC1" '{"body":"again"}' "$T_RITA" && expect 404 # edit after delete
req PUT "$RQ/$R2/comments/$RC1" '{"body":"again"}' "$TOKEN" && expect 404
req DELETE "$RQ/$R2/comments/$RC1" "" "$T_RITA" && expect 404
req DELETE "$RQ/$R2/comments/$NOBODY" "" "$TOKEN" && expect 404
req DELETE "$RQ/$R2/comments/not-a-uuid" "" "$TOKEN" && expect 404
req GET "$RQ/$R2/history" "" "$TOKEN" && expect 200
[[ $(json "[.data[] | select(.event != null and (.event | startswith(\"request.comment_\"))) | .event] | join(\",\")") == \
    request.comment_edited,request.comment_edited,request.comment_deleted ]] || fail "history $(cat "$TMP/body")"
[[ $(json "[.data[] | select(.event == \"request.comment_deleted\")][0].details.comment_id") == "$RC1" &&
    $(json "[.data[] | select(.event == \"request.comment_deleted\")][0].changed_by") == "$RITA" &&
    $(json "[.data[] | select(.event == \"request.comment_deleted\")][0].to_status") == completed ]] || fail "history $(cat "$TMP/body")"
ok

step "attachments: a form's file field names an upload; link one to a request"
printf '%%PDF-1.4 quote' >"$TMP/quote.pdf"
STATUS=$(curl -s -o "$TMP/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $T_RITA" -H 'Content-Type: application/pdf' --data-binary @"$TMP/quote.pdf" "$BASE/api/v1/attachments?filename=quote.pdf")
expect 201
ATT=$(json .id)
submit "$ANY" "$T_RITA" "$(form "$RITA" ".field_8 = [\"$ATT\"]")" && expect 201
[[ $(json .form_data.field_8[0]) == "$ATT" ]] || fail "$(cat "$TMP/body")"
submit "$ANY" "$T_RITA" "$(form "$RITA" ".field_8 = [\"$NOBODY\"]")" && expect 422 && field_named "form_data.field_8[0]"
req POST "/api/v1/attachments/$ATT/link" "{\"entity_type\":\"request\",\"entity_id\":\"$R2\"}" "$T_RITA" && expect 200
[[ $(json .entity_type) == request && $(json .entity_id) == "$R2" ]] || fail "$(cat "$TMP/body")"
req GET "/api/v1/attachments/$ATT" "" "$T_BOB" && expect 200 # an agent reads it through the request
req POST "/api/v1/attachments/$ATT/link" "{\"entity_type\":\"request\",\"entity_id\":\"$R2\"}" "$T_RITA" && expect 409
req POST "/api/v1/attachments/$ATT/link" "{\"entity_type\":\"request\",\"entity_id\":\"$NOBODY\"}" "$T_RITA" &&
    expect 422 && field_named entity_id
req POST "/api/v1/attachments/$ATT/link" "{\"entity_type\":\"request\",\"entity_id\":\"$R1\"}" "$T_PAUL" &&
    expect 404 # not paul's attachment
ok

step "delegation: a member's delegate decides in the window, never for a party, not after a revoke"
G4=$(mkgroup Approvers-4)
G5=$(mkgroup Approvers-5)
ANN4=$(mkuser ann4 requester "$G4")
DELE=$(mkuser dele requester)
req POST "/api/v1/groups/$G5/members" "{\"user_id\":\"$RITA\"}" "$TOKEN" && expect 200
T_ANN4=$(token_of ann4)
T_DELE=$(token_of dele)
D_ANY=$(mkitem Laptop-deleg "\"approval_required\":true,\"approval_type\":\"any\",\"approval_groups\":[\"$G4\"]")
D_SOD=$(mkitem Laptop-sod "\"approval_required\":true,\"approval_type\":\"any\",\"approval_groups\":[\"$G5\"]")
UNTIL=$(date -u -d '+1 day' +%FT%TZ)
submit "$D_ANY" "$T_PAUL" "$(form "$PAUL")" && expect 201
RD=$(json .id)
approve "$RD" "$T_DELE" && expect 403 # not a member, no delegation yet
req POST "/api/v1/users/$ANN4/delegations" "{\"delegate_id\":\"$DELE\",\"ends_at\":\"$UNTIL\",\"reason\":\"leave\"}" "$T_ANN4" && expect 201
DID=$(json .id)
approve "$RD" "$T_DELE" "for ann4" && expect 200
[[ $(json .status) == approved ]] || fail "$(cat "$TMP/body")"
req GET "$RQ/$RD/approvals" "" "$TOKEN" && expect 200
[[ $(json .data[0].approver_id) == "$DELE" && $(json .data[0].delegated_from) == "$ANN4" ]] || fail "$(cat "$TMP/body")"
# rita is G5's only member: her delegate cannot approve her own request for her.
req POST "/api/v1/users/$RITA/delegations" "{\"delegate_id\":\"$DELE\",\"ends_at\":\"$UNTIL\"}" "$T_RITA" && expect 201
submit "$D_SOD" "$T_RITA" && expect 201
RS=$(json .id)
approve "$RS" "$T_DELE" && expect 403
[[ $(chain "$RS") == pending ]] || fail "chain $(cat "$TMP/body")"
req DELETE "/api/v1/users/$ANN4/delegations/$DID" "" "$T_ANN4" && expect 200
submit "$D_ANY" "$T_PAUL" "$(form "$PAUL")" && expect 201
RD2=$(json .id)
approve "$RD2" "$T_DELE" && expect 403 # revoked
approve "$RD2" "$T_ANN4" && expect 200
[[ $(json .status) == approved ]] || fail "$(cat "$TMP/body")"
ok

step "tenant isolation; a rebuild from the log gives the same read model"
req GET $RQ "" "$G_TOKEN" && expect 200
[[ $(json .meta.total) == 0 ]] || fail "globex sees acme's requests"
req GET "$RQ/$R1" "" "$G_TOKEN" && expect 404
for r in "$R1" "$P2" "$X2" "$R2"; do
    req GET "$RQ/$r/approvals" "" "$TOKEN" && expect 200 && cat "$TMP/body" >>"$TMP/before"
    req GET "$RQ/$r/history" "" "$TOKEN" && expect 200 && cat "$TMP/body" >>"$TMP/before"
    req GET "$RQ/$r/comments" "" "$TOKEN" && expect 200 && cat "$TMP/body" >>"$TMP/before"
done
req GET "$RQ?per_page=100" "" "$TOKEN" && expect 200 && cat "$TMP/body" >>"$TMP/before"
"$FLCTL" --data "$DATA" projections rebuild --tenant acme --pg "$PG" >/dev/null || fail "rebuild"
for r in "$R1" "$P2" "$X2" "$R2"; do
    req GET "$RQ/$r/approvals" "" "$TOKEN" && expect 200 && cat "$TMP/body" >>"$TMP/after"
    req GET "$RQ/$r/history" "" "$TOKEN" && expect 200 && cat "$TMP/body" >>"$TMP/after"
    req GET "$RQ/$r/comments" "" "$TOKEN" && expect 200 && cat "$TMP/body" >>"$TMP/after"
done
req GET "$RQ?per_page=100" "" "$TOKEN" && expect 200 && cat "$TMP/body" >>"$TMP/after"
diff <(jq -S . "$TMP/before") <(jq -S . "$TMP/after") >/dev/null || fail "rebuild differs"
ok
