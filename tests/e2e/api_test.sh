#!/usr/bin/env bash
# End to end through the real binaries: a private PostgreSQL, `flctl tenant
# create` with an admin, `firelater` on a loopback port, and curl. Covers
# sign-in, tokens, users, the read model, tenancy, suspension and the OpenAPI
# document. Crash and outage tests are in resilience_test.sh.
set -uo pipefail
FIRELATER=$1
FLCTL=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"

ADMIN_PW='correct horse battery staple'
pg_start
"$FLCTL" --data "$DATA" tenant create acme --name "Acme" --admin-email admin@acme.test \
    --admin-password "$ADMIN_PW" --pg "$PG" >/dev/null || fail "tenant create acme"
"$FLCTL" --data "$DATA" tenant create globex --name "Globex" --admin-email boss@globex.test \
    --admin-password "$ADMIN_PW" --pg "$PG" >/dev/null || fail "tenant create globex"
server_start --read-wait-ms 2000

step "healthz, readyz, openapi"
req GET /healthz && expect 200
[[ $(json .status) == ok ]] || fail "healthz body"
for _ in $(seq 1 50); do
    req GET /readyz
    [[ $STATUS == 200 && $(json '[.tenants[] | .lag] | add') == 0 ]] && break
    sleep 0.1
done
expect 200
[[ $(json '.checks.postgresql') == true ]] || fail "readyz does not see PostgreSQL"
req GET /api/v1/openapi.json && expect 200
diff <(jq -r '.paths | to_entries[] | .key as $p | .value | keys[] | select(. != "parameters")
        | "\(ascii_upcase) \($p)"' "$TMP/body" | sort) \
    <("$FIRELATER" --routes | cut -d" " -f1,2 | sort) >"$TMP/routes.diff" ||
    fail "the OpenAPI document and the router differ: $(cat "$TMP/routes.diff")"
ok

step "sign-in: wrong email and wrong password look the same"
login acme admin@acme.test 'wrong password!!' && expect 401
bad_pw=$(json .detail)
login acme nobody@acme.test "$ADMIN_PW" && expect 401
[[ $(json .detail) == "$bad_pw" ]] || fail "different messages: '$bad_pw' vs '$(json .detail)'"
[[ $(header Content-Type) == application/problem+json* ]] || fail "not problem+json"
login nosuchtenant admin@acme.test "$ADMIN_PW" && expect 401
req POST /api/v1/auth/login '{"tenant":"acme","email":"admin@acme.test"}' && expect 422
[[ $(json '.errors[0].field') == password ]] || fail "422 does not name password"
ok

step "sign-in and me"
login acme admin@acme.test "$ADMIN_PW" && expect 200
TOKEN=$(json .access_token)
REFRESH=$(json .refresh_token)
[[ $(json .token_type) == Bearer && $(json .expires_in) == 900 ]] || fail "token fields"
[[ $(json .user.email) == admin@acme.test && $(json '.user.roles[0]') == admin ]] ||
    fail "user in login response"
ADMIN_ID=$(json .user.id)
req GET /api/v1/auth/me "" "$TOKEN" && expect 200
[[ $(json .id) == "$ADMIN_ID" ]] || fail "me is not the admin"
req GET /api/v1/auth/me && expect 401
[[ $(header WWW-Authenticate) == Bearer* ]] || fail "no WWW-Authenticate"
req GET /api/v1/auth/me "" "${TOKEN%?}x" && expect 401
ok

step "create a user: 201, Location, ETag, X-Log-Position, and the read model has it at once"
req POST /api/v1/users '{"email":"Ann@Acme.test","name":"Ann Agent","password":"ann password 1234","roles":["agent"]}' "$TOKEN"
expect 201
ANN=$(json .id)
[[ $(header Location) == "/api/v1/users/$ANN" ]] || fail "Location: $(header Location)"
[[ -n $(header ETag) && -n $(header X-Log-Position) ]] || fail "ETag or X-Log-Position missing"
[[ -z $(header X-Read-Model) ]] || fail "read model behind on an idle server"
req GET "/api/v1/users/$ANN" "" "$TOKEN" && expect 200
[[ $(json .email) == Ann@Acme.test && $(json '.roles | join(",")') == agent ]] ||
    fail "read model row: $(cat "$TMP/body")"
ok

step "validation: every bad field named, unknown fields refused, nothing created"
req POST /api/v1/users '{"email":"nope","name":"","password":"short","colour":"red","roles":["wizard"]}' "$TOKEN"
expect 422
for f in email name password colour roles; do
    json '[.errors[].field] | join(" ")' | grep -qw "$f" || fail "field $f not named"
done
req POST /api/v1/users 'not json' "$TOKEN" && expect 400
STATUS=$(curl -s -o "$TMP/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: text/plain' --data-binary '{"email":"x@acme.test","name":"X"}' \
    "$BASE/api/v1/users")
expect 415
ok

step "duplicate email (case-insensitive) is 409 naming email"
req POST /api/v1/users '{"email":"ann@acme.TEST","name":"Ann Two","password":"another password 1"}' "$TOKEN"
expect 409
[[ $(json '.errors[0].field') == email ]] || fail "409 does not name email"
ok

step "Idempotency-Key: a retried POST returns the first result and appends nothing"
body='{"email":"idem@acme.test","name":"Idem Potent","password":"idempotent pass 1"}'
req POST /api/v1/users "$body" "$TOKEN" "Idempotency-Key: k-1" && expect 201
first=$(json .id)
pos=$(header X-Log-Position)
req POST /api/v1/users "$body" "$TOKEN" "Idempotency-Key: k-1"
[[ $STATUS == 201 && $(json .id) == "$first" ]] || fail "retry gave $STATUS $(json .id)"
[[ $("$FLCTL" --data "$DATA" log stats --tenant acme --json | jq .head_pos) == "$pos" ]] ||
    fail "the retry appended"
long=$(printf 'k%.0s' $(seq 1 129))
for bad in "$long" "two words"; do
    req POST /api/v1/users '{"email":"never@acme.test","name":"Never"}' "$TOKEN" \
        "Idempotency-Key: $bad" && expect 400
    [[ $(json .detail) == *Idempotency-Key* ]] || fail "the 400 does not name Idempotency-Key"
done
[[ $("$FLCTL" --data "$DATA" log stats --tenant acme --json | jq .head_pos) == "$pos" ]] ||
    fail "a refused Idempotency-Key appended"
ok

step "list: paging, sorting, filtering, unknown parameters"
req GET "/api/v1/users?per_page=2&page=1&sort=name&order=asc" "" "$TOKEN" && expect 200
[[ $(json '.meta.total') == 3 && $(json '.data | length') == 2 && $(json '.meta.per_page') == 2 ]] ||
    fail "page: $(cat "$TMP/body")"
[[ $(json '.data[0].name') == Administrator && $(json '.data[1].name') == "Ann Agent" ]] ||
    fail "sort by name"
req GET "/api/v1/users?per_page=2&page=2&sort=name&order=asc" "" "$TOKEN" && expect 200
[[ $(json '.data | length') == 1 && $(json '.data[0].name') == "Idem Potent" ]] || fail "page 2"
req GET "/api/v1/users?sort=name&order=desc&fields=id,name" "" "$TOKEN" && expect 200
[[ $(json '.data[0].name') == "Idem Potent" && $(json '.data[0] | keys | join(",")') == id,name ]] ||
    fail "desc with fields: $(cat "$TMP/body")"
req GET "/api/v1/users?role=agent" "" "$TOKEN" && expect 200
[[ $(json '.meta.total') == 1 && $(json '.data[0].id') == "$ANN" ]] || fail "role filter"
req GET "/api/v1/users?sort=password_hash" "" "$TOKEN" && expect 422
req GET "/api/v1/users?per_page=101" "" "$TOKEN" && expect 422
req GET "/api/v1/users?colour=red" "" "$TOKEN" && expect 422
req GET "/api/v1/users" "" "$TOKEN" && expect 200
grep -q password "$TMP/body" && fail "a password hash leaked"
ok

BEFORE_UPDATE=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
step "update: If-Match, 412 on a stale version, changes visible at once"
req GET /api/v1/auth/me "" "$TOKEN"
login acme Ann@Acme.test 'ann password 1234' && expect 200
ANN_TOKEN=$(json .access_token)
req PUT "/api/v1/users/$ANN" '{"name":"Ann Updated"}' "$TOKEN" 'If-Match: "1"' && expect 412
req PUT "/api/v1/users/$ANN" '{"name":"Ann Updated","phone":"+44 20 7946 0000"}' "$TOKEN" && expect 200
etag=$(header ETag)
req PUT "/api/v1/users/$ANN" '{"timezone":"Europe/London"}' "$TOKEN" "If-Match: $etag" && expect 200
etag=$(header ETag)
req GET "/api/v1/users/$ANN" "" "$TOKEN" && expect 200
[[ $(json .name) == "Ann Updated" && $(json .timezone) == Europe/London ]] || fail "not updated"
[[ $(header ETag) == "$etag" && \"$(json .version)\" == "$etag" ]] ||
    fail "GET's ETag $(header ETag) and version $(json .version) differ from the PUT's $etag"
req PUT "/api/v1/users/$ANN" '{"timezone":"Mars/Olympus"}' "$TOKEN" && expect 422
ok

step "time travel: a user as it was before the update"
req GET "/api/v1/users/$ANN?as_of=$BEFORE_UPDATE" "" "$TOKEN" && expect 200
[[ $(json .name) == "Ann Agent" && $(json .timezone) == UTC ]] || fail "as_of: $(cat "$TMP/body")"
req GET "/api/v1/users/$ANN?as_of=2000-01-01T00:00:00Z" "" "$TOKEN" && expect 404
req GET "/api/v1/users/$ANN?as_of=last-tuesday" "" "$TOKEN" && expect 422
[[ $(json '.errors[0].field') == as_of ]] || fail "422 does not name as_of"
ok

step "authorisation: a non-admin cannot create users or edit others"
req POST /api/v1/users '{"email":"z@acme.test","name":"Z","password":"zzzzzzzzzzzzzz"}' "$ANN_TOKEN"
expect 403
req PUT "/api/v1/users/$ADMIN_ID" '{"name":"Pwned"}' "$ANN_TOKEN" && expect 403
req PUT "/api/v1/users/$ANN" '{"roles":["admin"]}' "$ANN_TOKEN" && expect 403
req PUT "/api/v1/users/$ANN" '{"name":"Ann Self"}' "$ANN_TOKEN" && expect 200
ok

step "tenant isolation: globex's admin sees nothing of acme"
login globex boss@globex.test "$ADMIN_PW" && expect 200
G_TOKEN=$(json .access_token)
req GET "/api/v1/users/$ANN" "" "$G_TOKEN" && expect 404
req GET "/api/v1/users" "" "$G_TOKEN" && expect 200
[[ $(json '.meta.total') == 1 ]] || fail "globex sees $(json '.meta.total') users"
req PUT "/api/v1/users/$ANN" '{"name":"Hijack"}' "$G_TOKEN" && expect 404
req DELETE "/api/v1/users/$ANN" "" "$G_TOKEN" && expect 404
req PUT "/api/v1/users/$ANN/password" '{"new_password":"taken over password"}' "$G_TOKEN"
expect 404
req POST /api/v1/auth/login '{"tenant":"acme","email":"boss@globex.test","password":"correct horse battery staple"}'
expect 401
ok

step "groups: a hierarchy, unique names, no cycles"
req POST /api/v1/groups '{"name":"IT","type":"department"}' "$TOKEN" && expect 201
IT=$(json .id)
[[ $(header Location) == "/api/v1/groups/$IT" ]] || fail "Location $(header Location)"
req POST /api/v1/groups "{\"name\":\"Service Desk\",\"type\":\"team\",\"parent_id\":\"$IT\",\"manager_id\":\"$ADMIN_ID\"}" "$TOKEN"
expect 201
SD=$(json .id)
req POST /api/v1/groups "{\"name\":\"Network\",\"parent_id\":\"$SD\"}" "$TOKEN" && expect 201
NET=$(json .id)
req POST /api/v1/groups '{"name":"service desk"}' "$TOKEN" && expect 409
[[ $(json '.errors[0].field') == name ]] || fail "409 does not name the field name"
req PUT "/api/v1/groups/$IT" "{\"parent_id\":\"$NET\"}" "$TOKEN" && expect 409
req PUT "/api/v1/groups/$IT" "{\"parent_id\":\"$IT\"}" "$TOKEN" && expect 409
req POST /api/v1/groups '{"name":"Orphan","parent_id":"00000000-0000-4000-8000-000000000000"}' "$TOKEN"
expect 422
[[ $(json '.errors[0].field') == parent_id ]] || fail "422 does not name parent_id"
req POST /api/v1/groups '{"name":"Nope"}' "$ANN_TOKEN" && expect 403
ok

step "groups: members, inherited members, includes, a user's groups"
req POST "/api/v1/groups/$NET/members" "{\"user_id\":\"$ANN\",\"role\":\"lead\"}" "$TOKEN"
expect 200
req POST "/api/v1/groups/$IT/members" "{\"user_id\":\"$ADMIN_ID\"}" "$TOKEN" && expect 200
req GET "/api/v1/groups/$IT/members" "" "$TOKEN" && expect 200
[[ $(json "[.data[] | select(.user_id == \"$ANN\")][0].inherited") == true ]] ||
    fail "Ann is not an inherited member of IT: $(cat "$TMP/body")"
[[ $(json "[.data[] | select(.user_id == \"$ADMIN_ID\")][0].inherited") == false ]] ||
    fail "the admin is not a direct member of IT"
req GET "/api/v1/groups/$IT?include=descendants,members" "" "$TOKEN" && expect 200
[[ $(json '.descendants | length') == 2 && $(json '.members | length') == 2 ]] ||
    fail "include: $(cat "$TMP/body")"
req GET "/api/v1/groups/$NET?include=ancestors" "" "$TOKEN" && expect 200
[[ $(json '.ancestors | length') == 2 ]] || fail "ancestors: $(cat "$TMP/body")"
req GET "/api/v1/groups/$NET?include=bogus" "" "$TOKEN" && expect 422
req GET "/api/v1/users/$ANN/groups" "" "$TOKEN" && expect 200
[[ $(json '.meta.total') == 3 && $(json '[.data[] | select(.inherited)] | length') == 2 ]] ||
    fail "user groups: $(cat "$TMP/body")"
req GET "/api/v1/groups?type=team" "" "$TOKEN" && expect 200
[[ $(json '.meta.total') == 2 ]] || fail "type filter: $(cat "$TMP/body")"
ok

step "groups: deleting a referenced group is refused and says why"
req DELETE "/api/v1/groups/$SD" "" "$TOKEN" && expect 409
grep -q children "$TMP/body" || fail "the 409 does not say what references it: $(cat "$TMP/body")"
req DELETE "/api/v1/groups/$NET/members/$ANN" "" "$TOKEN" && expect 204
req DELETE "/api/v1/groups/$NET/members/$ANN" "" "$TOKEN" && expect 404
BEFORE_DELETE=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
req DELETE "/api/v1/groups/$NET" "" "$TOKEN" && expect 204
req GET "/api/v1/groups/$NET" "" "$TOKEN" && expect 404
req GET "/api/v1/groups/$NET?as_of=$BEFORE_DELETE" "" "$TOKEN" && expect 200
[[ $(json .name) == Network ]] || fail "the deleted group as it was: $(cat "$TMP/body")"
req DELETE "/api/v1/groups/$SD" "" "$TOKEN" && expect 204
req POST /api/v1/groups '{"name":"Network"}' "$TOKEN" && expect 201
ok

step "tenant isolation on every route with an id: globex's token never reaches acme's data"
"$FIRELATER" --routes >"$TMP/routes"
tried=0
while read -r method path _; do
    [[ $path == *"{"* ]] || continue
    url=${path//\{userId\}/$ANN}
    url=${url//\{entityType\}/user}
    [[ $url == /api/v1/groups/* ]] && url=${url//\{id\}/$IT} || url=${url//\{id\}/$ANN}
    # A valid body for each write, so that only the tenant can stop it.
    case "$method $path" in
    "PUT /api/v1/users/{id}/password") body='{"new_password":"taken over password 1"}' ;;
    "POST /api/v1/groups/{id}/members") body="{\"user_id\":\"$ANN\"}" ;;
    PUT* | POST*) body='{"name":"Hijacked"}' ;;
    *) body="" ;;
    esac
    req "$method" "$url" "$body" "$G_TOKEN"
    if [[ $path == /api/v1/audit-logs/* ]]; then
        # A history is a query over the caller's own tenant: empty, never acme's.
        [[ $STATUS == 200 && $(json '.data | length') == 0 ]] ||
            fail "$method $url with globex's token answered $STATUS: $(cat "$TMP/body")"
    else
        [[ $STATUS == 404 || $STATUS == 403 ]] ||
            fail "$method $url with globex's token answered $STATUS: $(cat "$TMP/body")"
    fi
    tried=$((tried + 1))
done <"$TMP/routes"
[[ $tried -ge 9 ]] || fail "only $tried routes tried"
req GET "/api/v1/users/$ANN" "" "$TOKEN" && expect 200
[[ $(json .name) != Hijacked ]] || fail "acme's user was changed"
req GET "/api/v1/groups/$IT" "" "$TOKEN" && expect 200
[[ $(json .name) == IT ]] || fail "acme's group was changed"
ok

step "refresh rotates; reusing a rotated token revokes the whole family"
req POST /api/v1/auth/refresh "{\"refresh_token\":\"$REFRESH\"}" && expect 200
R2=$(json .refresh_token)
[[ $R2 != "$REFRESH" ]] || fail "not rotated"
req POST /api/v1/auth/refresh "{\"refresh_token\":\"$R2\"}" && expect 200
R3=$(json .refresh_token)
TOKEN=$(json .access_token)
req POST /api/v1/auth/refresh "{\"refresh_token\":\"$REFRESH\"}" && expect 401
req POST /api/v1/auth/refresh "{\"refresh_token\":\"$R3\"}" && expect 401
req POST /api/v1/auth/refresh '{"refresh_token":"acme.garbage"}' && expect 401
ok

step "logout revokes the refresh family"
login acme admin@acme.test "$ADMIN_PW" && expect 200
TOKEN=$(json .access_token)
R=$(json .refresh_token)
req POST /api/v1/auth/logout "" "$TOKEN" && expect 204
req POST /api/v1/auth/refresh "{\"refresh_token\":\"$R\"}" && expect 401
login acme admin@acme.test "$ADMIN_PW" && expect 200
TOKEN=$(json .access_token)
ok

step "password change revokes the user's tokens; policy enforced"
login acme Ann@Acme.test 'ann password 1234' && expect 200
ANN_TOKEN=$(json .access_token)
ANN_R=$(json .refresh_token)
req PUT "/api/v1/users/$ANN/password" '{"current_password":"wrong wrong wrong","new_password":"brand new password 9"}' "$ANN_TOKEN"
expect 403
req PUT "/api/v1/users/$ANN/password" '{"current_password":"ann password 1234","new_password":"short"}' "$ANN_TOKEN"
expect 422
sleep 1.1 # tokens are stamped in whole seconds
req PUT "/api/v1/users/$ANN/password" '{"current_password":"ann password 1234","new_password":"brand new password 9"}' "$ANN_TOKEN"
expect 204
req POST /api/v1/auth/refresh "{\"refresh_token\":\"$ANN_R\"}" && expect 401
req GET /api/v1/auth/me "" "$ANN_TOKEN" && expect 401
login acme Ann@Acme.test 'ann password 1234' && expect 401
login acme Ann@Acme.test 'brand new password 9' && expect 200
ANN_TOKEN=$(json .access_token)
ok

step "an admin sets another user's password without the current one"
req PUT "/api/v1/users/$ANN/password" '{"new_password":"set by the admin 1"}' "$TOKEN" && expect 204
login acme Ann@Acme.test 'set by the admin 1' && expect 200
ANN_TOKEN=$(json .access_token)
ok

step "deactivation: the user's token stops at once, sign-in refused, 409 twice"
req DELETE "/api/v1/users/$ADMIN_ID" "" "$TOKEN" && expect 409
req DELETE "/api/v1/users/$ANN" "" "$TOKEN" && expect 200
[[ $(json .status) == inactive ]] || fail "status $(json .status)"
req GET /api/v1/auth/me "" "$ANN_TOKEN" && expect 401
login acme Ann@Acme.test 'set by the admin 1' && expect 401
req DELETE "/api/v1/users/$ANN" "" "$TOKEN" && expect 409
req GET "/api/v1/users?status=inactive" "" "$TOKEN" && expect 200
[[ $(json '.meta.total') == 1 ]] || fail "inactive filter"
ok

step "suspending a tenant with flctl makes its requests 403 until resumed"
"$FLCTL" --data "$DATA" tenant suspend acme --reason "unpaid" >/dev/null || fail "suspend"
for _ in $(seq 1 30); do
    req GET /api/v1/auth/me "" "$TOKEN"
    [[ $STATUS == 403 ]] && break
    sleep 0.1
done
expect 403
req GET /api/v1/auth/me "" "$G_TOKEN" && expect 200
"$FLCTL" --data "$DATA" tenant resume acme >/dev/null || fail "resume"
for _ in $(seq 1 30); do
    req GET /api/v1/auth/me "" "$TOKEN"
    [[ $STATUS == 200 ]] && break
    sleep 0.1
done
expect 200
ok

step "a tenant created while the server runs is served"
"$FLCTL" --data "$DATA" tenant create initech --name Initech --admin-email p@initech.test \
    --admin-password "$ADMIN_PW" --pg "$PG" >/dev/null || fail "tenant create initech"
for _ in $(seq 1 30); do
    login initech p@initech.test "$ADMIN_PW"
    [[ $STATUS == 200 ]] && break
    sleep 0.2
done
expect 200
ok

step "repeated failures are throttled with 429 and Retry-After"
for _ in 1 2 3 4 5; do login globex boss@globex.test 'not the password'; done
login globex boss@globex.test "$ADMIN_PW" && expect 429
[[ -n $(header Retry-After) ]] || fail "no Retry-After"
ok

step "404 and 405 with Allow, as problem+json"
req GET /api/v1/nothing-here "" "$TOKEN" && expect 404
req PATCH /api/v1/users "" "$TOKEN" && expect 405
[[ $(header Allow) == *GET* && $(header Allow) == *POST* ]] || fail "Allow: $(header Allow)"
ok

step "access log: one JSON line per request with tenant and user"
tail -1 "$TMP/access.log" | jq -e '.status == 405 and .method == "PATCH"' >/dev/null ||
    fail "last access log line: $(tail -1 "$TMP/access.log")"
grep -F "\"user\":\"$ADMIN_ID\"" "$TMP/access.log" >"$TMP/admin.log"
[[ -s $TMP/admin.log ]] || fail "no access log line for the admin ($ADMIN_ID)"
jq -e -s 'all(.tenant == "acme")' "$TMP/admin.log" >/dev/null ||
    fail "admin lines without tenant acme: $(jq -c -s 'map(select(.tenant != "acme"))[:2]' "$TMP/admin.log")"
ok

step "SIGTERM: graceful stop with exit 0"
server_kill TERM
[[ $LAST_EXIT == 0 ]] || fail "exit status $LAST_EXIT"
ok

step "projections: status, and a rebuild equals the incremental read model"
users_dump() {
    psql "$PG" -At -c "SELECT id, email, name, status, coalesce(phone,''), timezone,
        (SELECT string_agg(r.name, ',' ORDER BY r.name) FROM tenant_acme.user_roles ur
         JOIN tenant_acme.roles r ON r.id = ur.role_id WHERE ur.user_id = u.id)
        FROM tenant_acme.users u ORDER BY id"
}
users_dump >"$TMP/before" || fail "psql"
"$FLCTL" --data "$DATA" projections status --pg "$PG" >"$TMP/status" || fail "projections status"
grep -q acme "$TMP/status" || fail "status does not list acme"
"$FLCTL" --data "$DATA" projections rebuild --tenant acme --pg "$PG" >/dev/null || fail "rebuild"
users_dump >"$TMP/after"
diff "$TMP/before" "$TMP/after" >/dev/null || fail "rebuilt read model differs"
[[ $(wc -l <"$TMP/after") == 3 ]] || fail "expected 3 users after the rebuild: $(cat "$TMP/after")"
ok

step "the server refuses a database with a migration newer than it knows"
psql "$PG" -qc "INSERT INTO schema_migrations (scope, version, name) VALUES ('public', 9999, 'future')" ||
    fail "psql"
if "$FIRELATER" --data "$DATA" --listen "127.0.0.1:$HTTPPORT" --pg "$PG" >"$TMP/newer.out" 2>&1; then
    fail "the server started"
fi
grep -qi "newer\|9999" "$TMP/newer.out" || fail "no reason given: $(cat "$TMP/newer.out")"
psql "$PG" -qc "DELETE FROM schema_migrations WHERE version = 9999" || fail "psql"
ok

step "audit export: an auditor checks the chain with b2sum, outside FireLater"
"$FLCTL" --data "$DATA" audit export --tenant acme >"$TMP/audit.jsonl" || fail "audit export"
n=$(wc -l <"$TMP/audit.jsonl")
[[ $n -gt 20 ]] || fail "only $n events exported"
prev=$(printf '0%.0s' {1..64})
while read -r line; do
    raw_hash=$(jq -r .raw <<<"$line" | base64 -d | b2sum -l 256 | cut -d' ' -f1)
    [[ $raw_hash == "$(jq -r .hash <<<"$line")" ]] || fail "hash of raw differs at $(jq .pos <<<"$line")"
    [[ $(jq -r .prev <<<"$line") == "$prev" ]] || fail "chain broken at $(jq .pos <<<"$line")"
    prev=$raw_hash
done <"$TMP/audit.jsonl"
mid=$(sed -n "$((n / 2))p" "$TMP/audit.jsonl")
"$FLCTL" --data "$DATA" audit export --tenant acme --from "$(jq -r .ts <<<"$mid")" \
    --to "$(tail -1 "$TMP/audit.jsonl" | jq -r .ts)" >"$TMP/audit2.jsonl" || fail "ranged export"
[[ $(head -1 "$TMP/audit2.jsonl" | jq .pos) -le $(jq .pos <<<"$mid") &&
    $(tail -1 "$TMP/audit2.jsonl" | jq .pos) == $(tail -1 "$TMP/audit.jsonl" | jq .pos) ]] ||
    fail "the time range is not honoured"
"$FLCTL" --data "$DATA" audit export --tenant acme --from yesterday >/dev/null 2>&1
[[ $? == 2 ]] || fail "a bad --from is not a usage error"
ok
