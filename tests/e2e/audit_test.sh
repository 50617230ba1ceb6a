#!/usr/bin/env bash
# The audit trail end to end: users and groups created and changed through
# the API show up in GET /audit-logs with the actor, the request id the
# client sent, its address and user agent, and the fields changed from/to;
# the filters, the entity route, paging bounds, redaction (no password hash
# ever), audit:read enforced, and each entry's hash equal to the one
# `flctl audit export` prints for the same event; a rebuild gives the same
# trail.
set -uo pipefail
FIRELATER=$1
FLCTL=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"

PW='correct horse battery staple'
ANN_PW='ann password 1234'
UA='AuditProbe/7.1 (e2e; +audit_test.sh)'
pg_start
"$FLCTL" --data "$DATA" tenant create acme --name "Acme" --admin-email admin@acme.test \
    --admin-password "$PW" --pg "$PG" >/dev/null || fail "tenant create acme"
server_start --read-wait-ms 2000

# areq METHOD PATH BODY REQUEST_ID: as the admin, with the probe's user agent.
areq() {
    req "$1" "$2" "$3" "$TOKEN" "X-Request-Id: $4" "User-Agent: $UA"
}

# audit QUERY: GET /api/v1/audit-logs?QUERY as the admin; expects 200.
audit() {
    req GET "/api/v1/audit-logs?$1" "" "$TOKEN" && expect 200
}

step "changes through the API"
login acme admin@acme.test "$PW" && expect 200
TOKEN=$(json .access_token)
ADMIN=$(json .user.id)
START=$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)
areq POST /api/v1/users "{\"email\":\"ann@acme.test\",\"name\":\"Ann\",\"password\":\"$ANN_PW\",\"roles\":[\"agent\"]}" \
    audit-create-ann && expect 201
ANN=$(json .id)
areq PUT "/api/v1/users/$ANN" '{"name":"Ann Auditor","timezone":"Europe/London"}' audit-update-ann &&
    expect 200
areq POST /api/v1/groups '{"name":"Ops","description":"first"}' audit-create-ops && expect 201
OPS=$(json .id)
areq PUT "/api/v1/groups/$OPS" '{"description":"second"}' audit-update-ops && expect 200
areq POST "/api/v1/groups/$OPS/members" "{\"user_id\":\"$ANN\"}" audit-member-ops && expect 200
areq PUT "/api/v1/users/$ANN/password" '{"new_password":"a brand new secret 9"}' audit-pw-ann &&
    expect 204
ok

step "who, when, from where: the created user"
audit "request_id=audit-create-ann&order=asc"
[[ $(json '.meta.total') == 2 ]] || fail "user.created and user.email_claimed expected"
[[ $(json '[.data[].event_type] | join(",")') == user.created,user.email_claimed ]] ||
    fail "event types: $(json '[.data[].event_type]')"
e='.data[0]'
[[ $(json "$e.actor") == "user:$ADMIN" && $(json "$e.user_id") == "$ADMIN" ]] || fail "actor"
[[ $(json "$e.user_email") == admin@acme.test ]] || fail "the actor's email is not joined"
[[ $(json "$e.action") == created && $(json "$e.entity_type") == user ]] || fail "action, type"
[[ $(json "$e.entity_id") == "$ANN" && $(json "$e.stream") == "user:$ANN" ]] || fail "entity id"
[[ $(json "$e.request_id") == audit-create-ann ]] || fail "request id"
[[ $(json "$e.ip_address") == 127.0.0.1 ]] || fail "ip address: $(json "$e.ip_address")"
[[ $(json "$e.user_agent") == "$UA" ]] || fail "user agent: $(json "$e.user_agent")"
[[ $(json "$e.changes.email.from") == null && $(json "$e.changes.email.to") == ann@acme.test ]] ||
    fail "created changes: $(json "$e.changes")"
[[ $(json "$e.changes.password_hash") == '[redacted]' && $(json "$e.data.password_hash") == '[redacted]' ]] ||
    fail "the password hash is not redacted"
[[ $(json "$e.created_at") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z$ ]] ||
    fail "created_at is not RFC 3339 with µs: $(json "$e.created_at")"
[[ $(json "$e.hash") =~ ^[0-9a-f]{64}$ && $(json "$e.position") -gt 0 ]] || fail "hash, position"
# The email claim belongs to the user it was claimed for.
[[ $(json '.data[1].entity_type') == user && $(json '.data[1].entity_id') == "$ANN" ]] ||
    fail "claim entity: $(json '.data[1]')"
ok

step "changes from/to, and the entity route"
req GET "/api/v1/audit-logs/user/$ANN?action=updated" "" "$TOKEN" && expect 200
[[ $(json '.meta.total') == 1 ]] || fail "one update expected"
[[ $(json '.data[0].changes.name.from') == Ann && $(json '.data[0].changes.name.to') == "Ann Auditor" ]] ||
    fail "name change: $(json '.data[0].changes')"
[[ $(json '.data[0].changes.timezone.to') == Europe/London ]] || fail "timezone change"
[[ $(json '.data[0].request_id') == audit-update-ann ]] || fail "update request id"
req GET "/api/v1/audit-logs/user/$ANN" "" "$TOKEN" && expect 200
[[ $(json '[.data[].event_type] | join(",")') == user.password_changed,user.updated,user.email_claimed,user.created ]] ||
    fail "the user's history, newest first: $(json '[.data[].event_type]')"
[[ $(json '.data[0].changes.password') == '[redacted]' ]] || fail "password change not redacted"
req GET "/api/v1/audit-logs/group/$OPS?order=asc" "" "$TOKEN" && expect 200
[[ $(json '[.data[].event_type] | join(",")') == group.created,group.name_claimed,group.updated,group.member_added ]] ||
    fail "the group's history: $(json '[.data[].event_type]')"
[[ $(json '.data[2].changes.description.from') == first && $(json '.data[2].changes.description.to') == second ]] ||
    fail "description change: $(json '.data[2].changes')"
[[ $(json '.data[3].data.user_id') == "$ANN" ]] || fail "member added: $(json '.data[3].data')"
# A well-formed id never seen: an empty page. A malformed type: 422 naming it.
req GET "/api/v1/audit-logs/user/00000000-0000-4000-8000-00000000dead" "" "$TOKEN" && expect 200
[[ $(json '.meta.total') == 0 && $(json '.data | length') == 0 ]] || fail "unseen id"
req GET "/api/v1/audit-logs/Users!/$ANN" "" "$TOKEN" && expect 422
[[ $(json '.errors[0].field') == entityType ]] || fail "422 does not name entityType"
req GET "/api/v1/audit-logs/user/$ANN?entity_id=x" "" "$TOKEN" && expect 422
[[ $(json '.errors[0].field') == entity_id ]] || fail "422 does not name entity_id"
ok

step "filters"
audit "entity_type=group&per_page=100"
[[ $(json '.meta.total') -ge 4 && $(json '[.data[] | select(.entity_type != "group")] | length') == 0 ]] ||
    fail "entity_type filter"
audit "entity_type=group&entity_id=$OPS"
[[ $(json '.meta.total') == 4 ]] || fail "entity_type + entity_id: $(json .meta.total)"
audit "action=user.updated"
[[ $(json '.meta.total') == 1 && $(json '.data[0].entity_id') == "$ANN" ]] || fail "action as event type"
audit "action=created&per_page=100"
[[ $(json '[.data[] | select(.action != "created")] | length') == 0 ]] || fail "action as verb"
[[ $(json '[.data[].event_type] | index("group.created")') != null ]] || fail "group.created missing"
# created + email claimed, updated, created + name claimed, updated, member added, password.
audit "user=$ADMIN&from=$START&per_page=100"
[[ $(json '.meta.total') == 8 ]] || fail "the admin's actions since the start: $(json '.meta.total')"
[[ $(json '[.data[] | select(.user_id != "'"$ADMIN"'")] | length') == 0 ]] || fail "user filter"
audit "from=2999-01-01T00:00:00Z"
[[ $(json '.meta.total') == 0 ]] || fail "from in the future"
audit "to=2000-01-01T00:00:00Z"
[[ $(json '.meta.total') == 0 ]] || fail "to in the past"
# Events from before the server ran (the tenant's creation by flctl) are there too.
audit "to=$START&order=asc&per_page=100"
[[ $(json '.meta.total') -gt 0 && $(json '.data[0].position') == 1 ]] || fail "the tenant's first events"
[[ $(json '.data[0].actor') == flctl:* && $(json '.data[0].user_id') == null ]] ||
    fail "operator actor: $(json '.data[0].actor')"
audit "order=asc&per_page=2"
first=$(json '.data[0].position')
audit "per_page=2"
[[ $(json '.data[0].position') -gt $first && $(json '.data[0].position') -gt $(json '.data[1].position') ]] ||
    fail "order: newest first by default"
ok

step "bad parameters are 422 naming them; paging bounds"
for bad in per_page=0 per_page=101 page=0 order=up user=nobody action=Updated \
    from=yesterday to=2026-02-30T00:00:00Z entity_type=User request_id= sort=created_at; do
    req GET "/api/v1/audit-logs?$bad" "" "$TOKEN" && expect 422
    [[ $(json '.errors[0].field') == "${bad%%=*}" ]] || fail "$bad: named $(json '.errors[0].field')"
done
audit "per_page=100"
[[ $(json '.meta.per_page') == 100 ]] || fail "per_page=100"
audit ""
[[ $(json '.meta.per_page') == 50 && $(json '.meta.page') == 1 ]] || fail "defaults"
total=$(json '.meta.total')
audit "per_page=3&page=2"
[[ $(json '.data | length') == 3 && $(json '.meta.total') == "$total" ]] || fail "page 2"
audit "per_page=100&page=999"
[[ $(json '.data | length') == 0 && $(json '.meta.total') == "$total" ]] || fail "past the end"
ok

step "a service account's changes: actor apikey:<id>, its key never shown"
areq POST /api/v1/api-keys '{"name":"Provisioner","scopes":["groups:create"]}' audit-key && expect 201
KEY=$(json .key)
KID=$(json .id)
req POST /api/v1/groups '{"name":"Robots"}' "$KEY" "X-Request-Id: audit-by-key" && expect 201
# The key's use (api_key.used), the group and its name claim; a key is not a user.
audit "actor=apikey:$KID&order=asc"
[[ $(json '.meta.total') -ge 3 && $(json '[.data[] | select(.user_id != null)] | length') == 0 ]] ||
    fail "the key's actions: $(json '[.data[] | {event_type, actor, user_id}]')"
[[ $(json '[.data[] | select(.event_type == "group.created")][0].request_id') == audit-by-key ]] ||
    fail "the key's group: $(json '[.data[] | {event_type, request_id}]')"
audit "request_id=audit-key"
[[ $(json '.data[0].entity_type') == api_key && $(json '.data[0].entity_id') == "$KID" ]] ||
    fail "the key's creation: $(json '.data[0]')"
ok

step "no password hash, no key, no token in any audit response"
audit "per_page=1"
total=$(json '.meta.total')
pages=$(((total + 99) / 100))
: >"$TMP/all.json"
for p in $(seq 1 "$pages"); do
    audit "per_page=100&page=$p"
    cat "$TMP/body" >>"$TMP/all.json"
done
grep -q 'argon2' "$TMP/all.json" && fail "an argon2 hash in the audit trail"
grep -q "$ANN_PW\|a brand new secret" "$TMP/all.json" && fail "a password in the audit trail"
grep -qF "${KEY#fl_acme_"$KID"_}" "$TMP/all.json" && fail "the API key's secret in the audit trail"
[[ $(jq -s '[.[].data[]] | length' "$TMP/all.json") == "$total" ]] || fail "not every entry read"
[[ $(jq -s '[.[].data[] | .. | objects | to_entries[] | select(.key | test("_hash$|password|token|secret"))
        | select(.value != "[redacted]")] | length' "$TMP/all.json") == 0 ]] ||
    fail "a secret key with a value that is not redacted"
ok

step "audit:read is required"
req POST /api/v1/users "{\"email\":\"rita@acme.test\",\"name\":\"Rita\",\"password\":\"$PW\",\"roles\":[\"requester\"]}" \
    "$TOKEN" && expect 201
login acme rita@acme.test "$PW" && expect 200
RITA_TOKEN=$(json .access_token)
req GET /api/v1/audit-logs "" "$RITA_TOKEN" && expect 403
req GET "/api/v1/audit-logs/user/$ANN" "" "$RITA_TOKEN" && expect 403
req GET /api/v1/audit-logs && expect 401
ok

step "each entry's hash is the one flctl audit export prints for that event"
"$FLCTL" --data "$DATA" audit export --tenant acme >"$TMP/export.jsonl" || fail "audit export"
audit "per_page=100"
jq -r '.data[] | "\(.position) \(.hash) \(.event_type) \(.stream)"' "$TMP/body" | sort >"$TMP/api.txt"
jq -r '"\(.pos) \(.hash) \(.type) \(.stream)"' "$TMP/export.jsonl" | sort >"$TMP/export.txt"
[[ $(wc -l <"$TMP/api.txt") -ge 20 ]] || fail "too few entries compared"
missing=$(comm -23 "$TMP/api.txt" "$TMP/export.txt")
[[ -z $missing ]] || fail "entries whose hash differs from the export: $missing"
# Every event of the log has its entry (the audit projection sees every type).
[[ $(wc -l <"$TMP/export.jsonl") == "$(json .meta.total)" ]] ||
    fail "$(wc -l <"$TMP/export.jsonl") events, $(json .meta.total) entries"
"$FLCTL" --data "$DATA" log verify --tenant acme >/dev/null || fail "log verify"
ok

step "a rebuild replays the same trail"
audit "per_page=100&order=asc"
jq -c '.data' "$TMP/body" >"$TMP/before.json"
server_kill TERM
"$FLCTL" --data "$DATA" projections rebuild --tenant acme --pg "$PG" >/dev/null || fail "rebuild"
server_start --read-wait-ms 2000
login acme admin@acme.test "$PW" && expect 200
TOKEN=$(json .access_token)
audit "per_page=100&order=asc"
# The sign-in just now is a new event; compare what was there before.
jq -c --argjson n "$(jq length "$TMP/before.json")" '.data[:$n]' "$TMP/body" >"$TMP/after.json"
diff "$TMP/before.json" "$TMP/after.json" >/dev/null || fail "the rebuilt trail differs"
ok
