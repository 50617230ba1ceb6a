#!/usr/bin/env bash
# End to end: issues through the real binaries. Create (numbers, the
# priority matrix, defaults), get by uuid and number, list filters, update
# with If-Match, the status machine (409 naming the status), assign (user
# and group: membership and the agent permission), reassign, escalate (to
# the group's manager), resolve (both fields), close, reopen (and its
# window), comments (internal ones hidden from requesters), work logs,
# history, links and the related view, time travel, requesters' view, bad
# input on every action, and the read model equal to the write side.
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
ADMIN=$(json .user.id)
NOBODY=00000000-0000-4000-8000-00000000dead
I=/api/v1/issues

field_named() {
    json '[.errors[].field] | join(" ")' | grep -qw -- "$1" || fail "no error on $1: $(cat "$TMP/body")"
}
user() { # user EMAIL ROLE: prints the id
    req POST /api/v1/users "{\"email\":\"$1\",\"name\":\"$1\",\"password\":\"$PW\",\"roles\":[\"$2\"]}" \
        "$TOKEN" && expect 201
    json .id
}
token_of() {
    login acme "$1" "$PW" && expect 200
    json .access_token
}
# act ID ACTION [BODY] [TOKEN]: POST /issues/ID/ACTION
act() {
    req POST "$I/$1/$2" "${3:-}" "${4:-$TOKEN}"
}
is() { # is JQ VALUE
    [[ $(json "$1") == "$2" ]] || fail "$1 is $(json "$1"), not $2: $(head -c 400 "$TMP/body")"
}

step "set-up: agents, a requester, a group with a manager and a lead"
ANN=$(user ann@acme.test agent)
BOB=$(user bob@acme.test agent)
MAY=$(user may@acme.test manager)
REQ=$(user rita@acme.test requester)
REQ2=$(user sam@acme.test requester)
req POST /api/v1/groups "{\"name\":\"Service desk\",\"type\":\"team\",\"manager_id\":\"$MAY\"}" "$TOKEN" &&
    expect 201
DESK=$(json .id)
req POST /api/v1/groups '{"name":"Network","type":"team"}' "$TOKEN" && expect 201
NET=$(json .id)
for u in "$ANN" "$BOB"; do
    req POST "/api/v1/groups/$DESK/members" "{\"user_id\":\"$u\"}" "$TOKEN" && expect 200
done
req POST "/api/v1/groups/$NET/members" "{\"user_id\":\"$BOB\",\"role\":\"lead\"}" "$TOKEN" && expect 200
ANN_T=$(token_of ann@acme.test)
REQ_T=$(token_of rita@acme.test)
REQ2_T=$(token_of sam@acme.test)
ok

step "create: ISS numbers, the priority from impact x urgency, defaults"
req POST $I '{"title":"VPN down","impact":"widespread","urgency":"immediate","source":"phone"}' \
    "$TOKEN" && expect 201
A=$(json .id)
is .issue_number ISS-00001
is .priority critical
is .status new
is .issue_type issue
is .escalation_level 0
[[ $(header Location) == "$I/$A" && $(header ETag) == '"1"' ]] || fail "$(cat "$TMP/headers")"
req POST $I '{"title":"Printer jams","priority":"low"}' "$REQ_T" && expect 201
B=$(json .id)
is .reporter_id "$REQ"
is .issue_number ISS-00002
req GET "$I/ISS-00002" "" "$TOKEN" && expect 200
is .id "$B"
ok

step "bad input on create: named fields, nothing written"
big=$(head -c 102400 /dev/zero | tr '\0' x)
req POST $I "{\"title\":\"$big\",\"priority\":\"urgent\",\"colour\":1,\"status\":\"new\"}" "$TOKEN" &&
    expect 422
for f in title priority colour status; do field_named $f; done
req POST $I '{"title":7}' "$TOKEN" && expect 422 && field_named title
req POST $I '{"title":"x","application_id":"'$NOBODY'"}' "$TOKEN" && expect 422 &&
    field_named application_id
req GET "$I?per_page=100" "" "$TOKEN" && expect 200
is '.meta.total' 2
ok

step "the machine: a new issue is not resolved; a status move in PUT only along the machine"
act "$A" resolve '{"resolution_code":"fixed","resolution_notes":"n"}' && expect 409 && field_named status
json .detail | grep -q "new" || fail "the detail does not name the status: $(cat "$TMP/body")"
req PUT "$I/$A" '{"status":"in_progress"}' "$TOKEN" && expect 409 && field_named status
act "$A" close && expect 409
act "$A" reopen && expect 409
ok

step "assign: the user must be a member of the group and may work issues"
act "$A" assign "{\"assigned_to\":\"$REQ\"}" && expect 422 && field_named assigned_to
act "$A" assign "{\"assigned_to\":\"$ANN\",\"assigned_group\":\"$NET\"}" && expect 422 &&
    field_named assigned_to
act "$A" assign "{\"assigned_group\":\"$NOBODY\"}" && expect 422 && field_named assigned_group
act "$A" assign '{}' && expect 422 && field_named assigned_to
act "$A" assign '{"assigned_to":"nope","x":1}' && expect 422 && field_named assigned_to && field_named x
act "$A" assign "{\"assigned_to\":\"$ANN\",\"assigned_group\":\"$DESK\"}" "$REQ_T" && expect 403
act "$A" assign "{\"assigned_to\":\"$ANN\",\"assigned_group\":\"$DESK\",\"reason\":\"on shift\"}" &&
    expect 200
is .status assigned
is .assigned_to "$ANN"
is .assigned_group "$DESK"
is .version 2
[[ $(json .first_response_at) != null ]] || fail "the first move out of new is the first response"
act "$A" assign "{\"assigned_to\":\"$BOB\"}" && expect 409
ok

step "reassign keeps the status; an unassigned issue is assigned first"
act "$B" reassign "{\"assigned_to\":\"$BOB\"}" && expect 409
req PUT "$I/$A" '{"status":"in_progress"}' "$TOKEN" "If-Match: \"2\"" && expect 200
is .status in_progress
act "$A" reassign "{\"assigned_to\":\"$BOB\",\"assigned_group\":\"$DESK\"}" && expect 200
is .status in_progress
is .assigned_to "$BOB"
v=$(json .version)
act "$A" reassign "{\"assigned_to\":\"$BOB\",\"assigned_group\":\"$DESK\"}" && expect 200
is .version "$v"
ok

step "escalate: level + 1, to the group's manager; the reason is required"
act "$A" escalate '{}' && expect 422 && field_named reason
act "$B" escalate '{"reason":"slow"}' && expect 422 && field_named assigned_group
act "$A" escalate '{"reason":"the VPN is still down"}' && expect 200
is .escalation_level 1
is .assigned_to "$MAY"
is .assigned_group "$DESK"
[[ $(json .escalated_at) != null ]] || fail "escalated_at"
act "$A" escalate "{\"reason\":\"to network\",\"assigned_group\":\"$NET\"}" && expect 200
is .escalation_level 2
is .assigned_to "$BOB"
is .assigned_group "$NET"
ok

step "comments: internal notes hidden from requesters; a requester's are public"
act "$B" comments '{"content":"It jams on page 2"}' "$REQ_T" && expect 201
C1=$(json .id)
is .is_internal false
is .user_id "$REQ"
[[ $(header Location) == "$I/$B/comments/$C1" ]] || fail "Location $(header Location)"
act "$B" comments '{"content":"secret","is_internal":true}' "$REQ_T" && expect 403 && field_named is_internal
act "$B" comments '{"content":"Known driver bug","is_internal":true}' "$ANN_T" && expect 201
C2=$(json .id)
act "$B" comments '{"content":"","is_internal":"yes","tone":1}' "$ANN_T" && expect 422
for f in content is_internal tone; do field_named $f; done
req GET "$I/$B/comments" "" "$ANN_T" && expect 200
is '.data | length' 2
req GET "$I/$B/comments" "" "$REQ_T" && expect 200
is '.data | length' 1
is '.data[0].id' "$C1"
req PUT "$I/$B/comments/$C2" '{"content":"x"}' "$REQ_T" && expect 404
req PUT "$I/$B/comments/$C1" '{"content":"edited"}' "$ANN_T" && expect 403
req PUT "$I/$B/comments/$C1" '{"content":"It jams on page 3"}' "$REQ_T" && expect 200
is .content "It jams on page 3"
req DELETE "$I/$B/comments/$C2" "" "$TOKEN" && expect 204
req GET "$I/$B/comments" "" "$ANN_T" && expect 200
is '.data | length' 1
req GET "$I/$B/comments/$NOBODY" "" "$ANN_T" && expect 405
req DELETE "$I/$B/comments/$NOBODY" "" "$TOKEN" && expect 404
# an agent's public comment is B's first response
req GET "$I/$B" "" "$TOKEN" && expect 200
[[ $(json .first_response_at) == null ]] || fail "the reporter's own comment is no response"
act "$B" comments '{"content":"Looking into it"}' "$ANN_T" && expect 201
req GET "$I/$B" "" "$TOKEN" && expect 200
[[ $(json .first_response_at) != null ]] || fail "a public comment by an agent is the first response"
ok

step "requesters: only their own issues, no work logs, no actions"
req GET "$I/$B" "" "$REQ2_T" && expect 404
req GET "$I/$B/comments" "" "$REQ2_T" && expect 404
act "$B" comments '{"content":"me too"}' "$REQ2_T" && expect 404
req GET "$I/$B/worklogs" "" "$REQ_T" && expect 403
act "$B" resolve '{"resolution_code":"fixed","resolution_notes":"n"}' "$REQ_T" && expect 403
req GET "$I" "" "$REQ2_T" && expect 200
is '.meta.total' 0
ok

step "work logs: minutes, the day, author-only edits"
act "$A" worklogs '{"time_spent":45,"description":"router reboot","billable":true}' "$ANN_T" && expect 201
W1=$(json .id)
is .time_spent 45
is .work_date "$(date -u +%F)"
act "$A" worklogs '{"time_spent":0,"work_date":"2026-02-30"}' "$ANN_T" && expect 422
field_named time_spent && field_named work_date
act "$A" worklogs '{"time_spent":1441}' "$ANN_T" && expect 422 && field_named time_spent
act "$A" worklogs '{"description":"x"}' "$ANN_T" && expect 422 && field_named time_spent
req PUT "$I/$A/worklogs/$W1" '{"time_spent":50}' "$(token_of bob@acme.test)" && expect 403
req PUT "$I/$A/worklogs/$W1" '{"time_spent":50,"work_date":"2026-12-01"}' "$ANN_T" && expect 200
is .time_spent 50
is .work_date 2026-12-01
is .description "router reboot"
req PUT "$I/$A/worklogs/$W1" '{}' "$ANN_T" && expect 422
req GET "$I/$A/worklogs" "" "$TOKEN" && expect 200
is '.data | length' 1
req DELETE "$I/$A/worklogs/$W1" "" "$ANN_T" && expect 204
req GET "$I/$A/worklogs" "" "$TOKEN" && expect 200
is '.meta.total' 0
ok

step "links: parent/child both ways, related, no duplicates, no self-links"
req POST $I '{"title":"Office network slow"}' "$TOKEN" && expect 201
P=$(json .id)
act "$A" link "{\"target_id\":\"$P\",\"link_type\":\"parent\"}" && expect 200
is .parent_issue_id "$P"
act "$P" link "{\"target_id\":\"$A\",\"link_type\":\"child\"}" && expect 409
act "$A" link "{\"target_id\":\"$A\",\"link_type\":\"related\"}" && expect 422 && field_named target_id
act "$A" link "{\"target_id\":\"$NOBODY\",\"link_type\":\"related\"}" && expect 422 && field_named target_id
act "$A" link "{\"target_id\":\"$B\",\"link_type\":\"sibling\"}" && expect 422 && field_named link_type
act "$A" link "{\"target_id\":\"$B\",\"link_type\":\"related\",\"target_type\":\"change\"}" && expect 422
act "$A" link "{\"target_id\":\"$B\",\"link_type\":\"related\"}" && expect 200
req GET "$I/$P/related" "" "$TOKEN" && expect 200
is '.data | length' 1
is '.data[0].link_type' child
is '.data[0].direction' incoming
is '.data[0].issue.issue_number' ISS-00001
req GET "$I/$A/related" "" "$TOKEN" && expect 200
is '[.data[].link_type] | join(",")' parent,related
req GET "$I/$A/related?sort=x" "" "$TOKEN" && expect 422 && field_named sort
ok

step "resolve needs both fields; close; reopen; history"
act "$A" resolve '{"resolution_code":"fixed"}' && expect 422 && field_named resolution_notes
act "$A" resolve '{"resolution_code":"","resolution_notes":"x"}' && expect 422 && field_named resolution_code
act "$A" resolve '{"resolution_code":"fixed","resolution_notes":"Replaced the router"}' && expect 200
is .status resolved
is .resolution_code fixed
is .resolved_by "$ADMIN"
[[ $(json .resolved_at) != null ]] || fail "resolved_at"
act "$A" escalate '{"reason":"late"}' && expect 409
act "$A" close '{"reason":"confirmed by the reporter"}' && expect 200
is .status closed
is .closed_by "$ADMIN"
act "$A" reopen '{"reason":"it is down again"}' && expect 200
is .status in_progress
is .resolution_code null
is .resolved_at null
req GET "$I/$A/history" "" "$TOKEN" && expect 200
is '[.data[].to_status] | join(",")' assigned,in_progress,resolved,closed,in_progress
is '.data[0].reason' "on shift"
is '.data[4].reason' "it is down again"
req GET "$I/$A/history?order=desc&per_page=2" "" "$TOKEN" && expect 200
is '.data[0].to_status' in_progress
is '.meta.total' 5
ok

step "the read model equals the write side"
act "$A" reassign "{\"assigned_group\":\"$DESK\"}" && expect 200
jq -S 'del(.version)' "$TMP/body" >"$TMP/write.json"
wv=$(json .version)
req GET "$I/$A" "" "$TOKEN" && expect 200
jq -S 'del(.version)' "$TMP/body" >"$TMP/read.json"
diff "$TMP/write.json" "$TMP/read.json" >"$TMP/diff" || fail "write and read differ: $(cat "$TMP/diff")"
is .version "$wv"
[[ $(header ETag) == "\"$wv\"" ]] || fail "ETag $(header ETag)"
ok

step "time travel: the issue as it was before the escalation"
before=$(psql -At "$PG" -c "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')
    FROM tenant_acme.issue_status_history WHERE issue_id = '$A' AND to_status = 'in_progress'
    ORDER BY created_at LIMIT 1")
req GET "$I/$A?as_of=$before" "" "$TOKEN" && expect 200
is .status in_progress
is .assigned_to "$ANN"
is .escalation_level 0
ok

step "list totals: kept per status and priority, equal to counting; a deleted issue leaves them"
# totals_agree FILTER SQL: meta.total of GET /issues?FILTER equals counting SQL's rows
totals_agree() {
    local want
    want=$(psql -At "$PG" -c "SELECT count(*) FROM tenant_acme.issues
        WHERE deleted_at IS NULL $2") || fail psql
    req GET "$I?$1" "" "$TOKEN" && expect 200
    is '.meta.total' "$want"
}
counts_agree() {
    local diff
    diff=$(psql -At "$PG" -c "(SELECT status, priority, count(*) FROM tenant_acme.issues
            WHERE deleted_at IS NULL GROUP BY 1, 2
          EXCEPT SELECT status, priority, n FROM tenant_acme.issue_counts)
        UNION ALL (SELECT status, priority, n FROM tenant_acme.issue_counts WHERE n > 0
          EXCEPT SELECT status, priority, count(*) FROM tenant_acme.issues
            WHERE deleted_at IS NULL GROUP BY 1, 2)") || fail psql
    [[ -z $diff ]] || fail "issue_counts differs from the rows: $diff"
}
req POST $I '{"title":"Doomed","priority":"low"}' "$TOKEN" && expect 201
D=$(json .id)
req PUT "$I/$D" '{"priority":"critical"}' "$TOKEN" && expect 200
counts_agree
req DELETE "$I/$D" "" "$TOKEN" && expect 204
counts_agree
totals_agree "" ""
totals_agree "status=open" "AND status NOT IN ('resolved', 'closed')"
totals_agree "status=closed" "AND status = 'closed'"
totals_agree "priority=critical" "AND priority = 'critical'"
totals_agree "status=open&priority=high&per_page=1" "AND status NOT IN ('resolved', 'closed') AND priority = 'high'"
totals_agree "status=in_progress&severity=S1" "AND status = 'in_progress' AND severity = 'S1'"
req GET "$I?sort=issue_number&order=desc&per_page=2" "" "$TOKEN" && expect 200
is '[.data[].issue_number] | join(",")' "$(psql -At "$PG" -c "SELECT string_agg(issue_number, ',')
    FROM (SELECT issue_number FROM tenant_acme.issues WHERE deleted_at IS NULL
          ORDER BY lpad(issue_number, 32, '0') DESC LIMIT 2) x")"
# a list answered twice gives the same bytes; a write in between is seen at once
req GET "$I?status=open" "" "$TOKEN" && expect 200
cp "$TMP/body" "$TMP/list1"
req GET "$I?status=open" "" "$TOKEN" && expect 200
cmp -s "$TMP/list1" "$TMP/body" || fail "the same list read twice differs"
n=$(json .meta.total)
req POST $I '{"title":"One more"}' "$TOKEN" && expect 201
req GET "$I?status=open" "" "$TOKEN" && expect 200
is '.meta.total' "$((n + 1))"
"$FLCTL" --data "$DATA" projections rebuild --tenant acme --pg "$PG" >/dev/null || fail "rebuild"
counts_agree
ok

step "the reopen window: past it, a closed issue stays closed"
act "$B" assign "{\"assigned_to\":\"$ANN\"}" && expect 200
req PUT "$I/$B" '{"status":"in_progress"}' "$TOKEN" && expect 200
act "$B" resolve '{"resolution_code":"fixed","resolution_notes":"new driver"}' && expect 200
server_kill TERM
server_start --read-wait-ms 2000 --issue-reopen-days 0
sleep 1
act "$B" reopen && expect 409
json .detail | grep -q "0 days" || fail "the detail does not name the window: $(cat "$TMP/body")"
"$FLCTL" --data "$DATA" log verify --tenant acme >/dev/null || fail "log verify"
ok

# µs since the epoch of an RFC 3339 instant (whole seconds and µs).
us() {
    local s=${1%.*} frac=${1#*.}
    frac=${frac%Z}
    echo $(($(date -ud "$s" +%s) * 1000000 + 10#${frac:-0}))
}
# near A B [SECONDS]: the instants A and B (RFC 3339) at most SECONDS (1) apart.
near() {
    local d=$(($(us "$1") - $(us "$2")))
    ((d < 0)) && d=$((-d))
    ((d <= ${3:-1} * 1000000)) || fail "$1 and $2 are $d µs apart"
}
# plus INSTANT MINUTES: the instant that many minutes later, as the API writes it.
plus() {
    date -ud "@$(($(us "$1") / 1000000 + $2 * 60))" +%Y-%m-%dT%H:%M:%S.000000Z
}

step "SLA: a policy made through the API stamps the issue's due dates, pauses and re-targets"
server_kill TERM
server_start --read-wait-ms 2000 # the reopen window back at its default
req POST /api/v1/sla/policies '{"name":"Desk","entity_type":"issue","is_default":true,"targets":[
    {"metric_type":"response_time","priority":"high","target_minutes":60,"business_hours_only":false},
    {"metric_type":"resolution_time","priority":"high","target_minutes":240,"business_hours_only":false},
    {"metric_type":"response_time","priority":"critical","target_minutes":15,"business_hours_only":false},
    {"metric_type":"resolution_time","priority":"critical","target_minutes":60,"business_hours_only":false}]}' \
    "$TOKEN" && expect 201
POLICY=$(json .id)
req POST $I '{"title":"Mail is slow","priority":"high"}' "$TOKEN" && expect 201
S=$(json .id)
created=$(json .created_at)
is .sla_policy_id "$POLICY"
near "$(json .response_due_at)" "$(plus "$created" 60)"
near "$(json .resolution_due_at)" "$(plus "$created" 240)"
is .time_to_first_response null
req GET "$I/$S" "" "$TOKEN" && expect 200
is .sla_policy_id "$POLICY"
near "$(json .response_due_at)" "$(plus "$created" 60)"
req GET "$I?priority=high&per_page=100" "" "$TOKEN" && expect 200
[[ $(json ".data[] | select(.id == \"$S\") | .sla_policy_id") == "$POLICY" ]] || fail "the list has no policy"
[[ $(json ".data[] | select(.id == \"$S\") | .resolution_due_at") != null ]] || fail "no due date in the list"
# critical re-targets from the start: 15 and 60 minutes after creation
req PUT "$I/$S" '{"priority":"critical"}' "$TOKEN" && expect 200
near "$(json .response_due_at)" "$(plus "$created" 15)"
near "$(json .resolution_due_at)" "$(plus "$created" 60)"
response_due=$(json .response_due_at)
act "$S" assign "{\"assigned_to\":\"$ANN\"}" && expect 200
is .time_to_first_response 0
is .business_time_to_first_response 0
is .response_due_at "$response_due"
req PUT "$I/$S" '{"status":"in_progress"}' "$TOKEN" && expect 200
before=$(json .resolution_due_at)
req PUT "$I/$S" '{"status":"pending"}' "$TOKEN" && expect 200
is .resolution_due_at null
is .sla_policy_id "$POLICY"
sleep 3
req PUT "$I/$S" '{"status":"in_progress"}' "$TOKEN" && expect 200
after=$(json .resolution_due_at)
paused=$(($(us "$after") - $(us "$before")))
((paused >= 3000000 && paused < 5000000)) || fail "the pause moved the due date by $paused µs"
act "$S" resolve '{"resolution_code":"fixed","resolution_notes":"queue drained"}' && expect 200
is .time_to_resolution 0
is .business_time_to_resolution 0
is .resolution_due_at "$after"
jq -S 'del(.version)' "$TMP/body" >"$TMP/write.json"
req GET "$I/$S" "" "$TOKEN" && expect 200
jq -S 'del(.version)' "$TMP/body" >"$TMP/read.json"
diff "$TMP/write.json" "$TMP/read.json" >"$TMP/diff" || fail "write and read differ: $(cat "$TMP/diff")"
row=$(psql -At "$PG" -c "SELECT sla_policy_id, time_to_resolution, business_time_to_resolution
    FROM tenant_acme.issues WHERE id = '$S'")
[[ $row == "$POLICY|0|0" ]] || fail "read model: $row"
act "$S" reopen && expect 200
is .time_to_resolution null
is .business_time_to_resolution null
is .business_time_to_first_response 0
ok

step "SLA: business hours count from the next opening (today is a holiday)"
today=$(date -u +%F)
tomorrow=$(date -ud "$today + 1 day" +%F)
day() { echo "{\"day_of_week\":$1,\"start_time\":\"00:00\",\"end_time\":\"24:00\"}"; }
req POST /api/v1/sla/business-hours "{\"name\":\"Every day\",\"timezone\":\"UTC\",
    \"schedule\":[$(day 0),$(day 1),$(day 2),$(day 3),$(day 4),$(day 5),$(day 6)],
    \"holidays\":[{\"holiday_date\":\"$today\",\"name\":\"Today\"}]}" "$TOKEN" && expect 201
HOURS=$(json .id)
req POST /api/v1/sla/policies "{\"name\":\"Questions\",\"entity_type\":\"issue\",
    \"conditions\":{\"issue_type\":\"question\"},\"business_hours_id\":\"$HOURS\",\"targets\":[
    {\"metric_type\":\"response_time\",\"priority\":\"medium\",\"target_minutes\":60}]}" \
    "$TOKEN" && expect 201
QPOLICY=$(json .id)
req POST $I '{"title":"How do I share a calendar?","issue_type":"question"}' "$TOKEN" && expect 201
Q=$(json .id)
if [[ $(date -u +%F) == "$today" ]]; then # not across midnight
    is .sla_policy_id "$QPOLICY"
    is .response_due_at "${tomorrow}T01:00:00.000000Z"
    is .resolution_due_at null
    act "$Q" assign "{\"assigned_to\":\"$ANN\"}" && expect 200
    is .business_time_to_first_response 0
    is .response_due_at "${tomorrow}T01:00:00.000000Z"
fi
# the policy follows the issue: a question no more is the desk's
req PUT "$I/$Q" '{"issue_type":"issue","priority":"high"}' "$TOKEN" && expect 200
is .sla_policy_id "$POLICY"
near "$(json .resolution_due_at)" "$(plus "$(json .created_at)" 240)"
"$FLCTL" --data "$DATA" log verify --tenant acme >/dev/null || fail "log verify"
ok
