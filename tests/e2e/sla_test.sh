#!/usr/bin/env bash
# End to end: the SLA configuration endpoints through the real binaries.
# Business hours and policies created, read, listed, replaced (targets and
# schedule replaced whole) and deleted; a second default demoting the
# first; business hours in use refused (409); If-Match on the sla:config
# version; Idempotency-Key; bad input named on every endpoint; the read
# model's rows in PostgreSQL; permissions; a rebuild; and an issue created
# after a policy was made through the API gets a clock (its warning is in
# the log after 30 s).
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
P=/api/v1/sla/policies
H=/api/v1/sla/business-hours

field_named() {
    json '[.errors[].field] | join(" ")' | grep -qw -- "$1" || fail "no error on $1: $(cat "$TMP/body")"
}
sql() {
    psql "$PG" -At -c "$1" || fail "psql: $1"
}
hours_body() { # NAME DEFAULT
    echo "{\"name\":\"$1\",\"timezone\":\"Europe/Berlin\",\"is_default\":$2,\"schedule\":[
      {\"day_of_week\":1,\"start_time\":\"09:00\",\"end_time\":\"12:00\"},
      {\"day_of_week\":1,\"start_time\":\"13:00\",\"end_time\":\"17:30\"},
      {\"day_of_week\":2,\"start_time\":\"08:00\",\"end_time\":\"24:00\"}],
      \"holidays\":[{\"holiday_date\":\"2026-12-25\",\"name\":\"Christmas\"}]}"
}
TARGETS='[{"metric_type":"response_time","priority":"high","target_minutes":60},
  {"metric_type":"resolution_time","priority":"critical","target_minutes":240,"warning_percent":50,"business_hours_only":false}]'
policy_body() { # NAME DEFAULT HOURS_ID|null [TARGETS]
    local h=null
    [[ $3 != null ]] && h="\"$3\""
    echo "{\"name\":\"$1\",\"entity_type\":\"issue\",\"is_default\":$2,\"business_hours_id\":$h,
      \"conditions\":{\"tier\":[\"P2\",\"P1\"]},\"targets\":${4:-$TARGETS}}"
}

step "create business hours: 201, Location, ETag the sla:config version"
req POST $H "$(hours_body Office true)" "$TOKEN" && expect 201
H1=$(json .id)
[[ $(header Location) == "$H/$H1" && $(header ETag) == '"1"' ]] || fail "$(cat "$TMP/headers")"
[[ $(json .version) == 1 && $(json .schedule[2].end_time) == 24:00 && $(json .created_at) != null ]] ||
    fail "$(cat "$TMP/body")"
cp "$TMP/body" "$TMP/h1_written"
req GET "$H/$H1" "" "$TOKEN" && expect 200
diff <(jq -S . "$TMP/h1_written") <(jq -S . "$TMP/body") || fail "the read model differs from the write"
[[ $(header ETag) == '"1"' ]] || fail "GET ETag $(header ETag)"
ok

step "a second default demotes the first"
req POST $H "$(hours_body 'Late shift' true)" "$TOKEN" && expect 201
H2=$(json .id)
req GET "$H/$H1" "" "$TOKEN" && expect 200
[[ $(json .is_default) == false && $(json .version) == 2 && $(header ETag) == '"2"' ]] || fail "$(cat "$TMP/body")"
req POST $P "$(policy_body Gold true "$H1")" "$TOKEN" && expect 201
P1=$(json .id)
[[ $(json .business_hours_id) == "$H1" && $(json '.conditions.tier | join(",")') == P1,P2 ]] ||
    fail "$(cat "$TMP/body")"
[[ $(json '.targets[1].warning_percent') == 50 && $(json '.targets[0].warning_percent') == 80 ]] ||
    fail "targets $(json .targets)"
req POST $P "$(policy_body Basic true null)" "$TOKEN" && expect 201
P2=$(json .id)
req GET "$P/$P1" "" "$TOKEN" && expect 200
[[ $(json .is_default) == false && $(header ETag) == '"4"' ]] || fail "$(cat "$TMP/body")"
[[ $(sql "SELECT count(*) FROM tenant_acme.sla_policies WHERE is_default") == 1 ]] || fail "defaults"
ok

step "lists: paging, sort, order, filters"
req POST $P '{"name":"Changes","entity_type":"change","targets":[{"metric_type":"response_time","priority":"low","target_minutes":600}]}' "$TOKEN"
expect 201
P3=$(json .id)
req GET $P "" "$TOKEN" && expect 200
[[ $(json '[.data[].name] | join(",")') == Gold,Basic,Changes && $(json .meta.total) == 3 ]] || fail "$(cat "$TMP/body")"
[[ $(json .meta.page) == 1 && $(json .meta.per_page) == 25 ]] || fail "meta"
req GET "$P?entity_type=change" "" "$TOKEN" && expect 200
[[ $(json '.data[0].id') == "$P3" && $(json .meta.total) == 1 ]] || fail "entity_type filter"
req GET "$P?sort=name&order=desc&per_page=2&page=2" "" "$TOKEN" && expect 200
[[ $(json '[.data[].name] | join(",")') == Basic && $(json .meta.total) == 3 ]] || fail "paging $(cat "$TMP/body")"
req GET "$P?is_default=true&entity_type=issue" "" "$TOKEN" && expect 200
[[ $(json '.data[0].id') == "$P2" && $(json .meta.total) == 1 ]] || fail "is_default filter"
req GET "$P?business_hours_id=$H1" "" "$TOKEN" && expect 200
[[ $(json .meta.total) == 1 ]] || fail "business_hours_id filter"
req GET "$H?sort=name" "" "$TOKEN" && expect 200
[[ $(json '[.data[].name] | join(",")') == "Late shift,Office" ]] || fail "hours list"
req GET "$P?entity_type=task&sort=colour&per_page=0&order=up&x=1" "" "$TOKEN" && expect 422
for f in entity_type sort per_page order x; do field_named "$f"; done
req GET "$H?entity_type=issue" "" "$TOKEN" && expect 422 && field_named entity_type
ok

step "update: If-Match on the config version, targets replaced whole"
req PUT "$P/$P1" "$(policy_body Gold false "$H1")" "$TOKEN" 'If-Match: "2"' && expect 412
NEW='[{"metric_type":"response_time","priority":"low","target_minutes":15}]'
req PUT "$P/$P1" "$(policy_body 'Gold 2' false "$H1" "$NEW")" "$TOKEN" 'If-Match: "5"' && expect 200
[[ $(header ETag) == '"6"' && $(json .name) == 'Gold 2' && $(json '.targets | length') == 1 ]] ||
    fail "$(cat "$TMP/body")"
[[ $(sql "SELECT string_agg(metric_type || '/' || priority || '/' || target_minutes, ',')
          FROM tenant_acme.sla_targets WHERE policy_id = '$P1'") == response_time/low/15 ]] || fail "targets rows"
req GET "$P/$P1" "" "$TOKEN" && expect 200
[[ $(json '.targets[0].target_minutes') == 15 && $(json '.targets | length') == 1 ]] || fail "GET after PUT"
req PUT "$H/$H1" "$(hours_body Office false | jq -c '.schedule = [.schedule[0]] | .holidays = []')" "$TOKEN"
expect 200
[[ $(sql "SELECT count(*) FROM tenant_acme.business_hours_schedule WHERE business_hours_id = '$H1'") == 1 ]] ||
    fail "schedule rows not replaced"
[[ $(sql "SELECT count(*) FROM tenant_acme.business_hours_holidays WHERE business_hours_id = '$H1'") == 0 ]] ||
    fail "holidays not replaced"
req PUT "$P/$NOBODY" "$(policy_body X false null)" "$TOKEN" && expect 404
req PUT "$H/nope" "$(hours_body X false)" "$TOKEN" && expect 404
req PUT "$P/$P1" "$(policy_body X false null)" "$TOKEN" 'If-Match: soon' && expect 412
ok

step "bad input: wrong types, unknown fields, unknown hours, bad time zone"
req POST $H '{"name":7,"timezone":"Mars/Olympus","is_default":"yes","schedule":[{"day_of_week":9,"start_time":"9am","end_time":"08:00"}],"colour":"red"}' "$TOKEN"
expect 422
for f in name timezone is_default 'schedule\[0\].day_of_week' 'schedule\[0\].start_time' colour; do field_named "$f"; done
req POST $H '{"timezone":"Europe/Nowhere","schedule":[{"day_of_week":1,"start_time":"09:00","end_time":"17:00"}]}' "$TOKEN"
expect 422 && field_named timezone
[[ $(json .status) == 422 && $(json '.errors | length') == 1 ]] || fail "$(cat "$TMP/body")"
req POST $P "{\"name\":\"\",\"entity_type\":\"ticket\",\"is_default\":1,\"business_hours_id\":\"$NOBODY\",\"conditions\":{\"region\":\"eu\"},\"targets\":[{\"metric_type\":\"response_time\",\"priority\":\"urgent\",\"target_minutes\":\"60\",\"x\":1}],\"y\":2}" "$TOKEN"
expect 422
for f in name entity_type is_default business_hours_id conditions.region 'targets\[0\].priority' 'targets\[0\].target_minutes' 'targets\[0\].x' y; do
    field_named "$f"
done
req POST $P '{"name":"No targets","entity_type":"issue"}' "$TOKEN" && expect 422 && field_named targets
req POST $P '[1,2]' "$TOKEN" && expect 422
req POST $P '{"name":' "$TOKEN" && expect 400
req PUT "$H/$H2" '{"schedule":"always"}' "$TOKEN" && expect 422 && field_named schedule
[[ $(sql "SELECT count(*) FROM tenant_acme.business_hours") == 2 ]] || fail "a refused write reached the read model"
ok

step "get: unknown ids 404, no query parameters"
for id in $NOBODY nope; do
    req GET "$P/$id" "" "$TOKEN" && expect 404
    req GET "$H/$id" "" "$TOKEN" && expect 404
done
req GET "$P/$P1?as_of=2026-01-01T00:00:00Z" "" "$TOKEN" && expect 422 && field_named as_of
ok

step "delete: refused while a policy uses the hours (409 naming it), then soft"
req DELETE "$H/$H1" "" "$TOKEN" && expect 409
json .detail | grep -q "Gold 2 ($P1)" || fail "the policy is not named: $(cat "$TMP/body")"
req DELETE "$P/$P1" "" "$TOKEN" 'If-Match: "3"' && expect 412
req DELETE "$P/$P1" "" "$TOKEN" && expect 204
req DELETE "$P/$P1" "" "$TOKEN" && expect 404
req GET "$P/$P1" "" "$TOKEN" && expect 404
req DELETE "$H/$H1" "" "$TOKEN" && expect 204
req GET "$H/$H1" "" "$TOKEN" && expect 404
req DELETE "$H/$NOBODY" "" "$TOKEN" && expect 404
[[ $(sql "SELECT count(*) FROM tenant_acme.sla_policies WHERE deleted_at IS NOT NULL") == 1 ]] || fail "soft delete"
req GET $P "" "$TOKEN" && expect 200
[[ $(json .meta.total) == 2 ]] || fail "deleted policy listed"
ok

step "the read model holds what the API answered"
req GET "$P/$P2" "" "$TOKEN" && expect 200
[[ $(sql "SELECT name || '|' || entity_type || '|' || is_default || '|' || conditions::text || '|' || version
          FROM tenant_acme.sla_policies WHERE id = '$P2'") == "Basic|issue|true|{\"tier\": [\"P1\", \"P2\"]}|4" ]] ||
    fail "policy row"
[[ $(sql "SELECT string_agg(to_char(start_time, 'HH24:MI') || '-' || to_char(end_time, 'HH24:MI'), ','
          ORDER BY day_of_week, start_time) FROM tenant_acme.business_hours_schedule
          WHERE business_hours_id = '$H2'") == 09:00-12:00,13:00-17:30,08:00-24:00 ]] || fail "schedule rows"
[[ $(sql "SELECT timezone || '|' || is_default FROM tenant_acme.business_hours WHERE id = '$H2'") == 'Europe/Berlin|true' ]] ||
    fail "hours row"
ok

step "Idempotency-Key: a retried create answers the first entry and appends nothing"
req POST $H "$(hours_body Retry false)" "$TOKEN" 'Idempotency-Key: bh-1' && expect 201
R1=$(json .id) V=$(header ETag)
req POST $H "$(hours_body Retry false)" "$TOKEN" 'Idempotency-Key: bh-1' && expect 201
[[ $(json .id) == "$R1" && $(header Location) == "$H/$R1" ]] || fail "retry made another: $(cat "$TMP/body")"
req GET "$H/$R1" "" "$TOKEN" && expect 200
[[ $(header ETag) == "$V" ]] || fail "the retry appended"
ok

step "tenant isolation and permissions (agents read, admins manage, requesters neither)"
req GET $P "" "$G_TOKEN" && expect 200
[[ $(json .meta.total) == 0 ]] || fail "globex sees acme's"
req GET "$P/$P2" "" "$G_TOKEN" && expect 404
req DELETE "$P/$P2" "" "$G_TOKEN" && expect 404
for who in agent requester; do
    req POST /api/v1/users "{\"email\":\"$who@acme.test\",\"name\":\"$who\",\"password\":\"$PW\",\"roles\":[\"$who\"]}" "$TOKEN"
    expect 201
done
login acme agent@acme.test "$PW" && expect 200
A_TOKEN=$(json .access_token)
login acme requester@acme.test "$PW" && expect 200
R_TOKEN=$(json .access_token)
req GET "$P/$P2" "" "$A_TOKEN" && expect 200
req GET $H "" "$A_TOKEN" && expect 200
req POST $P "$(policy_body X false null)" "$A_TOKEN" && expect 403
req PUT "$H/$H2" "$(hours_body X false)" "$A_TOKEN" && expect 403
for m in GET DELETE; do
    req $m "$P/$P2" "" "$R_TOKEN" && expect 403
    req $m "$H/$H2" "" "$R_TOKEN" && expect 403
done
req POST $H "$(hours_body X false)" "$R_TOKEN" && expect 403
req PUT "$P/$P2" "$(policy_body X false null)" "$R_TOKEN" && expect 403
ok

step "a rebuild from the log gives the same read model"
req GET $P "" "$TOKEN" && cp "$TMP/body" "$TMP/p_before"
req GET $H "" "$TOKEN" && cp "$TMP/body" "$TMP/h_before"
"$FLCTL" --data "$DATA" projections rebuild --tenant acme --pg "$PG" >/dev/null || fail "rebuild"
req GET $P "" "$TOKEN" && expect 200
diff <(jq -S . "$TMP/p_before") <(jq -S . "$TMP/body") >/dev/null || fail "policies differ after a rebuild"
req GET $H "" "$TOKEN" && expect 200
diff <(jq -S . "$TMP/h_before") <(jq -S . "$TMP/body") >/dev/null || fail "hours differ after a rebuild"
ok

step "an issue created after a policy made through the API gets a clock (warning at 30 s)"
req POST $P '{"name":"One minute","entity_type":"issue","is_default":true,"targets":[{"metric_type":"response_time","priority":"critical","target_minutes":1,"warning_percent":50,"business_hours_only":false}]}' "$TOKEN"
expect 201
req POST /api/v1/issues '{"title":"down","priority":"critical"}' "$TOKEN" && expect 201
ISSUE=$(json .id)
events_of() { # events_of TYPE: the issue's events of that type, one JSON a line
    "$FLCTL" --data "$DATA" log dump --tenant acme --stream "issue:$ISSUE" | jq -c "select(.type == \"$1\")"
}
us() { # µs since the epoch of an RFC 3339 instant
    local s=${1%.*} frac=${1#*.}
    frac=${frac%Z}
    echo $(($(date -ud "$s" +%s) * 1000000 + 10#${frac:-0}))
}
# Judged on the log's own instants, not on this script's sleeps (a slow answer under
# ASan must not look like an early warning): crossed at exactly 50 % of the target after
# the creation, and appended at or after that instant, never before.
for _ in $(seq 1 60); do
    [[ -n $(events_of issue.sla_warning) ]] && break
    sleep 1
done
w=$(events_of issue.sla_warning)
[[ -n $w && $(wc -l <<<"$w") == 1 && $(jq -r .data.metric <<<"$w") == response && $(jq -r .data.target_minutes <<<"$w") == 1 ]] ||
    fail "no warning: $w"
created=$(us "$(events_of issue.created | jq -r .ts)")
crossed=$(us "$(jq -r .data.crossed_at <<<"$w")")
((crossed == created + 30000000)) || fail "crossed_at $(jq -r .data.crossed_at <<<"$w")"
(($(us "$(jq -r .ts <<<"$w")") >= crossed)) || fail "warned before 50 % of the target: $w"
ok
