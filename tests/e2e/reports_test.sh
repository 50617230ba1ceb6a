#!/usr/bin/env bash
# End to end: the issue reports (issue-trends, issue-mttr, sla-performance)
# through the real binaries: counts per period and per group, resolution
# times, filters, date ranges, bad input named, who may read them, and
# tenant isolation.
set -uo pipefail
FIRELATER=$1
FLCTL=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"

PW='correct horse battery staple'
pg_start
tenants_create acme globex
server_start
login acme admin@acme.test "$PW" && expect 200
TOKEN=$(json .access_token)
ME=$(json .user.id)
login globex admin@globex.test "$PW" && expect 200
G_TOKEN=$(json .access_token)

# report NAME QUERYSTRING [TOKEN]
report() {
    req GET "/api/v1/reports/$1?$2" "" "${3:-$TOKEN}"
}
TODAY=$(date -u +%F)

step "set-up: four issues, two of them resolved, two under an SLA policy (one breached)"
req POST /api/v1/users "{\"email\":\"rita@acme.test\",\"name\":\"Rita Requester\",\"password\":\"$PW\"}" "$TOKEN"
expect 201
req POST /api/v1/applications '{"name":"Payroll","tier":"P1"}' "$TOKEN" && expect 201
APP=$(json .id)
# The read model is seeded with what the issues' projector writes, so these
# check the reports' SQL on exact values; a later step goes through the API.
uuid() {
    cat /proc/sys/kernel/random/uuid
}
POLICY=$(uuid)
psql -q "$PG" -v ON_ERROR_STOP=1 >/dev/null <<SQL || fail "seeding the read model"
SET search_path TO tenant_acme;
INSERT INTO issues (id, issue_number, title, priority, application_id, status, resolved_at,
                    time_to_resolution, business_time_to_resolution, time_to_first_response,
                    sla_policy_id, sla_breached, sla_breach_type) VALUES
  ('$(uuid)', 'ISS-90001', 'a', 'high', '$APP', 'resolved', now(), 30, 20, 5, '$POLICY', false, NULL),
  ('$(uuid)', 'ISS-90002', 'b', 'high', '$APP', 'new', NULL, NULL, NULL, NULL, '$POLICY', true, 'response'),
  ('$(uuid)', 'ISS-90003', 'c', 'high', '$APP', 'new', NULL, NULL, NULL, NULL, NULL, false, NULL),
  ('$(uuid)', 'ISS-90004', 'd', 'low', NULL, 'resolved', now(), 90, 60, 15, NULL, false, NULL),
  ('$(uuid)', 'ISS-90005', 'deleted', 'low', NULL, 'resolved', now(), 1, 1, 1, '$POLICY', true, 'both');
UPDATE issues SET deleted_at = now() WHERE issue_number = 'ISS-90005';
SQL
ok

step "issue-trends: every period of the range, today's counts, per priority"
report issue-trends '' && expect 200
[[ $(json '.data | length') == 31 ]] || fail "30 days back: $(json '.data | length') periods"
[[ $(json '.data[-1].period') == "$TODAY" ]] || fail "last period $(json '.data[-1].period')"
[[ $(json '.data[-1].created') == 4 && $(json '.data[-1].resolved') == 2 ]] || fail "$(json '.data[-1]')"
[[ $(json '[.data[].created] | add') == 4 && $(json '.data[0].groups | length') == 0 ]] || fail "other days"
[[ $(json .meta.interval) == day && $(json .meta.group_by) == none ]] || fail "meta $(json .meta)"
report issue-trends 'group_by=priority&interval=week' && expect 200
[[ $(json '[.data[].created] | add') == 4 ]] || fail "weeks: $(json .data)"
[[ $(json '[.data[].groups[] | select(.key == "high") | .created] | add') == 3 ]] || fail "high: $(json .data[-1])"
[[ $(json '[.data[].groups[] | select(.key == "low") | .resolved] | add') == 1 ]] || fail "low: $(json .data[-1])"
report issue-trends "from=$TODAY&interval=month" && expect 200
[[ $(json '.data | length') == 1 && $(json '.data[0].created') == 4 ]] || fail "month: $(json .data)"
ok

step "issue-mttr: resolved issues, overall and per application"
report issue-mttr '' && expect 200
[[ $(json '.data | length') == 1 && $(json '.data[0].resolved') == 2 ]] || fail "$(json .data)"
[[ $(json '.data[0].mean_minutes == 60') == true && $(json '.data[0].median_minutes == 60') == true ]] || fail "times: $(json .data)"
[[ $(json '.data[0].p90_minutes == 84') == true && $(json '.data[0].mean_business_minutes == 40') == true ]] || fail "p90: $(json .data)"
[[ $(json '.data[0].mean_first_response_minutes == 10') == true ]] || fail "first response: $(json .data)"
[[ $(json '.data[0].median_business_minutes == 40') == true && $(json '.data[0].p90_business_minutes == 56') == true ]] ||
    fail "business minutes: $(json .data)"
report issue-mttr 'group_by=application' && expect 200
[[ $(json "[.data[] | select(.key == \"$APP\")][0].label") == Payroll ]] || fail "label: $(json .data)"
[[ $(json "[.data[] | select(.key == \"$APP\")][0].resolved") == 1 ]] || fail "per app: $(json .data)"
[[ $(json '[.data[] | select(.key == null)][0].resolved') == 1 ]] || fail "no app: $(json .data)"
report issue-mttr "application_id=$APP" && expect 200
[[ $(json '.data[0].resolved') == 1 ]] || fail "application filter: $(json .data)"
report issue-mttr 'priority=low' && expect 200
[[ $(json '.data[0].resolved') == 1 ]] || fail "priority filter: $(json .data)"
report issue-mttr 'from=2020-01-01&to=2020-02-01' && expect 200
[[ $(json '.data[0].resolved') == 0 && $(json '.data[0].mean_minutes') == null ]] || fail "empty range: $(json .data)"
ok

step "sla-performance: tracked, met, running, breached, compliance"
report sla-performance '' && expect 200
[[ $(json '.data[0].tracked') == 2 && $(json '.data[0].met') == 1 && $(json '.data[0].breached') == 1 ]] || fail "$(json .data)"
[[ $(json '.data[0].response_breached') == 1 && $(json '.data[0].resolution_breached') == 0 ]] || fail "$(json .data)"
[[ $(json '.data[0].compliance_percent == 50') == true && $(json '.data[0].running') == 0 ]] || fail "$(json .data)"
[[ $(json '.data[0].resolved') == 1 && $(json '.data[0].mean_resolution_business_minutes == 20') == true ]] ||
    fail "business minutes: $(json .data)"
[[ $(json '.data[0].responded') == 0 && $(json '.data[0].mean_response_business_minutes') == null ]] ||
    fail "responses: $(json .data)"
report sla-performance 'group_by=priority' && expect 200
[[ $(json '.data | length') == 1 && $(json '.data[0].key') == high ]] || fail "$(json .data)"
report sla-performance 'priority=low' && expect 200
[[ $(json '.data[0].tracked') == 0 && $(json '.data[0].compliance_percent') == null ]] || fail "$(json .data)"
ok

step "the write side's stamps reach the reports: a critical issue answered after 31 s"
req POST /api/v1/sla/policies '{"name":"Desk","entity_type":"issue","is_default":true,"targets":[
    {"metric_type":"response_time","priority":"critical","target_minutes":15,"business_hours_only":false},
    {"metric_type":"resolution_time","priority":"critical","target_minutes":60,"business_hours_only":false}]}' \
    "$TOKEN" && expect 201
req POST /api/v1/issues '{"title":"Payroll is down","priority":"critical"}' "$TOKEN" && expect 201
C=$(json .id)
sleep 31
req POST "/api/v1/issues/$C/assign" "{\"assigned_to\":\"$ME\"}" "$TOKEN" && expect 200
req PUT "/api/v1/issues/$C" '{"status":"in_progress"}' "$TOKEN" && expect 200
req POST "/api/v1/issues/$C/resolve" '{"resolution_code":"fixed","resolution_notes":"restarted"}' "$TOKEN"
expect 200
report issue-mttr 'priority=critical' && expect 200
[[ $(json '.data[0].resolved') == 1 && $(json '.data[0].mean_business_minutes == 1') == true ]] ||
    fail "mttr: $(json .data)"
[[ $(json '.data[0].mean_first_response_business_minutes == 1') == true ]] || fail "mttr: $(json .data)"
report sla-performance 'priority=critical' && expect 200
[[ $(json '.data[0].tracked') == 1 && $(json '.data[0].met') == 1 && $(json '.data[0].responded') == 1 ]] ||
    fail "sla: $(json .data)"
[[ $(json '.data[0].mean_response_business_minutes == 1') == true ]] || fail "sla: $(json .data)"
[[ $(json '.data[0].mean_resolution_business_minutes == 1') == true ]] || fail "sla: $(json .data)"
ok

step "bad input is 422 naming the parameter"
check_bad() {
    report "$1" "$2" && expect 422
    [[ $(json '.errors[0].field') == "$3" ]] || fail "$1?$2: $(cat "$TMP/body")"
}
check_bad issue-trends 'from=2026-02-01&to=2026-01-01' to
check_bad issue-trends 'from=2020-01-01&to=2026-01-01' from
check_bad issue-trends 'interval=hour' interval
check_bad issue-trends 'from=yesterday' from
check_bad issue-trends 'from=1700000000' from
check_bad issue-mttr 'group_by=team' group_by
check_bad issue-mttr 'interval=day' interval
check_bad issue-mttr 'application_id=APP-1' application_id
check_bad sla-performance 'priority=urgent' priority
check_bad sla-performance 'page=1' page
check_bad sla-performance 'group_by=priority&group_by=application' group_by
ok

step "who may read reports; tenant isolation"
login acme rita@acme.test "$PW" && expect 200
report issue-trends '' "$(json .access_token)"
expect 403
req GET /api/v1/reports/issue-mttr && expect 401
report issue-trends '' "$G_TOKEN" && expect 200
[[ $(json '[.data[].created] | add') == 0 ]] || fail "globex saw acme's issues"
report issue-mttr '' "$G_TOKEN" && expect 200
[[ $(json '.data[0].resolved') == 0 ]] || fail "globex saw acme's resolutions"
ok
