#!/usr/bin/env bash
# End to end: SLA clocks of service requests through the real binaries. Two
# round-the-clock request policies are made through the API: VIP (named by an
# item; response for critical requests: 1 minute, warning at 50 %) and a
# default with the same target. A request for the VIP item gets VIP, its due
# date stamped at submission; one waiting for approval is paused (no due
# date) until approved, then counts from the approval; one assigned at once
# has responded (responded_at) and never warns. The running server records
# request.sla_warning at its instant; killed before the breaches and started
# after them, it records both at start-up with the instants they were
# crossed; the read model's sla_breached and sla_breach_type (the clock: response)
# and the request's history show them,
# and nothing is recorded twice across a restart. Times are judged on the
# log's instants, never on this script's sleeps.
set -uo pipefail
FIRELATER=$1
FLCTL=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"

PW='correct horse battery staple'
pg_start
tenants_create acme
server_start
login acme admin@acme.test "$PW" && expect 200
TOKEN=$(json .access_token)
ADMIN=$(json .user.id)
RQ=/api/v1/requests
I=/api/v1/catalog/items
FORM='{"version":"1.0","fields":[{"id":"field_1","type":"text","label":"What","required":true}]}'

# events REQUEST TYPE: the events of that type on the request's stream, one JSON a line.
events() {
    "$FLCTL" --data "$DATA" log dump --tenant acme --stream "request:$1" | jq -c "select(.type == \"$2\")"
}
# µs since the epoch of an RFC 3339 instant (whole seconds and µs).
us() {
    local s=${1%.*} frac=${1#*.}
    frac=${frac%Z}
    echo $(($(date -ud "$s" +%s) * 1000000 + 10#${frac:-0}))
}
ts_us() { # ts_us REQUEST TYPE: the log's ts of its first event of that type
    us "$(events "$1" "$2" | head -1 | jq -r .ts)"
}
wait_for() { # wait_for REQUEST TYPE SECONDS: until the event is in the log (or the time is up)
    for _ in $(seq 1 "$3"); do
        [[ -n $(events "$1" "$2") ]] && return 0
        sleep 1
    done
}
policy() { # policy NAME IS_DEFAULT: a round-the-clock request policy; prints its id
    req POST /api/v1/sla/policies "{\"name\":\"$1\",\"entity_type\":\"request\",\"is_default\":$2,\"business_hours_id\":null,\"targets\":[{\"metric_type\":\"response_time\",\"priority\":\"critical\",\"target_minutes\":1,\"warning_percent\":50,\"business_hours_only\":false}]}" "$TOKEN" && expect 201
    json .id
}
item() { # item NAME EXTRA: a published item; prints its id
    req POST $I "{\"name\":\"$1\",\"form_schema\":$FORM,$2}" "$TOKEN" && expect 201
    local id
    id=$(json .id)
    req POST "$I/$id/publish" "" "$TOKEN" && expect 200
    echo "$id"
}
submit() { # submit ITEM: a critical request; prints its id
    req POST $RQ "{\"catalog_item_id\":\"$1\",\"priority\":\"critical\",\"form_data\":{\"field_1\":\"x\"}}" "$TOKEN" && expect 201
    json .id
}

step "set-up: policies, an approver, items; three requests"
VIP=$(policy VIP false)
DEF=$(policy Default true)
req POST /api/v1/groups '{"name":"Approvers","type":"team"}' "$TOKEN" && expect 201
G=$(json .id)
req POST /api/v1/users "{\"email\":\"ann@acme.test\",\"name\":\"ann\",\"password\":\"$PW\",\"roles\":[\"requester\"]}" "$TOKEN" && expect 201
ANN=$(json .id)
req POST "/api/v1/groups/$G/members" "{\"user_id\":\"$ANN\"}" "$TOKEN" && expect 200
login acme ann@acme.test "$PW" && expect 200
T_ANN=$(json .access_token)
FAST=$(item Fast "\"approval_required\":false,\"sla_policy_id\":\"$VIP\"")
SLOW=$(item Slow "\"approval_required\":true,\"approval_type\":\"sequential\",\"approval_groups\":[\"$G\"]")
PLAIN=$(item Plain '"approval_required":false')
A=$(submit "$FAST")
[[ $(json .sla_policy_id) == "$VIP" && $(json .responded_at) == null && $(json .sla_breached) == false ]] ||
    fail "A: $(cat "$TMP/body")"
A_DUE=$(json .response_due_at)
B=$(submit "$SLOW")
[[ $(json .status) == pending_approval && $(json .sla_policy_id) == "$DEF" && $(json .response_due_at) == null ]] ||
    fail "B is not paused: $(cat "$TMP/body")"
C=$(submit "$PLAIN")
req POST "$RQ/$C/assign" "{\"assigned_to\":\"$ADMIN\"}" "$TOKEN" && expect 200
[[ $(json .responded_at) != null && $(json .response_due_at) != null ]] || fail "C: $(cat "$TMP/body")"
# the due date was stamped when A was decided: its log instant + 60 s but for the commit's ms
late=$(($(ts_us "$A" request.created) + 60000000 - $(us "$A_DUE")))
((late >= 0 && late < 500000)) || fail "A's response_due_at $A_DUE is $late µs before its target"
ok

step "a request waiting for approval is paused: its clock runs from the approval"
sleep 5
req POST "$RQ/$B/approve" '{"comments":"fine"}' "$T_ANN" && expect 200
[[ $(json .status) == approved && $(json .response_due_at) != null ]] || fail "B: $(cat "$TMP/body")"
B_DUE=$(json .response_due_at)
req GET "$RQ/$B" "" "$TOKEN" && expect 200
[[ $(json .response_due_at) == "$B_DUE" ]] || fail "the read model's B: $(cat "$TMP/body")"
req GET "$RQ?catalog_item_id=$FAST" "" "$TOKEN" && expect 200
[[ $(json .data[0].sla_policy_id) == "$VIP" && $(json .data[0].response_due_at) == "$A_DUE" ]] ||
    fail "the list: $(cat "$TMP/body")"
ok

step "the warnings are recorded at their instants: 30 s running, B's from its approval"
wait_for "$A" request.sla_warning 45
w=$(events "$A" request.sla_warning)
[[ $(wc -l <<<"$w") == 1 && -n $w && $(jq -r .data.metric <<<"$w") == response ]] || fail "A's warnings: $w"
[[ $(jq -r .data.policy_id <<<"$w") == "$VIP" && $(jq -r .actor <<<"$w") == system ]] || fail "A's warning: $w"
crossed=$(us "$(jq -r .data.crossed_at <<<"$w")")
((crossed == $(ts_us "$A" request.created) + 30000000)) || fail "A's crossed_at $(jq -r .data.crossed_at <<<"$w")"
lag=$(($(us "$(jq -r .ts <<<"$w")") - crossed))
((lag >= 0 && lag < 1000000)) || fail "A's warning recorded $lag µs after the crossing"
wait_for "$B" request.sla_warning 45
w=$(events "$B" request.sla_warning)
[[ $(wc -l <<<"$w") == 1 && -n $w ]] || fail "B's warnings: $w"
# 30 s of running time: from the creation to the submission (the same decision) and from
# the approval on
ran=$(($(ts_us "$B" request.submitted) - $(ts_us "$B" request.created)))
want=$(($(ts_us "$B" request.approved) + 30000000 - ran))
[[ $(us "$(jq -r .data.crossed_at <<<"$w")") == "$want" ]] || fail "B's crossed_at $(jq -r .data.crossed_at <<<"$w")"
(($(us "$(jq -r .ts <<<"$w")") >= want)) || fail "B warned before its instant: $w"
[[ -z $(events "$C" request.sla_warning) ]] || fail "C responded and was warned"
ok

step "killed before the breaches, started after them: recorded at start-up with their instants"
server_kill KILL
[[ -z $(events "$A" request.sla_breached) && -z $(events "$B" request.sla_breached) ]] || fail "breached too early"
sleep $((64 - ($(date +%s) - $(ts_us "$B" request.approved) / 1000000)))
server_start
wait_for "$B" request.sla_breached 10
b=$(events "$A" request.sla_breached)
[[ $(wc -l <<<"$b") == 1 && -n $b && $(jq -r .data.target_minutes <<<"$b") == 1 ]] || fail "A's breaches: $b"
[[ $(us "$(jq -r .data.crossed_at <<<"$b")") == $(($(ts_us "$A" request.created) + 60000000)) ]] ||
    fail "A's breach crossed_at $(jq -r .data.crossed_at <<<"$b")"
b=$(events "$B" request.sla_breached)
[[ $(us "$(jq -r .data.crossed_at <<<"$b")") == $((want + 30000000)) ]] ||
    fail "B's breach crossed_at $(jq -r .data.crossed_at <<<"$b")"
[[ -z $(events "$C" request.sla_breached) ]] || fail "C breached"
ok

step "the read model and the history show them"
for _ in $(seq 1 20); do
    req GET "$RQ/$A" "" "$TOKEN" && expect 200
    [[ $(json .sla_breached) == true ]] && break
    sleep 0.25
done
[[ $(json .sla_breached) == true && $(json .response_due_at) == "$A_DUE" && $(json .sla_breach_type) == response ]] ||
    fail "A: $(cat "$TMP/body")"
req GET "$RQ/$A?as_of=$(date -u -d '+1 hour' +%FT%TZ)" "" "$TOKEN" && expect 200 # the write side's fold
[[ $(json .sla_breached) == true && $(json .sla_breach_type) == response ]] || fail "A as_of: $(cat "$TMP/body")"
req GET "$RQ/$C" "" "$TOKEN" && expect 200
[[ $(json .sla_breached) == false && $(json .sla_breach_type) == null ]] || fail "C: $(cat "$TMP/body")"
for _ in $(seq 1 20); do
    req GET "$RQ?per_page=100" "" "$TOKEN" && expect 200
    [[ $(json "[.data[] | select(.id == \"$B\")][0].sla_breach_type") == response ]] && break
    sleep 0.25
done
[[ $(json "[.data[] | select(.id == \"$A\")][0].sla_breach_type") == response &&
    $(json "[.data[] | select(.id == \"$B\")][0].sla_breach_type") == response &&
    $(json "[.data[] | select(.id == \"$C\")][0].sla_breach_type") == null ]] || fail "the list: $(cat "$TMP/body")"
req GET "$RQ/$A/history" "" "$TOKEN" && expect 200
[[ $(json '[.data[] | .event // "move"] | join(",")') == move,move,request.sla_warning,request.sla_breached ]] ||
    fail "A's history: $(cat "$TMP/body")"
[[ $(json '.data[3].to_status') == approved && $(json '.data[3].details.metric') == response ]] ||
    fail "A's breach in its history: $(cat "$TMP/body")"
[[ $(us "$(json '.data[3].created_at')") == $(($(ts_us "$A" request.created) + 60000000)) ]] ||
    fail "the history's instant: $(cat "$TMP/body")"
ok

step "nothing is recorded twice, also across restarts"
server_kill TERM
server_start
sleep 1
for r in "$A" "$B"; do
    [[ $(events "$r" request.sla_warning | wc -l) == 1 ]] || fail "$r: warning recorded again"
    [[ $(events "$r" request.sla_breached | wc -l) == 1 ]] || fail "$r: breach recorded again"
done
"$FLCTL" --data "$DATA" log verify --tenant acme >/dev/null || fail "log verify"
ok
