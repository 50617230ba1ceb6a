#!/usr/bin/env bash
# End to end: the application registry through the real binaries (a private
# PostgreSQL, `flctl tenant create`, `firelater`, curl). Covers applications
# (create, list with filters, get by id and by number, update with If-Match,
# soft delete), gapless APP numbers, references checked on the write side,
# environments (unique names per application, 409), bad input on every
# endpoint, time travel, the audit trail, tenant isolation and a rebuild.
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
BIG=$(head -c 102400 /dev/zero | tr '\0' x)

# field_named FIELD: the problem names FIELD among its errors.
field_named() {
    json '[.errors[].field] | join(" ")' | grep -qw -- "$1" || fail "no error on $1: $(cat "$TMP/body")"
}
# total PATH: meta.total of a list.
total() {
    req GET "$1" "" "$TOKEN" && expect 200
    json .meta.total
}

step "set-up: an owner, an inactive user, a support group, a deleted group"
req POST /api/v1/users "{\"email\":\"ann@acme.test\",\"name\":\"Ann\",\"password\":\"$PW\",\"roles\":[\"agent\"]}" "$TOKEN"
expect 201
ANN=$(json .id)
req POST /api/v1/users "{\"email\":\"old@acme.test\",\"name\":\"Old\",\"password\":\"$PW\"}" "$TOKEN"
expect 201
OLD=$(json .id)
req DELETE "/api/v1/users/$OLD" "" "$TOKEN"
[[ $STATUS == 200 || $STATUS == 204 ]] || fail "deactivate: $STATUS"
req POST /api/v1/groups '{"name":"Ops"}' "$TOKEN" && expect 201
OPS=$(json .id)
req POST /api/v1/groups '{"name":"Gone"}' "$TOKEN" && expect 201
GONE=$(json .id)
req DELETE "/api/v1/groups/$GONE" "" "$TOKEN" && expect 204
ok

step "create: numbered APP-00001, defaults, Location, ETag"
req POST /api/v1/applications "{\"name\":\"Payroll\",\"description\":\"pays\",\"tier\":\"P1\",
    \"lifecycle_stage\":\"production\",\"owner_user_id\":\"$ANN\",\"owner_group_id\":\"$OPS\",
    \"support_group_id\":\"$OPS\",\"business_unit\":\"Finance\",\"criticality\":\"mission_critical\",
    \"tags\":[\"pci\",\"core\",\"pci\"],\"metadata\":{\"cost_center\":\"42\",\"sox\":true}}" "$TOKEN"
expect 201
APP=$(json .id)
[[ $(json .app_id) == APP-00001 ]] || fail "first number $(json .app_id)"
[[ $(header Location) == "/api/v1/applications/$APP" ]] || fail "Location $(header Location)"
[[ $(header ETag) == '"1"' ]] || fail "ETag $(header ETag)"
[[ $(json '.tags | join(",")') == core,pci ]] || fail "tags not sorted and distinct: $(json .tags)"
[[ $(json .status) == active && $(json .metadata.sox) == true ]] || fail "body $(cat "$TMP/body")"
req POST /api/v1/applications '{"name":"Wiki","tier":"P4"}' "$TOKEN" && expect 201
WIKI=$(json .id)
[[ $(json .app_id) == APP-00002 && $(json .lifecycle_stage) == production ]] || fail "$(cat "$TMP/body")"
[[ $(json '.tags | length') == 0 && $(json '.metadata | length') == 0 ]] || fail "defaults"
ok

step "create: every bad field named at once; refusals take no number"
req POST /api/v1/applications "{\"name\":\"$BIG\",\"tier\":\"P1\"}" "$TOKEN"
expect 422 && field_named name
req POST /api/v1/applications "{\"name\":7,\"tier\":\"P5\",\"status\":\"gone\",\"color\":1,
    \"lifecycle_stage\":7,\"owner_user_id\":\"nope\",\"criticality\":\"high\",\"tags\":\"x\",
    \"metadata\":[],\"description\":\"$BIG\",\"business_unit\":null}" "$TOKEN"
expect 422
for f in name tier status color lifecycle_stage owner_user_id criticality tags metadata description; do
    field_named "$f"
done
req POST /api/v1/applications '{"description":"no name"}' "$TOKEN" && expect 422
field_named name && field_named tier
req POST /api/v1/applications '{"name":"   ","tier":"P1","tags":["ok",""]}' "$TOKEN" && expect 422
field_named name && field_named 'tags\[1\]'
req POST /api/v1/applications "{\"name\":\"M\",\"tier\":\"P1\",\"metadata\":{\"k\":\"$BIG\"}}" "$TOKEN"
expect 422 && field_named metadata
req POST /api/v1/applications '{"name":"M","tier":"P1","metadata":{"k":"a\u0000b"}}' "$TOKEN"
expect 400 # the server's JSON reader refuses NUL (jsonb would too)
req POST /api/v1/applications '[1,2]' "$TOKEN" && expect 422
req POST /api/v1/applications '{"name":' "$TOKEN" && expect 400
[[ $(total /api/v1/applications) == 2 ]] || fail "a refused create was recorded"
ok

step "references must exist and be live"
req POST /api/v1/applications "{\"name\":\"R\",\"tier\":\"P2\",\"owner_user_id\":\"$NOBODY\"}" "$TOKEN"
expect 422 && field_named owner_user_id
req POST /api/v1/applications "{\"name\":\"R\",\"tier\":\"P2\",\"owner_user_id\":\"$OLD\"}" "$TOKEN"
expect 422 && field_named owner_user_id
req POST /api/v1/applications "{\"name\":\"R\",\"tier\":\"P2\",\"owner_group_id\":\"$NOBODY\"}" "$TOKEN"
expect 422 && field_named owner_group_id
req POST /api/v1/applications "{\"name\":\"R\",\"tier\":\"P2\",\"support_group_id\":\"$GONE\"}" "$TOKEN"
expect 422 && field_named support_group_id
req PUT "/api/v1/applications/$WIKI" "{\"owner_user_id\":\"$ANN\"}" "$TOKEN" && expect 200
[[ $(json .owner_user_id) == "$ANN" ]] || fail "owner not set"
req POST /api/v1/applications "{\"name\":\"Third\",\"tier\":\"P3\",\"tags\":[\"core\"]}" "$TOKEN"
expect 201
THIRD=$(json .id)
[[ $(json .app_id) == APP-00003 ]] || fail "numbers have a gap: $(json .app_id)"
ok

step "list: filters, sorting, paging; bad parameters are 422"
[[ $(total "/api/v1/applications?tier=P1") == 1 ]] || fail "tier filter"
[[ $(total "/api/v1/applications?owner=$ANN") == 2 ]] || fail "owner filter (user)"
[[ $(total "/api/v1/applications?owner=$OPS") == 1 ]] || fail "owner filter (group)"
[[ $(total "/api/v1/applications?tag=core") == 2 ]] || fail "tag filter"
[[ $(total "/api/v1/applications?q=payr") == 1 ]] || fail "q filter"
[[ $(total "/api/v1/applications?q=app-0000") == 3 ]] || fail "q on the number"
[[ $(total "/api/v1/applications?status=active&criticality=mission_critical") == 1 ]] || fail "and"
req GET "/api/v1/applications?sort=app_id&order=desc&per_page=2" "" "$TOKEN" && expect 200
[[ $(json '[.data[].app_id] | join(",")') == APP-00003,APP-00002 ]] || fail "sort: $(cat "$TMP/body")"
req GET "/api/v1/applications?page=9" "" "$TOKEN" && expect 200
[[ $(json '.data | length') == 0 && $(json .meta.total) == 3 ]] || fail "page past the end"
req GET "/api/v1/applications?tier=P9&owner=x&sort=color&per_page=0&order=up&size=1&tier=P1" "" "$TOKEN"
expect 422
for f in tier owner sort per_page order size; do field_named "$f"; done
ok

step "get: by id and by number; unknown ids are 404"
req GET "/api/v1/applications/$APP" "" "$TOKEN" && expect 200
[[ $(json .name) == Payroll && $(json .version) == 1 && $(json .environment_count) == 0 ]] ||
    fail "$(cat "$TMP/body")"
req GET /api/v1/applications/app-00001 "" "$TOKEN" && expect 200
[[ $(json .id) == "$APP" ]] || fail "by number"
for id in $NOBODY APP-99999 not-an-id; do
    req GET "/api/v1/applications/$id" "" "$TOKEN" && expect 404
done
req GET "/api/v1/applications/$APP?include=x" "" "$TOKEN" && expect 422
ok

step "update: partial, If-Match, no-op appends nothing, unknown fields refused"
req PUT "/api/v1/applications/$APP" '{"name":"Payroll 2"}' "$TOKEN" 'If-Match: "7"' && expect 412
req PUT "/api/v1/applications/$APP" '{"name":"Payroll 2","tier":"P2","tags":[]}' "$TOKEN" 'If-Match: "1"'
expect 200
[[ $(json .name) == "Payroll 2" && $(json .tier) == P2 && $(header ETag) == '"2"' ]] || fail "$(cat "$TMP/body")"
[[ $(json .criticality) == mission_critical ]] || fail "an absent field changed"
req PUT "/api/v1/applications/$APP" '{"name":"Payroll 2"}' "$TOKEN" && expect 200
[[ $(header ETag) == '"2"' ]] || fail "a no-op appended"
req PUT "/api/v1/applications/$APP" "{\"wat\":1,\"tier\":null,\"criticality\":null,\"name\":\"$BIG\"}" "$TOKEN"
expect 422
field_named wat && field_named tier && field_named name
req PUT "/api/v1/applications/$APP" "{\"support_group_id\":\"$GONE\"}" "$TOKEN" && expect 422
req PUT "/api/v1/applications/$NOBODY" '{"name":"x"}' "$TOKEN" && expect 404
req PUT "/api/v1/applications/$APP" '{"name":"x"}' "$TOKEN" 'If-Match: nope' && expect 412
ok

step "environments: add, list, get, update; names unique per application (409)"
E="/api/v1/applications/$APP/environments"
req POST "$E" '{"name":"production","type":"prod","url":"https://pay.acme.test","cloud_provider":"aws",
    "cloud_region":"eu-west-1","resource_ids":["i-2","i-1"],"metadata":{"a":1}}' "$TOKEN"
expect 201
PROD=$(json .id)
[[ $(header Location) == "$E/$PROD" && $(json .application_id) == "$APP" ]] || fail "$(cat "$TMP/headers")"
[[ $(json '.resource_ids | join(",")') == i-1,i-2 && $(json .status) == active ]] || fail "$(cat "$TMP/body")"
req POST "$E" '{"name":"PRODUCTION","type":"prod"}' "$TOKEN" && expect 409 && field_named name
req POST "/api/v1/applications/$WIKI/environments" '{"name":"production","type":"prod"}' "$TOKEN"
expect 201 # another application may use the name
req POST "$E" '{"name":"staging","type":"staging"}' "$TOKEN" && expect 201
STG=$(json .id)
req POST "$E" "{\"name\":\"$BIG\",\"type\":\"qa\",\"cloud_provider\":\"ibm\",\"x\":1,\"resource_ids\":[1]}" "$TOKEN"
expect 422
for f in name type cloud_provider x 'resource_ids\[0\]'; do field_named "$f"; done
req GET "$E?sort=name" "" "$TOKEN" && expect 200
[[ $(json '[.data[].name] | join(",")') == production,staging ]] || fail "list $(cat "$TMP/body")"
[[ $(total "$E?type=prod") == 1 ]] || fail "type filter"
req GET "$E?type=qa" "" "$TOKEN" && expect 422
req GET "$E/$PROD" "" "$TOKEN" && expect 200
[[ $(json .cloud_region) == eu-west-1 ]] || fail "get env"
req PUT "$E/$STG" '{"name":"Production"}' "$TOKEN" && expect 409
req PUT "$E/$STG" '{"name":"preprod","status":"inactive"}' "$TOKEN" && expect 200
[[ $(json .name) == preprod && $(json .status) == inactive ]] || fail "$(cat "$TMP/body")"
req PUT "$E/$STG" '{"status":"paused"}' "$TOKEN" && expect 422 && field_named status
req GET "/api/v1/applications/$APP" "" "$TOKEN" && expect 200
[[ $(json .environment_count) == 2 ]] || fail "environment_count $(json .environment_count)"
for path in "$E/$NOBODY" "/api/v1/applications/$NOBODY/environments" "$E/nope"; do
    req GET "$path" "" "$TOKEN" && expect 404
    req PUT "$path" '{"name":"x"}' "$TOKEN"
    [[ $STATUS == 404 || $path != */environments/* ]] || fail "PUT $path: $STATUS"
done
req POST "/api/v1/applications/$NOBODY/environments" '{"name":"x","type":"dev"}' "$TOKEN" && expect 404
ok

step "environments: removed, and the name is free again"
req DELETE "$E/$STG" "" "$TOKEN" 'If-Match: "1"' && expect 412
req DELETE "$E/$STG" "" "$TOKEN" && expect 204
req GET "$E/$STG" "" "$TOKEN" && expect 404
req DELETE "$E/$STG" "" "$TOKEN" && expect 404
req POST "$E" '{"name":"preprod","type":"test"}' "$TOKEN" && expect 201
ok

step "time travel: the application as it was"
sleep 0.01
req GET "/api/v1/applications/$APP?as_of=2000-01-01T00:00:00Z" "" "$TOKEN" && expect 404
req GET "/api/v1/applications/$APP?as_of=yesterday" "" "$TOKEN" && expect 422 && field_named as_of
T1=$(psql "$PG" -At -c "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')
     FROM tenant_acme.applications WHERE id = '$APP'") || fail psql
req GET "/api/v1/applications/$APP?as_of=$T1" "" "$TOKEN" && expect 200
[[ $(json .name) == Payroll && $(json .app_id) == APP-00001 && $(header ETag) == '"1"' ]] ||
    fail "as_of: $(cat "$TMP/body")"
ok

step "the audit trail names the application for its environments' events"
req GET "/api/v1/audit-logs/application/$APP" "" "$TOKEN" && expect 200
json '[.data[].event_type] | join(" ")' | grep -q application.environment_removed ||
    fail "audit: $(json '[.data[].event_type]')"
[[ $(json '[.data[] | select(.entity_id != "'"$APP"'")] | length') == 0 ]] || fail "entity ids"
ok

step "tenant isolation: globex sees none of acme's applications"
req GET /api/v1/applications "" "$G_TOKEN" && expect 200
[[ $(json .meta.total) == 0 ]] || fail "globex sees $(json .meta.total)"
req GET "/api/v1/applications/$APP" "" "$G_TOKEN" && expect 404
req GET /api/v1/applications/APP-00001 "" "$G_TOKEN" && expect 404
req PUT "/api/v1/applications/$APP" '{"name":"Hijacked"}' "$G_TOKEN" && expect 404
req DELETE "/api/v1/applications/$APP" "" "$G_TOKEN" && expect 404
req GET "$E" "" "$G_TOKEN" && expect 404
req POST "$E" '{"name":"evil","type":"dev"}' "$G_TOKEN" && expect 404
req PUT "$E/$PROD" '{"name":"evil"}' "$G_TOKEN" && expect 404
req DELETE "$E/$PROD" "" "$G_TOKEN" && expect 404
req POST /api/v1/applications '{"name":"Own","tier":"P1"}' "$G_TOKEN" && expect 201
[[ $(json .app_id) == APP-00001 ]] || fail "numbers are per tenant: $(json .app_id)"
ok

step "permissions: an agent reads, cannot write"
login acme ann@acme.test "$PW" && expect 200
A_TOKEN=$(json .access_token)
req GET /api/v1/applications "" "$A_TOKEN" && expect 200
req POST /api/v1/applications '{"name":"No","tier":"P1"}' "$A_TOKEN" && expect 403
req POST "$E" '{"name":"no","type":"dev"}' "$A_TOKEN" && expect 403
ok

step "Idempotency-Key: a retried create returns the first application"
req POST /api/v1/applications '{"name":"Once","tier":"P3"}' "$TOKEN" 'Idempotency-Key: k1' && expect 201
ONCE=$(json .id)
req POST /api/v1/applications '{"name":"Once","tier":"P3"}' "$TOKEN" 'Idempotency-Key: k1'
[[ $STATUS == 201 && $(json .id) == "$ONCE" ]] || fail "retry gave $STATUS $(json .id)"
[[ $(total "/api/v1/applications?q=once") == 1 ]] || fail "the retry created another"
ok

step "delete: soft, takes the environments, 404 afterwards"
req DELETE "/api/v1/applications/$APP" "" "$TOKEN" 'If-Match: "2"' && expect 412
req DELETE "/api/v1/applications/$APP" "" "$TOKEN" && expect 204
req GET "/api/v1/applications/$APP" "" "$TOKEN" && expect 404
req GET "$E" "" "$TOKEN" && expect 404
req PUT "/api/v1/applications/$APP" '{"name":"x"}' "$TOKEN" && expect 404
req DELETE "/api/v1/applications/$APP" "" "$TOKEN" && expect 404
[[ $(total /api/v1/applications) == 3 ]] || fail "the deleted application is listed"
n=$(psql "$PG" -At -c "SELECT count(*) FROM tenant_acme.environments
     WHERE application_id = '$APP' AND deleted_at IS NULL") || fail psql
[[ $n == 0 ]] || fail "$n environments outlive their application"
ok

step "a rebuild from the log gives the same read model"
req GET "/api/v1/applications?sort=app_id" "" "$TOKEN" && expect 200
cp "$TMP/body" "$TMP/before"
"$FLCTL" --data "$DATA" projections rebuild --tenant acme --pg "$PG" >/dev/null || fail "rebuild"
req GET "/api/v1/applications?sort=app_id" "" "$TOKEN" && expect 200
diff <(jq -S . "$TMP/before") <(jq -S . "$TMP/body") >/dev/null || fail "rebuild differs"
ok
