#!/usr/bin/env bash
# End to end: approval delegations (issue 6) through the real binaries. A
# user hands their approvals to another for a period; every bad field is
# named and stores nothing; overlapping live delegations of one delegator
# are refused with 409 naming the other; chains are refused; only the user
# themself or an admin may create or revoke; revoking ends a delegation now
# and keeps it in the history; GET /delegations?delegate_id=me shows who
# handed me their approvals; ?as_of= answers from the log; a rebuild from
# the log gives the same read model; tenants never see each other's.
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

at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
field_named() {
    json '[.errors[]?.field] | join(" ")' | grep -qwF -- "$1" || fail "field $1 not named: $(cat "$TMP/body")"
}

login acme admin@acme.test "$PW" && expect 200
ADMIN=$(json .access_token)
ADMIN_ID=$(json .user.id)
mkuser() { # mkuser NAME ROLE: sets UID_ and TOKEN_
    req POST /api/v1/users "{\"email\":\"$1@acme.test\",\"name\":\"$1\",\"password\":\"$1 password 1234\",\"roles\":[\"$2\"]}" "$ADMIN"
    expect 201
    UID_=$(json .id)
    login acme "$1@acme.test" "$1 password 1234" && expect 200
    TOKEN_=$(json .access_token)
}
mkuser mia manager; MIA=$UID_; MIA_T=$TOKEN_
mkuser dan agent; DAN=$UID_; DAN_T=$TOKEN_
mkuser eve agent; EVE=$UID_; EVE_T=$TOKEN_
mkuser rob requester; ROB=$UID_; ROB_T=$TOKEN_
D=/api/v1/users/$MIA/delegations

step "create: 201 with Location, status active, the creator recorded"
req POST "$D" "{\"delegate_id\":\"$DAN\",\"ends_at\":\"$(at '+3 days')\",\"reason\":\"holiday <b>'; DROP TABLE x\"}" "$MIA_T"
expect 201
D1=$(json .id)
[[ $(header Location) == "$D/$D1" ]] || fail "Location: $(header Location)"
[[ $(json .status) == active && $(json .delegate_id) == "$DAN" && $(json .delegator_id) == "$MIA" &&
    $(json .created_by) == "$MIA" && $(json .revoked_at) == null ]] || fail "representation: $(cat "$TMP/body")"
[[ $(json .reason) == "holiday <b>'; DROP TABLE x" ]] || fail "reason not verbatim"
req GET "$D/$D1" "" "$MIA_T" && expect 200
[[ $(json .id) == "$D1" && $(header ETag) == '"1"' ]] || fail "GET one: $(cat "$TMP/body")"
req GET "$D" "" "$MIA_T" && expect 200
[[ $(json .meta.total) == 1 && $(json '.data[0].id') == "$D1" && $(json '.data[0].status') == active &&
    $(json '.data[0].reason') == "holiday <b>'; DROP TABLE x" ]] || fail "list: $(cat "$TMP/body")"
ok

step "validation: every bad field named (422), nothing stored"
req POST "$D" '{"delegate_id":"nope","starts_at":"tomorrow","ends_at":5,"reason":7,"colour":"red"}' "$MIA_T"
expect 422
for f in delegate_id starts_at ends_at reason colour; do field_named $f; done
req POST "$D" '{}' "$MIA_T" && expect 422 && field_named delegate_id && field_named ends_at
req POST "$D" '[1]' "$MIA_T" && expect 422
req POST "$D" "{\"delegate_id\":\"$MIA\",\"starts_at\":\"$(at '+20 days')\",\"ends_at\":\"$(at '+21 days')\"}" "$MIA_T"
expect 422 && field_named delegate_id
req POST "$D" "{\"delegate_id\":\"$(cat /proc/sys/kernel/random/uuid)\",\"starts_at\":\"$(at '+20 days')\",\"ends_at\":\"$(at '+21 days')\"}" "$MIA_T"
expect 422 && field_named delegate_id
req POST "$D" "{\"delegate_id\":\"$EVE\",\"starts_at\":\"$(at '-1 day')\",\"ends_at\":\"$(at '+21 days')\"}" "$MIA_T"
expect 422 && field_named starts_at
req POST "$D" "{\"delegate_id\":\"$EVE\",\"starts_at\":\"$(at '+22 days')\",\"ends_at\":\"$(at '+21 days')\"}" "$MIA_T"
expect 422 && field_named ends_at
req POST "$D" "{\"delegate_id\":\"$EVE\",\"starts_at\":\"$(at '-2 days')\",\"ends_at\":\"$(at '-1 day')\"}" "$MIA_T"
expect 422 && field_named ends_at
req POST "$D" "{\"delegate_id\":\"$EVE\",\"starts_at\":\"$(at '+20 days')\",\"ends_at\":\"$(at '+111 days')\"}" "$MIA_T"
expect 422 && field_named ends_at
req POST "$D" "{\"delegate_id\":\"$EVE\",\"starts_at\":\"$(at '+20 days')\",\"ends_at\":\"$(at '+21 days')\",\"reason\":\"$(head -c 501 /dev/zero | tr '\0' x)\"}" "$MIA_T"
expect 422 && field_named reason
req POST "$D" 'not json' "$MIA_T" && expect 400
req GET "$D" "" "$MIA_T" && expect 200
[[ $(json .meta.total) == 1 ]] || fail "a refused create stored something: $(cat "$TMP/body")"
ok

step "overlap: 409 naming the other delegation; adjacent periods are fine"
req POST "$D" "{\"delegate_id\":\"$EVE\",\"starts_at\":\"$(at '+2 days')\",\"ends_at\":\"$(at '+5 days')\"}" "$MIA_T"
expect 409
json .detail | grep -qF "$D1" || fail "409 does not name $D1: $(cat "$TMP/body")"
END1=$(req GET "$D/$D1" "" "$MIA_T"; json .ends_at)
req POST "$D" "{\"delegate_id\":\"$EVE\",\"starts_at\":\"$END1\",\"ends_at\":\"$(at '+6 days')\"}" "$MIA_T"
expect 201
D2=$(json .id)
[[ $(json .status) == scheduled ]] || fail "a future delegation is not scheduled"
ok

step "no chains: a delegate who has delegated away for an overlapping period is refused"
req POST "/api/v1/users/$DAN/delegations" "{\"delegate_id\":\"$ROB\",\"starts_at\":\"$(at '+10 days')\",\"ends_at\":\"$(at '+12 days')\"}" "$DAN_T"
expect 201
DX=$(json .id)
req POST "/api/v1/users/$EVE/delegations" "{\"delegate_id\":\"$DAN\",\"starts_at\":\"$(at '+11 days')\",\"ends_at\":\"$(at '+13 days')\"}" "$EVE_T"
expect 422 && field_named delegate_id
json '.errors[0].message' | grep -qF "$DX" || fail "chain refusal does not name $DX"
req POST "/api/v1/users/$EVE/delegations" "{\"delegate_id\":\"$DAN\",\"starts_at\":\"$(at '+13 days')\",\"ends_at\":\"$(at '+14 days')\"}" "$EVE_T"
expect 201
ok

step "who may: the user themself or an admin; others 403; unknown user 404"
req POST "$D" "{\"delegate_id\":\"$EVE\",\"starts_at\":\"$(at '+30 days')\",\"ends_at\":\"$(at '+31 days')\"}" "$DAN_T"
expect 403
req DELETE "$D/$D1" "" "$DAN_T" && expect 403
req GET "$D" "" "$ROB_T" && expect 403
req POST "$D" "{\"delegate_id\":\"$EVE\",\"starts_at\":\"$(at '+30 days')\",\"ends_at\":\"$(at '+31 days')\"}" "$ADMIN"
expect 201
[[ $(json .created_by) == "$ADMIN_ID" ]] || fail "created_by is not the admin"
D3=$(json .id)
req GET "/api/v1/users/$(cat /proc/sys/kernel/random/uuid)/delegations" "" "$ADMIN" && expect 404
ok

step "delegations handed to me; another's needs users:read"
req GET /api/v1/delegations "" "$DAN_T" && expect 200
[[ $(json .meta.total) == 2 && $(json '.data[1].delegator_id') == "$MIA" && $(json '.data[0].delegator_id') == "$EVE" ]] || fail "handed to dan: $(cat "$TMP/body")"
req GET "/api/v1/delegations?delegate_id=me&status=active" "" "$DAN_T" && expect 200
[[ $(json .meta.total) == 1 && $(json '.data[0].id') == "$D1" ]] || fail "status=active"
req GET "/api/v1/delegations?delegate_id=$EVE" "" "$DAN_T" && expect 200
[[ $(json .meta.total) == 2 ]] || fail "handed to eve: $(cat "$TMP/body")"
req GET "/api/v1/delegations?delegate_id=$EVE" "" "$ROB_T" && expect 403
req GET /api/v1/delegations "" "$ROB_T" && expect 200
[[ $(json .meta.total) == 1 && $(json '.data[0].delegator_id') == "$DAN" ]] || fail "handed to rob"
req GET "/api/v1/delegations?status=bogus&per_page=0&x=1" "" "$DAN_T" && expect 422
for f in status per_page x; do field_named $f; done
ok

step "revoke: 200, it ends now and stays in the history; twice is 409"
BEFORE=$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)
sleep 1
req DELETE "$D/$D1" "" "$MIA_T" && expect 200
[[ $(json .status) == revoked && $(json .revoked_by) == "$MIA" && $(json .revoked_at) != null ]] || fail "revoked: $(cat "$TMP/body")"
req DELETE "$D/$D1" "" "$MIA_T" && expect 409
req DELETE "$D/$(cat /proc/sys/kernel/random/uuid)" "" "$MIA_T" && expect 404
req DELETE "$D/$D3" "" "$ADMIN" "If-Match: \"1\"" && expect 412
req GET "$D?status=revoked" "" "$MIA_T" && expect 200
[[ $(json .meta.total) == 1 && $(json '.data[0].id') == "$D1" ]] || fail "history: $(cat "$TMP/body")"
req GET /api/v1/delegations "" "$DAN_T" && expect 200
[[ $(json '.data[1].status') == revoked ]] || fail "dan still sees it live"
ok

step "a revoked period may be delegated again; as_of shows the past"
req POST "$D" "{\"delegate_id\":\"$EVE\",\"ends_at\":\"$(at '+1 day')\"}" "$MIA_T" && expect 201
D4=$(json .id)
req GET "$D?as_of=$BEFORE" "" "$MIA_T" && expect 200
[[ $(json .meta.total) == 3 && $(json "[.data[] | select(.id == \"$D1\")][0].status") == active ]] ||
    fail "as_of list: $(cat "$TMP/body")"
req GET "$D/$D1?as_of=$BEFORE" "" "$MIA_T" && expect 200
[[ $(json .revoked_at) == null ]] || fail "as_of one"
req GET "$D/$D4?as_of=$BEFORE" "" "$MIA_T" && expect 404
req GET "$D?as_of=yesterday-ish" "" "$MIA_T" && expect 422 && field_named as_of
ok

step "deactivated users: not a delegate; cannot delegate"
req DELETE "/api/v1/users/$ROB" "" "$ADMIN" && expect 200
req POST "$D" "{\"delegate_id\":\"$ROB\",\"starts_at\":\"$(at '+40 days')\",\"ends_at\":\"$(at '+41 days')\"}" "$ADMIN"
expect 422 && field_named delegate_id
req POST "/api/v1/users/$ROB/delegations" "{\"delegate_id\":\"$EVE\",\"starts_at\":\"$(at '+40 days')\",\"ends_at\":\"$(at '+41 days')\"}" "$ADMIN"
expect 409
ok

step "tenant isolation; a rebuild from the log gives the same read model"
login globex admin@globex.test "$PW" && expect 200
G=$(json .access_token)
req GET "$D" "" "$G" && expect 404
req GET "/api/v1/delegations?delegate_id=$EVE" "" "$G" && expect 200
[[ $(json .meta.total) == 0 ]] || fail "globex sees acme's delegations"
req GET "/api/v1/delegations?delegate_id=$EVE&per_page=100" "" "$ADMIN" && expect 200
jq 'del(.data[].status)' "$TMP/body" >"$TMP/before"
"$FLCTL" --data "$DATA" projections rebuild --tenant acme --pg "$PG" >/dev/null || fail "rebuild"
req GET "/api/v1/delegations?delegate_id=$EVE&per_page=100" "" "$ADMIN" && expect 200
diff <(jq -S . "$TMP/before") <(jq -S 'del(.data[].status)' "$TMP/body") >/dev/null || fail "rebuild differs"
ok
