#!/usr/bin/env bash
# Nothing acknowledged is lost: the server killed with SIGKILL under a stream
# of writes, and PostgreSQL stopped and restarted during writes. After a
# restart, every write that got a 201 is in the read model without an
# operator's help.
set -uo pipefail
FIRELATER=$1
FLCTL=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"

PW='correct horse battery staple'
pg_start
"$FLCTL" --data "$DATA" tenant create acme --name Acme --admin-email admin@acme.test \
    --admin-password "$PW" --pg "$PG" >/dev/null || fail "tenant create"
server_start --read-wait-ms 300
login acme admin@acme.test "$PW"
TOKEN=$(json .access_token)

# create_users PREFIX N: POSTs N users in the background of the caller, recording
# each acknowledged id in $TMP/acked.PREFIX.
create_users() {
    local prefix=$1 n=$2 i code
    for i in $(seq 1 "$n"); do
        code=$(curl -s -o "$TMP/c.$prefix" -w '%{http_code}' -X POST \
            -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
            --data-binary "{\"email\":\"$prefix$i@acme.test\",\"name\":\"U $i\"}" \
            "$BASE/api/v1/users" 2>/dev/null) || continue
        [[ $code == 201 ]] && jq -r .id <"$TMP/c.$prefix" >>"$TMP/acked.$prefix"
    done
}

in_read_model() {
    local ids missing=0
    ids=$(psql "$PG" -At -c "SELECT id FROM tenant_acme.users")
    while read -r id; do
        grep -q "$id" <<<"$ids" || missing=$((missing + 1))
    done <"$1"
    echo "$missing"
}

wait_caught_up() {
    for _ in $(seq 1 100); do
        req GET /readyz
        [[ $STATUS == 200 && $(json '[.tenants[] | .lag] | add') == 0 ]] && return 0
        sleep 0.1
    done
    fail "the read model did not catch up: $(cat "$TMP/body")"
}

step "SIGKILL under a stream of writes: every acknowledged write survives"
: >"$TMP/acked.k"
create_users k 400 &
writer=$!
sleep 1.5
server_kill KILL
wait "$writer"
n=$(wc -l <"$TMP/acked.k")
[[ $n -gt 5 ]] || fail "only $n writes were acknowledged before the kill"
server_start
wait_caught_up
[[ $(in_read_model "$TMP/acked.k") == 0 ]] || fail "acknowledged writes missing after restart"
"$FLCTL" --data "$DATA" log verify --tenant acme >/dev/null || fail "verify after the crash"
ok

step "PostgreSQL down: writes are still acknowledged, reads answer 503, then it catches up"
pg_stop
: >"$TMP/acked.p"
create_users p 10
n=$(wc -l <"$TMP/acked.p")
[[ $n == 10 ]] || fail "$n of 10 writes acknowledged with PostgreSQL down"
req POST /api/v1/users '{"email":"behind@acme.test","name":"Behind"}' "$TOKEN" && expect 201
[[ $(header X-Read-Model) == behind ]] || fail "no X-Read-Model: behind while PostgreSQL is down"
jq -r .id <"$TMP/body" >>"$TMP/acked.p"
req GET /api/v1/users "" "$TOKEN" && expect 503
[[ -n $(header Retry-After) ]] || fail "503 without Retry-After"
req GET /readyz && expect 503
pg_start
wait_caught_up
[[ $(in_read_model "$TMP/acked.p") == 0 ]] || fail "writes made while PostgreSQL was down are missing"
req GET "/api/v1/users?per_page=100" "" "$TOKEN" && expect 200
ok

step "PostgreSQL restarted in the middle of writes"
: >"$TMP/acked.r"
create_users r 60 &
writer=$!
sleep 0.5
pg_stop
sleep 0.5
pg_start
wait "$writer"
wait_caught_up
[[ $(in_read_model "$TMP/acked.r") == 0 ]] || fail "writes lost across the PostgreSQL restart"
ok

step "SIGTERM after all this: exit 0"
server_kill TERM
[[ $LAST_EXIT == 0 ]] || fail "exit status $LAST_EXIT"
ok
