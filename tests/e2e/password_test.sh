#!/usr/bin/env bash
# End to end: forgotten passwords. forgot-password answers the same for every
# address; the message with the token is in PostgreSQL's notifications table
# and the token is not in the event log; a reset works once and ends the
# user's tokens; bad, expired, superseded and voided tokens get one 400; the
# password policy; the throttle; deactivated users; PostgreSQL down.
set -uo pipefail
FIRELATER=$1
FLCTL=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"

ADMIN_PW='correct horse battery staple'
BAD_TOKEN_DETAIL='the reset token is not valid or has expired'
pg_start
"$FLCTL" --data "$DATA" tenant create acme --name "Acme" --admin-email admin@acme.test \
    --admin-password "$ADMIN_PW" --pg "$PG" >/dev/null || fail "tenant create acme"
server_start --read-wait-ms 2000

login acme admin@acme.test "$ADMIN_PW" && expect 200
TOKEN=$(json .access_token)

# new_user EMAIL PASSWORD: prints the new user's id.
new_user() {
    req POST /api/v1/users "{\"email\":\"$1\",\"name\":\"$1\",\"password\":\"$2\"}" "$TOKEN"
    [[ $STATUS == 201 ]] || fail "create $1: $STATUS"
    json .id
}

forgot() {
    req POST /api/v1/auth/forgot-password "{\"tenant\":\"${2:-acme}\",\"email\":\"$1\"}"
}

reset() {
    req POST /api/v1/auth/reset-password "{\"token\":\"$1\",\"new_password\":\"$2\"}"
}

sql() {
    psql "$PG" -At -c "$1"
}

# The token of the user's latest pending reset message (empty when none).
latest_token() {
    sql "SELECT content FROM tenant_acme.notifications WHERE user_id = '$1'
         ORDER BY created_at DESC LIMIT 1" | grep -o 'acme\.[0-9a-f-]\{36\}\.[A-Za-z0-9_-]\{43\}'
}

messages() {
    sql "SELECT count(*) FROM tenant_acme.notifications WHERE user_id = '$1'"
}

expect_bad_token() {
    expect 400
    [[ $(json .detail) == "$BAD_TOKEN_DETAIL" ]] || fail "detail: $(json .detail)"
    [[ $(json '.errors[0].field') == token ]] || fail "the 400 does not name token"
}

ANN=$(new_user ann@acme.test 'ann password 1234')

step "forgot-password: an existing and an unknown address get the same answer"
forgot Ann@Acme.test && expect 202
known=$(cat "$TMP/body")
[[ $(header Cache-Control) == no-store ]] || fail "Cache-Control"
for who in "nobody@acme.test acme" "ann@acme.test nosuchtenant"; do
    # shellcheck disable=SC2086
    forgot $who && expect 202
    [[ $(cat "$TMP/body") == "$known" ]] || fail "different bodies: $known / $(cat "$TMP/body")"
done
# Both are held to the same floor (200 ms), whatever work was done.
for email in ann@acme.test nobody@acme.test; do
    t=$(curl -s -o /dev/null -w '%{time_total}' -H 'Content-Type: application/json' \
        -d "{\"tenant\":\"acme\",\"email\":\"$email\"}" "$BASE/api/v1/auth/forgot-password")
    awk -v t="$t" 'BEGIN { exit !(t >= 0.19) }' || fail "$email answered in $t s"
done
req POST /api/v1/auth/forgot-password '{"tenant":"acme","email":"not an address","x":1}'
expect 422
[[ $(json '[.errors[].field] | sort | join(",")') == "email,x" ]] || fail "422 fields"
ok

step "the message holds the token; the event log holds only its hash"
[[ $(messages "$ANN") == 2 ]] || fail "messages for ann: $(messages "$ANN")"
[[ $(sql "SELECT count(*) FROM tenant_acme.notifications") == 2 ]] || fail "a message for nobody"
row=$(sql "SELECT event_category, event_type, status, entity_type, subject IS NOT NULL
           FROM tenant_acme.notifications WHERE user_id = '$ANN' LIMIT 1")
[[ $row == "auth|user.password_reset_requested|pending|user|t" ]] || fail "row: $row"
T1=$(latest_token "$ANN")
[[ -n $T1 ]] || fail "no token in the message"
"$FLCTL" --data "$DATA" log dump --tenant acme >"$TMP/dump" || fail "log dump"
grep -q '"user.password_reset_requested"' "$TMP/dump" || fail "no request event in the log"
grep -qF "${T1##*.}" "$TMP/dump" && fail "the token's secret is in the event log"
grep -qF "$T1" "$TMP/dump" && fail "the token is in the event log"
hash=$(printf '%s' "${T1#acme.}" | b2sum -l 256 | cut -d' ' -f1)
grep -qF "$hash" "$TMP/dump" || fail "the token's hash is not in the event log"
ok

step "a reset works once; the old access and refresh tokens stop working"
login acme ann@acme.test 'ann password 1234' && expect 200
ANN_TOKEN=$(json .access_token)
ANN_R=$(json .refresh_token)
sleep 1.1 # tokens are stamped in whole seconds
reset "$T1" 'reset password 2026' && expect 204
reset "$T1" 'reset password 2027' && expect_bad_token
req GET /api/v1/auth/me "" "$ANN_TOKEN" && expect 401
req POST /api/v1/auth/refresh "{\"refresh_token\":\"$ANN_R\"}" && expect 401
login acme ann@acme.test 'ann password 1234' && expect 401
login acme ann@acme.test 'reset password 2026' && expect 200
grep -q '"user.password_reset"' <("$FLCTL" --data "$DATA" log dump --tenant acme) ||
    fail "no user.password_reset in the log"
ok

step "bad tokens get one 400"
forgot ann@acme.test && expect 202
T2=$(latest_token "$ANN")
wrong="${T2%.*}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
for t in "$wrong" "garbage" "nosuchtenant.${T2#acme.}" "acme.00000000-0000-4000-8000-000000000000.${T2##*.}"; do
    reset "$t" 'reset password 2028' && expect_bad_token
done
req POST /api/v1/auth/reset-password '{"token":"x"}' && expect 422
[[ $(json '.errors[0].field') == new_password ]] || fail "422 does not name new_password"
ok

step "password policy: too short or the email is 422 naming new_password"
reset "$T2" 'short' && expect 422
[[ $(json '.errors[0].field') == new_password ]] || fail "422 does not name new_password"
reset "$T2" 'ANN@acme.test' && expect 422
[[ $(json '.errors[0].field') == new_password ]] || fail "422 does not name new_password"
[[ $(json '.errors[0].message') == *email* ]] || fail "message: $(json '.errors[0].message')"
reset "$T2" 'reset password 2028' && expect 204 # a refused password leaves the token
ok

step "only the latest request's token works; an expired one does not"
BOB=$(new_user bob@acme.test 'bob password 1234')
forgot bob@acme.test && expect 202
B1=$(latest_token "$BOB")
sleep 0.01
forgot bob@acme.test && expect 202
B2=$(latest_token "$BOB")
[[ $B1 != "$B2" ]] || fail "the same token twice"
reset "$B1" 'bob new password 1' && expect_bad_token
# A request appended with an expiry already past (as if 30 minutes had gone by).
secret=$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')
B3="acme.$BOB.$secret"
h=$(printf '%s' "$BOB.$secret" | b2sum -l 256 | cut -d' ' -f1)
"$FLCTL" --data-dir "$DATA" log append --tenant acme --stream "user:$BOB" \
    --type user.password_reset_requested \
    --data "{\"id\":\"$BOB\",\"token_hash\":\"$h\",\"expires_at\":\"2020-01-01T00:00:00Z\"}" \
    >/dev/null || fail "log append"
reset "$B3" 'bob new password 1' && expect_bad_token
reset "$B2" 'bob new password 1' && expect_bad_token # superseded by the expired one
# The same way with an expiry ahead works, so the 400 above was the expiry's.
"$FLCTL" --data-dir "$DATA" log append --tenant acme --stream "user:$BOB" \
    --type user.password_reset_requested \
    --data "{\"id\":\"$BOB\",\"token_hash\":\"$h\",\"expires_at\":\"2999-01-01T00:00:00Z\"}" \
    >/dev/null || fail "log append"
reset "$B3" 'bob new password 1' && expect 204
ok

step "throttle: past 3 requests an hour the answer is the same and nothing is sent"
n=$(messages "$BOB")
[[ $n == 2 ]] || fail "bob has $n messages"
forgot bob@acme.test && expect 202
forgot bob@acme.test && expect 202
[[ $(cat "$TMP/body") == "$known" ]] || fail "the throttled answer differs"
[[ $(messages "$BOB") == 3 ]] || fail "throttle: $(messages "$BOB") messages"
grep -q "password reset for user $BOB throttled" "$TMP/server.err" || fail "not logged"
ok

step "PUT /users/{id}/password voids a pending reset token"
EVE=$(new_user eve@acme.test 'eve password 1234')
forgot eve@acme.test && expect 202
E1=$(latest_token "$EVE")
req PUT "/api/v1/users/$EVE/password" '{"new_password":"set by the admin 1"}' "$TOKEN" && expect 204
reset "$E1" 'eve new password 1' && expect_bad_token
ok

step "deactivation: the access token gets 401 at once, refresh and reset are refused"
CARL=$(new_user carl@acme.test 'carl password 1234')
login acme carl@acme.test 'carl password 1234' && expect 200
C_TOKEN=$(json .access_token)
C_R=$(json .refresh_token)
req GET /api/v1/auth/me "" "$C_TOKEN" && expect 200
forgot carl@acme.test && expect 202
C1=$(latest_token "$CARL")
req DELETE "/api/v1/users/$CARL" "" "$TOKEN" && expect 200
req GET /api/v1/auth/me "" "$C_TOKEN" && expect 401
req POST /api/v1/auth/refresh "{\"refresh_token\":\"$C_R\"}" && expect 401
login acme carl@acme.test 'carl password 1234' && expect 401
reset "$C1" 'carl new password 1' && expect_bad_token
forgot carl@acme.test && expect 202
[[ $(cat "$TMP/body") == "$known" ]] || fail "the answer for an inactive account differs"
[[ $(messages "$CARL") == 1 ]] || fail "a message for an inactive account"
ok

step "PostgreSQL down: 503 with Retry-After for known and unknown addresses alike"
DAVE=$(new_user dave@acme.test 'dave password 1234')
pg_stop
for email in dave@acme.test nobody@acme.test; do
    forgot "$email" && expect 503
    [[ -n $(header Retry-After) ]] || fail "no Retry-After"
done
pg_start
for _ in $(seq 1 100); do
    req GET /readyz
    [[ $STATUS == 200 ]] && break
    sleep 0.2
done
expect 200
forgot dave@acme.test && expect 202
[[ -n $(latest_token "$DAVE") ]] || fail "no message after PostgreSQL came back"
ok

step "SIGTERM while an answer waits for its floor: it is sent, exit 0, no sanitizer report"
curl -sS -o "$TMP/late" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"tenant":"acme","email":"nobody@acme.test"}' \
    "$BASE/api/v1/auth/forgot-password" >"$TMP/late.status" 2>"$TMP/late.err" &
CURL_PID=$!
# SIGTERM once curl is connected (its request follows at once), inside the 200 ms floor.
for _ in $(seq 1 50); do
    [[ -n $(ss -tnH state established "( dport = :$HTTPPORT )" 2>/dev/null) ]] && break
    sleep 0.01
done
sleep 0.05
server_kill TERM
wait "$CURL_PID"
[[ $(cat "$TMP/late.status") == 202 ]] ||
    fail "the waiting request got $(cat "$TMP/late.status" "$TMP/late.err"); $(tail -2 "$TMP/access.log")"
[[ $LAST_EXIT == 0 ]] || fail "exit status $LAST_EXIT"
grep -q Sanitizer "$TMP/server.err" && fail "sanitizer: $(grep -m3 Sanitizer "$TMP/server.err")"
ok
