#!/usr/bin/env bash
# End to end: API keys for service accounts through the real binaries. A key
# is shown once, acts for its creator narrowed to its scopes, is refused at
# once when revoked, expired, malformed, or its creator is deactivated, never
# crosses tenants, cannot create keys nor grant more than its creator holds,
# and leaves "apikey:<id>" as the actor of what it does.
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
ADMIN=$(json .access_token)
ADMIN_ID=$(json .user.id)

step "create: 201 with the key once, a prefix, no hash anywhere"
req POST /api/v1/api-keys '{"name":"CI reader","scopes":["users:read"]}' "$ADMIN" && expect 201
KEY=$(json .key)
KID=$(json .id)
[[ $KEY == fl_acme_"$KID"_* && ${#KEY} -eq $((3 + 4 + 1 + 36 + 1 + 43)) ]] || fail "key format: $KEY"
[[ $(json .prefix) == "fl_acme_${KID:0:8}" && $KEY == "$(json .prefix)"* ]] || fail "prefix"
[[ $(json '.scopes | join(",")') == users:read && $(json .created_by) == "$ADMIN_ID" ]] ||
    fail "representation: $(cat "$TMP/body")"
[[ $(json .expires_at) == null && $(json .last_used_at) == null ]] || fail "no expiry, unused"
[[ $(header Location) == "/api/v1/api-keys/$KID" && $(header Cache-Control) == no-store ]] ||
    fail "Location or Cache-Control"
grep -qi hash "$TMP/body" && fail "the answer shows a hash"
req GET "/api/v1/api-keys/$KID" "" "$ADMIN" && expect 200
[[ $(json .name) == "CI reader" && $(json .key) == null ]] || fail "GET: $(cat "$TMP/body")"
grep -qi hash "$TMP/body" && fail "GET shows a hash"
ok

step "validation: every bad field named, nothing created"
req POST /api/v1/api-keys '{"name":"","scopes":["users:read","users:*","users:read"],"expires_at":"2001-01-01T00:00:00Z","colour":1}' "$ADMIN"
expect 422
for f in name 'scopes[1]' 'scopes[2]' colour; do
    json '[.errors[].field] | join(" ")' | grep -qF "$f" || fail "field $f not named"
done
req POST /api/v1/api-keys '{"name":"old","scopes":["users:read"],"expires_at":"2001-01-01T00:00:00Z"}' "$ADMIN"
expect 422
[[ $(json '.errors[0].field') == expires_at ]] || fail "past expires_at not named"
req POST /api/v1/api-keys '{"name":"far","scopes":["users:read"],"expires_at":"2099-01-01T00:00:00Z"}' "$ADMIN"
expect 422
req GET /api/v1/api-keys "" "$ADMIN" && expect 200
[[ $(json .meta.total) == 1 ]] || fail "a refused create left a key: $(cat "$TMP/body")"
ok

step "the key works within its scopes only"
req GET /api/v1/users "" "$KEY" && expect 200
[[ $(json '.data[0].email') == admin@acme.test ]] || fail "users through the key"
req POST /api/v1/users '{"email":"x@acme.test","name":"X"}' "$KEY" && expect 403
req GET /api/v1/groups "" "$KEY" && expect 403
req GET /api/v1/api-keys "" "$KEY" && expect 403
ok

step "/auth/me with a key: the key and its creator"
req GET /api/v1/auth/me "" "$KEY" && expect 200
[[ $(json .type) == api_key && $(json .api_key.id) == "$KID" && $(json .api_key.name) == "CI reader" ]] ||
    fail "me: $(cat "$TMP/body")"
[[ $(json .user.id) == "$ADMIN_ID" && $(json '.api_key.scopes | join(",")') == users:read ]] ||
    fail "me user or scopes"
ok

step "the list shows last_used_at after a use, never the key nor its hash"
for _ in $(seq 1 30); do
    req GET "/api/v1/api-keys?per_page=10&sort=name" "" "$ADMIN" && expect 200
    [[ $(json '.data[0].last_used_at') != null ]] && break
    sleep 0.1
done
[[ $(json '.data[0].last_used_at') != null ]] || fail "last_used_at not recorded: $(cat "$TMP/body")"
[[ $(json '.data[0].prefix') == "fl_acme_${KID:0:8}" ]] || fail "prefix in the list"
grep -qi -e hash -e "$KEY" "$TMP/body" && fail "the list shows the key or a hash"
"$FLCTL" --data "$DATA" log dump --tenant acme --stream "apikey:$KID" >"$TMP/dump" ||
    fail "log dump"
[[ $(grep -c '"api_key.used"' "$TMP/dump") == 1 ]] || fail "uses within a minute recorded more than once"
grep '"api_key.used"' "$TMP/dump" | grep -q "\"actor\":\"apikey:$KID\"" || fail "used: actor"
grep -q "${KEY##*_}" "$TMP/dump" && fail "the secret is in the log"
ok

step "malformed and forged keys: 401, the same answer as an unknown key"
req GET /api/v1/users "" "fl_acme_00000000-0000-4000-8000-000000000000_${KEY##*_}" && expect 401
unknown=$(json .detail)
for bad in "fl_" "fl_acme" "fl_acme_$KID" "${KEY%?}" "${KEY}A" "${KEY%?}$([[ ${KEY: -1} == A ]] && echo B || echo A)" \
    "fl_nosuch_${KEY#fl_acme_}" "fl_ACME_${KEY#fl_acme_}"; do
    req GET /api/v1/users "" "$bad" && expect 401
    [[ $(json .detail) == "$unknown" ]] || fail "'$bad' answered '$(json .detail)'"
done
ok

step "tenants: a key names its tenant; globex cannot borrow acme's key"
login globex admin@globex.test "$PW" && expect 200
G_ADMIN=$(json .access_token)
req POST /api/v1/api-keys '{"name":"globex reader","scopes":["users:read"]}' "$G_ADMIN" && expect 201
GKEY=$(json .key)
GKID=$(json .id)
req GET /api/v1/users "" "fl_globex_${KEY#fl_acme_}" && expect 401
req GET /api/v1/users "" "fl_acme_${GKEY#fl_globex_}" && expect 401
req GET /api/v1/users "" "$GKEY" && expect 200
[[ $(json '[.data[].email] | join(",")') == admin@globex.test ]] || fail "globex's key sees: $(cat "$TMP/body")"
req GET "/api/v1/api-keys/$GKID" "" "$ADMIN" && expect 404
req DELETE "/api/v1/api-keys/$GKID" "" "$ADMIN" && expect 404
req GET /api/v1/users "" "$GKEY" && expect 200
ok

step "a key cannot create keys; no one grants a scope they do not hold"
req POST /api/v1/roles '{"name":"keymaker","display_name":"Key maker","permissions":["integrations:create","integrations:read","users:read","groups:create","groups:read"]}' "$ADMIN"
expect 201
req POST /api/v1/users "{\"email\":\"kim@acme.test\",\"name\":\"Kim\",\"password\":\"$PW\",\"roles\":[\"keymaker\"]}" "$ADMIN"
expect 201
KIM_ID=$(json .id)
login acme kim@acme.test "$PW" && expect 200
KIM=$(json .access_token)
req POST /api/v1/api-keys '{"name":"too much","scopes":["users:read","users:create"]}' "$KIM" && expect 403
json '[.errors[].field] | join(" ")' | grep -qw scopes || fail "403 does not name scopes"
req POST /api/v1/api-keys '{"name":"kim bot","scopes":["users:read","groups:create","integrations:create"]}' "$KIM"
expect 201
KIMKEY=$(json .key)
KIMKID=$(json .id)
req POST /api/v1/api-keys '{"name":"child","scopes":["users:read"]}' "$KIMKEY" && expect 403
req POST /api/v1/api-keys '{"name":"child","scopes":["users:read"]}' "$KEY" && expect 403
ok

step "what a key does is recorded with actor apikey:<id>"
req POST /api/v1/groups '{"name":"Bots"}' "$KIMKEY" && expect 201
GROUP=$(json .id)
"$FLCTL" --data "$DATA" log dump --tenant acme --stream "group:$GROUP" >"$TMP/dump" || fail "log dump"
grep -q "\"actor\":\"apikey:$KIMKID\"" "$TMP/dump" || fail "actor: $(cat "$TMP/dump")"
ok

step "demoting the creator narrows the key; deactivating them stops it"
req GET /api/v1/users "" "$KIMKEY" && expect 200
req PUT "/api/v1/users/$KIM_ID" '{"roles":["requester"]}' "$ADMIN" && expect 200
req GET /api/v1/users "" "$KIMKEY" && expect 403
req POST /api/v1/groups '{"name":"Bots 2"}' "$KIMKEY" && expect 403
req PUT "/api/v1/users/$KIM_ID" '{"roles":["keymaker"]}' "$ADMIN" && expect 200
req GET /api/v1/users "" "$KIMKEY" && expect 200
req DELETE "/api/v1/users/$KIM_ID" "" "$ADMIN" && expect 200
req GET /api/v1/users "" "$KIMKEY" && expect 401
ok

step "revoke: the next request with the key is 401"
req DELETE "/api/v1/api-keys/$KID" "" "$ADMIN" && expect 204
req GET /api/v1/users "" "$KEY" && expect 401
[[ $(json .detail) == *revoked* ]] || fail "detail: $(json .detail)"
req DELETE "/api/v1/api-keys/$KID" "" "$ADMIN" && expect 409
req GET "/api/v1/api-keys/$KID" "" "$ADMIN" && expect 200
[[ $(json .revoked_at) != null ]] || fail "revoked_at not shown"
req GET "/api/v1/api-keys?revoked=false" "" "$ADMIN" && expect 200
json '[.data[].id] | join(" ")' | grep -q "$KID" && fail "a revoked key listed as live"
req GET "/api/v1/api-keys?colour=red" "" "$ADMIN" && expect 422
ok

step "an expired key is 401"
EXP=$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%SZ)
req POST /api/v1/api-keys "{\"name\":\"short\",\"scopes\":[\"users:read\"],\"expires_at\":\"$EXP\"}" "$ADMIN"
expect 201
SHORT=$(json .key)
[[ $(json .expires_at) == "${EXP%Z}.000000Z" ]] || fail "expires_at: $(json .expires_at)"
req GET /api/v1/users "" "$SHORT" && expect 200
sleep 3
req GET /api/v1/users "" "$SHORT" && expect 401
[[ $(json .detail) == *expired* ]] || fail "detail: $(json .detail)"
ok

step "a suspended tenant refuses its keys with 403"
"$FLCTL" --data "$DATA" tenant suspend globex >/dev/null || fail "suspend"
for _ in $(seq 1 30); do
    req GET /api/v1/users "" "$GKEY"
    [[ $STATUS == 403 ]] && break
    sleep 0.1
done
expect 403
ok

step "keys survive a restart (the write side is the log)"
server_kill TERM
[[ $LAST_EXIT == 0 ]] || fail "the server exited with $LAST_EXIT on SIGTERM: $(tail -20 "$TMP/server.err")"
server_start --read-wait-ms 2000
req POST /api/v1/api-keys '{"name":"after","scopes":["users:read"]}' "$ADMIN" && expect 201
req GET /api/v1/users "" "$(json .key)" && expect 200
req GET /api/v1/users "" "$KEY" && expect 401
ok
