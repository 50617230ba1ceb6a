#!/usr/bin/env bash
# End to end: bundle requests through the real binaries (src/domain/requests/
# README "Bundles"). A bundle of quantities 2 (an item with approval) and 1
# (one without) -> a parent and 3 children, each with its own REQ number,
# form data and approvals; the parent pending_approval until both approvals,
# completed when every child is completed or cancelled; GET of the parent
# lists its children, a child names its parent; ?parent_id= and
# ?top_level=; a bad child's form data is 422 naming its path and stores
# nothing; two children completed at once complete the parent exactly once;
# cancelling a parent cancels its open children; a rebuild of the read model
# gives the same rows.
set -uo pipefail
FIRELATER=$1
FLCTL=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"

PW='correct horse battery staple'
pg_start
tenants_create acme
server_start --read-wait-ms 2000
login acme admin@acme.test "$PW" && expect 200
TOKEN=$(json .access_token)
NOBODY=00000000-0000-4000-8000-00000000dead
RQ=/api/v1/requests
I=/api/v1/catalog/items
B=/api/v1/catalog/bundles
LAPTOP_FORM=$(jq -c . "$ROOT/bench/forms_laptop.json")
TODAY=$(date -u +%F)

field_named() {
    json '.errors[].field' | grep -qxF -- "$1" || fail "no error on $1: $(cat "$TMP/body")"
}
mkuser() { # mkuser NAME ROLE [GROUP]: prints the id
    req POST /api/v1/users "{\"email\":\"$1@acme.test\",\"name\":\"$1\",\"password\":\"$PW\",\"roles\":[\"$2\"]}" "$TOKEN" && expect 201
    local id
    id=$(json .id)
    if [[ -n ${3:-} ]]; then
        req POST "/api/v1/groups/$3/members" "{\"user_id\":\"$id\"}" "$TOKEN" && expect 200
    fi
    echo "$id"
}
token_of() {
    login acme "$1@acme.test" "$PW" && expect 200
    json .access_token
}
mkitem() { # mkitem NAME APPROVAL_JSON: a published item with the laptop form
    req POST $I "{\"name\":\"$1\",\"form_schema\":$LAPTOP_FORM,$2}" "$TOKEN" && expect 201
    local id
    id=$(json .id)
    req POST "$I/$id/publish" "" "$TOKEN" && expect 200
    echo "$id"
}
form() { # form MODEL [JQ-EDIT]: a valid laptop form's data
    jq -cn --arg u "$RITA" --arg d "$TODAY" --arg m "$1" '{field_1:$m, field_2:"32gb",
      field_3:["slack"], field_4:("x" * 60), field_5:$d, field_6:$u, field_9:true}' | jq -c "${2:-.}"
}
count_requests() {
    req GET "$RQ?per_page=100" "" "$TOKEN" && expect 200
    json .meta.total
}
status_is() { # status_is ID STATUS
    req GET "$RQ/$1" "" "$TOKEN" && expect 200
    [[ $(json .status) == "$2" ]] || fail "expected $2: $(cat "$TMP/body")"
}
act() { # act ID ACTION TOKEN [BODY]
    req POST "$RQ/$1/$2" "${4:-}" "$3" && expect 200
}

step "setup: an approver group, a requester, an item with approval and one without, a bundle"
req POST /api/v1/groups '{"name":"Approvers","type":"team"}' "$TOKEN" && expect 201
G1=$(json .id)
RITA=$(mkuser rita requester)
mkuser ann requester "$G1" >/dev/null
T_RITA=$(token_of rita)
T_ANN=$(token_of ann)
LAPTOP=$(mkitem Laptop "\"approval_required\":true,\"approval_type\":\"sequential\",\"approval_groups\":[\"$G1\"]")
DOCK=$(mkitem Dock '"approval_required":false')
req POST $B "{\"name\":\"Starter\",\"items\":[{\"item_id\":\"$LAPTOP\",\"quantity\":2},{\"item_id\":\"$DOCK\"}]}" "$TOKEN" && expect 201
BUN=$(json .id)
ok

step "a bad child refuses the whole bundle request: 422 naming the path, nothing stored"
BEFORE=$(count_requests)
body() { # body F0 F1 F2: the bundle request with these three form datas
    jq -cn --arg b "$BUN" --arg l "$LAPTOP" --arg d "$DOCK" --argjson f0 "$1" --argjson f1 "$2" --argjson f2 "$3" \
        '{bundle_id:$b, children:[{item_id:$l, form_data:$f0}, {item_id:$l, form_data:$f1}, {item_id:$d, form_data:$f2}]}'
}
req POST $RQ "$(body "$(form Alpha)" "$(form Bravo '.field_1 = 5')" "$(form Charlie '.field_99 = 1')")" "$T_RITA" && expect 422
field_named 'children[1].form_data.field_1' && field_named 'children[2].form_data.field_99'
json '.errors[].field' | grep -q '^children\[0\]' && fail "child 0 was good: $(cat "$TMP/body")"
req POST $RQ "{\"bundle_id\":\"$BUN\",\"children\":[{\"item_id\":\"$LAPTOP\"}]}" "$T_RITA" && expect 422 && field_named children
req POST $RQ "$(jq -cn --arg b "$BUN" --arg l "$LAPTOP" --arg d "$DOCK" --argjson f "$(form Alpha)" \
    '{bundle_id:$b, children:[{item_id:$d, form_data:$f}, {item_id:$l, form_data:$f}, {item_id:$l, form_data:$f}]}')" "$T_RITA"
expect 422 && field_named 'children[0].item_id'
req POST $RQ "{\"bundle_id\":\"$NOBODY\",\"children\":[{\"item_id\":\"$LAPTOP\"}]}" "$T_RITA" && expect 422 && field_named bundle_id
[[ $(count_requests) == "$BEFORE" ]] || fail "a refused bundle request stored something"
ok

step "a bundle of quantities 2 and 1: a parent and 3 children, each with its own form data"
req POST $RQ "$(body "$(form First)" "$(form Second)" "$(form Third)")" "$T_RITA" && expect 201
P=$(json .id)
[[ $(header Location) == "$RQ/$P" ]] || fail "$(cat "$TMP/headers")"
[[ $(json .status) == pending_approval && $(json .bundle_id) == "$BUN" && $(json .catalog_item_id) == null ]] || fail "$(cat "$TMP/body")"
[[ $(json .item_name) == Starter && $(json '.children | length') == 3 && $(json .request_number) == REQ-00001 ]] || fail "$(cat "$TMP/body")"
C0=$(json '.children[0].id')
C1=$(json '.children[1].id')
C2=$(json '.children[2].id')
cp "$TMP/body" "$TMP/p_written"
req GET "$RQ/$P" "" "$T_RITA" && expect 200
# the write side's answer is the read model's, but for the children's numbers (README "Bundles")
diff <(jq -S . "$TMP/p_written") <(jq -S 'del(.children[].request_number)' "$TMP/body") >/dev/null ||
    fail "the read model differs from the write: $(cat "$TMP/p_written")"
[[ $(json '[.children[].request_number] | join(",")') == REQ-00002,REQ-00003,REQ-00004 ]] || fail "$(cat "$TMP/body")"
[[ $(json '[.children[].status] | join(",")') == pending_approval,pending_approval,approved ]] || fail "$(cat "$TMP/body")"
[[ $(json '.children[2].item_name') == Dock && $(json .parent_id) == null ]] || fail "$(cat "$TMP/body")"
req GET "$RQ/$C1" "" "$T_RITA" && expect 200
[[ $(json .parent_id) == "$P" && $(json .form_data.field_1) == Second && $(json .catalog_item_id) == "$LAPTOP" ]] || fail "$(cat "$TMP/body")"
[[ $(json .bundle_id) == "$BUN" && $(json '.children | length') == 0 ]] || fail "$(cat "$TMP/body")"
req GET "$RQ/$C1/approvals" "" "$TOKEN" && expect 200
[[ $(json '.data | length') == 1 && $(json '.data[0].approver_group_id') == "$G1" ]] || fail "$(cat "$TMP/body")"
req GET "$RQ?parent_id=$P" "" "$TOKEN" && expect 200
[[ $(json .meta.total) == 3 ]] || fail "$(cat "$TMP/body")"
req GET "$RQ?top_level=true" "" "$TOKEN" && expect 200
[[ $(json .meta.total) == 1 && $(json '.data[0].id') == "$P" ]] || fail "$(cat "$TMP/body")"
req GET "$RQ?top_level=false" "" "$TOKEN" && expect 200
[[ $(json .meta.total) == 3 ]] || fail "$(cat "$TMP/body")"
req GET "$RQ?top_level=yes" "" "$TOKEN" && expect 422 && field_named top_level
ok

step "the parent follows its children: approvals, fulfilment, completion"
req POST "$RQ/$P/start" "" "$TOKEN" && expect 409 && field_named status
req PUT "$RQ/$P" '{"form_data":{}}' "$T_RITA" && expect 422 && field_named form_data
act "$C0" approve "$T_ANN"
status_is "$P" pending_approval
act "$C1" approve "$T_ANN"
status_is "$P" approved
for c in "$C0" "$C1" "$C2"; do act "$c" start "$TOKEN"; done
status_is "$P" in_progress
act "$C0" complete "$TOKEN" '{"completion_notes":"done"}'
act "$C1" complete "$TOKEN" '{"completion_notes":"done"}'
status_is "$P" in_progress
act "$C2" complete "$TOKEN" '{"completion_notes":"done"}'
req GET "$RQ/$P" "" "$TOKEN" && expect 200
[[ $(json .status) == completed && $(json .completed_at) != null ]] || fail "$(cat "$TMP/body")"
[[ $(json '[.children[].status] | join(",")') == completed,completed,completed ]] || fail "$(cat "$TMP/body")"
cp "$TMP/body" "$TMP/p_read"
req GET "$RQ/$P?as_of=$(date -u +%FT%T.%6NZ)" "" "$TOKEN" && expect 200
diff <(jq -S 'del(.children[].request_number)' "$TMP/p_read") <(jq -S . "$TMP/body") >/dev/null ||
    fail "as_of differs: $(cat "$TMP/body")"
req GET "$RQ/$P/history" "" "$TOKEN" && expect 200
[[ $(json '[.data[].to_status] | join(",")') == new,pending_approval,approved,in_progress,completed ]] || fail "$(cat "$TMP/body")"
act "$C2" reopen "$TOKEN" '{"reason":"the dock is broken"}'
req GET "$RQ/$P" "" "$TOKEN" && expect 200
[[ $(json .status) == in_progress && $(json .completed_at) == null ]] || fail "$(cat "$TMP/body")"
act "$C2" complete "$TOKEN" '{"completion_notes":"replaced"}'
status_is "$P" completed
ok

step "two children completed at once: the parent is completed exactly once"
# Both completions expect the parent's version (README "Bundles"): decided in
# one loop iteration, one of them is 409 "concurrent change" on the parent and
# is retried, as a client would. A lost follow-up leaves the parent
# in_progress; a doubled one records its completion twice.
req POST $B "{\"name\":\"Docks\",\"items\":[{\"item_id\":\"$DOCK\",\"quantity\":2}]}" "$TOKEN" && expect 201
BUN2=$(json .id)
complete_bg() { # complete_bg ID N: POST complete in the background, status in $TMP/bg$N.status
    curl -s -o "$TMP/bg$2.body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        -H "Authorization: Bearer $TOKEN" --data-binary '{"completion_notes":"at once"}' \
        "$BASE$RQ/$1/complete" >"$TMP/bg$2.status"
}
for round in 1 2 3; do
    req POST $RQ "$(jq -cn --arg b "$BUN2" --arg d "$DOCK" --argjson f "$(form Dock$round)" \
        '{bundle_id:$b, children:[{item_id:$d, form_data:$f}, {item_id:$d, form_data:$f}]}')" "$T_RITA"
    expect 201
    R=$(json .id)
    K0=$(json '.children[0].id')
    K1=$(json '.children[1].id')
    act "$K0" start "$TOKEN"
    act "$K1" start "$TOKEN"
    complete_bg "$K0" 0 &
    pid0=$!
    complete_bg "$K1" 1 &
    wait "$pid0" $! # not a bare wait: the server is a background job too
    for n in 0 1; do
        k=$([[ $n == 0 ]] && echo "$K0" || echo "$K1")
        case $(cat "$TMP/bg$n.status") in
        200) ;;
        409) jq -r .detail "$TMP/bg$n.body" | grep -qF "request:$R" || fail "409 not on the parent: $(cat "$TMP/bg$n.body")"
             act "$k" complete "$TOKEN" '{"completion_notes":"retried"}' ;;
        *) fail "child $n: $(cat "$TMP/bg$n.status") $(cat "$TMP/bg$n.body")" ;;
        esac
    done
    req GET "$RQ/$R" "" "$TOKEN" && expect 200
    [[ $(json .status) == completed && $(json '[.children[].status] | join(",")') == completed,completed ]] ||
        fail "round $round: $(cat "$TMP/body")"
    req GET "$RQ/$R/history" "" "$TOKEN" && expect 200
    [[ $(json '[.data[].to_status] | join(",")') == new,approved,in_progress,completed ]] ||
        fail "round $round: the parent's history: $(cat "$TMP/body")"
    "$FLCTL" --data "$DATA" log dump --tenant acme --stream "request:$R" >"$TMP/dump" || fail "log dump"
    [[ $(grep -c '"type":"request.completed"' "$TMP/dump") == 1 ]] ||
        fail "round $round: the parent's request.completed: $(grep -o '"type":"[^"]*"' "$TMP/dump" | tr '\n' ' ')"
done
ok

step "cancelling a parent cancels its open children; a cancelled child leaves the others"
req POST $RQ "$(body "$(form Alpha)" "$(form Bravo)" "$(form Charlie)")" "$T_RITA" && expect 201
Q=$(json .id)
D0=$(json '.children[0].id')
D2=$(json '.children[2].id')
act "$D0" approve "$T_ANN"
act "$D0" start "$TOKEN"
act "$D0" complete "$TOKEN" '{"completion_notes":"done"}'
req DELETE "$RQ/$D2" '{"reason":"not needed"}' "$T_RITA" && expect 200
req GET "$RQ/$Q" "" "$TOKEN" && expect 200
[[ $(json .status) == pending_approval ]] || fail "$(cat "$TMP/body")"
req DELETE "$RQ/$Q" '{"reason":"changed my mind"}' "$T_RITA" && expect 200
[[ $(json .status) == cancelled ]] || fail "$(cat "$TMP/body")"
req GET "$RQ/$Q" "" "$TOKEN" && expect 200
[[ $(json '[.children[].status] | join(",")') == completed,cancelled,cancelled ]] || fail "$(cat "$TMP/body")"
req DELETE "$RQ/$Q" "" "$T_RITA" && expect 409
# a bundle whose children are all cancelled one by one is cancelled
req POST $RQ "$(body "$(form Alpha)" "$(form Bravo)" "$(form Charlie)")" "$T_RITA" && expect 201
X=$(json .id)
for c in $(json '.children[].id'); do req DELETE "$RQ/$c" "" "$T_RITA" && expect 200; done
status_is "$X" cancelled
ok

step "a rebuild from the log gives the same read model"
req GET "$RQ?per_page=100" "" "$TOKEN" && expect 200 && cp "$TMP/body" "$TMP/before"
"$FLCTL" --data "$DATA" projections rebuild --tenant acme --pg "$PG" >/dev/null || fail "rebuild"
req GET "$RQ?per_page=100" "" "$TOKEN" && expect 200
diff <(jq -S . "$TMP/before") <(jq -S . "$TMP/body") >/dev/null || fail "rebuild differs"
ok
