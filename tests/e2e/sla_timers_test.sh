#!/usr/bin/env bash
# End to end: the SLA timers of the real server. A round-the-clock policy
# (response for critical issues: 1 minute, warning at 50 %) is written to the
# tenant's log with flctl (tests/e2e/sla_test.sh makes one through the API);
# the issues are created and assigned through the API. The running server records the warning
# within a second of its instant; killed before the breach and started after
# it, the server records the breach at start-up with the instant it was
# crossed; a response stops the clock; nothing is ever recorded twice, also
# across restarts; a policy that does not apply starts no clock.
set -uo pipefail
FIRELATER=$1
FLCTL=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"

PW='correct horse battery staple'
pg_start
tenants_create acme
uuid() {
    cat /proc/sys/kernel/random/uuid
}
append() { # STREAM TYPE JSON
    "$FLCTL" --data "$DATA" log append --tenant acme --stream "$1" --type "$2" --data "$3" \
        >/dev/null || fail "append $2"
}
# events ISSUE TYPE: the events of that type on the issue's stream, one JSON a line.
events() {
    "$FLCTL" --data "$DATA" log dump --tenant acme --stream "issue:$1" | jq -c "select(.type == \"$2\")"
}
# µs since the epoch of an RFC 3339 instant (whole seconds and µs).
us() {
    local s=${1%.*} frac=${1#*.}
    frac=${frac%Z}
    echo $(($(date -ud "$s" +%s) * 1000000 + 10#${frac:-0}))
}
# created_us ISSUE: the ts of issue.created.
created_us() {
    us "$(events "$1" issue.created | jq -r .ts)"
}

step "set-up: a round-the-clock policy for critical issues, and three issues"
append sla:config sla.policy_created "{\"id\":\"$(uuid)\",\"cleared_default\":null,\"body\":{\"name\":\"Critical\",\"entity_type\":\"issue\",\"is_default\":true,\"conditions\":{},\"business_hours_id\":null,\"targets\":[{\"metric_type\":\"response_time\",\"priority\":\"critical\",\"target_minutes\":1,\"warning_percent\":50,\"business_hours_only\":false}]}}"
server_start
login acme admin@acme.test "$PW"
expect 200
TOKEN=$(json .access_token)
ADMIN=$(json .user.id)
# create PRIORITY: a new issue through the API; prints its id.
create() {
    req POST /api/v1/issues "{\"title\":\"down\",\"priority\":\"$1\"}" "$TOKEN"
    expect 201
    json .id
}
A=$(create critical) B=$(create critical) C=$(create low)
[[ -n $A && -n $B && -n $C ]] || fail "create"
ok

step "the warning is recorded within a second of its instant, with that instant"
sleep 28
[[ -z $(events "$A" issue.sla_warning) ]] || fail "warned before 50 % of the target"
sleep 4
w=$(events "$A" issue.sla_warning)
[[ $(wc -l <<<"$w") == 1 && -n $w ]] || fail "warnings: $w"
[[ $(jq -r .data.metric <<<"$w") == response ]] || fail "metric: $w"
crossed=$(us "$(jq -r .data.crossed_at <<<"$w")")
[[ $crossed == $(($(created_us "$A") + 30000000)) ]] || fail "crossed_at $(jq -r .data.crossed_at <<<"$w")"
lag=$(($(us "$(jq -r .ts <<<"$w")") - crossed))
((lag >= 0 && lag < 1000000)) || fail "recorded $lag µs after the crossing"
[[ $(jq -r .actor <<<"$w") == system ]] || fail "actor: $w"
ok

step "a response stops the clock; a low-priority issue has no target"
req POST "/api/v1/issues/$B/assign" "{\"assigned_to\":\"$ADMIN\"}" "$TOKEN"
expect 200
[[ -z $(events "$C" issue.sla_warning) ]] || fail "an issue without a target was warned"
ok

step "killed before the breach, started after it: recorded at start-up, with its instant"
server_kill KILL
sleep $((62 - ($(date +%s) - $(created_us "$A") / 1000000)))
[[ -z $(events "$A" issue.sla_breached) ]] || fail "breached while the server was down?"
server_start
sleep 1
b=$(events "$A" issue.sla_breached)
[[ $(wc -l <<<"$b") == 1 && -n $b ]] || fail "breaches: $b"
[[ $(us "$(jq -r .data.crossed_at <<<"$b")") == $(($(created_us "$A") + 60000000)) ]] ||
    fail "breach crossed_at $(jq -r .data.crossed_at <<<"$b")"
[[ $(jq -r .data.target_minutes <<<"$b") == 1 ]] || fail "target: $b"
# the issue's response_due_at was stamped when it was created: the breach's instant, but for
# the few ms between deciding the command and the log's recording it
req GET "/api/v1/issues/$A" "" "$TOKEN" && expect 200
due=$(us "$(json .response_due_at)")
late=$(($(us "$(jq -r .data.crossed_at <<<"$b")") - due))
((late >= 0 && late < 500000)) || fail "breached $late µs after response_due_at $(json .response_due_at)"
[[ $(json .sla_policy_id) == "$(jq -r .data.policy_id <<<"$b")" ]] || fail "policy $(json .sla_policy_id)"
[[ -z $(events "$B" issue.sla_breached) ]] || fail "a responded issue breached"
row=$(psql -At "$PG" -c "SELECT sla_breached, sla_breach_type FROM tenant_acme.issues WHERE id = '$A'")
[[ $row == "t|response" ]] || fail "read model: $row"
[[ $(events "$B" issue.sla_warning | wc -l) == 1 ]] || fail "B was warned before its response"
ok

step "nothing is recorded twice, also across restarts"
server_kill TERM
server_start
sleep 1
[[ $(events "$A" issue.sla_warning | wc -l) == 1 ]] || fail "warning recorded again"
[[ $(events "$A" issue.sla_breached | wc -l) == 1 ]] || fail "breach recorded again"
"$FLCTL" --data "$DATA" log verify --tenant acme >/dev/null || fail "log verify"
ok
