#!/usr/bin/env bash
# The RBAC matrix, end to end: one user per system role, and every route of
# the real server's table (`firelater --routes`) called by each of them,
# checked against tests/e2e/rbac_matrix.txt (403 = denied, anything else =
# the handler ran). Then the finer rules: calls on oneself, denials that do
# not tell whether an object exists, cross-tenant attempts, and no one
# granting what they do not hold.
set -uo pipefail
FIRELATER=$1
FLCTL=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"
MATRIX=$ROOT/tests/e2e/rbac_matrix.txt

PW='correct horse battery staple'
ROLES=(admin manager agent requester)
pg_start
tenants_create acme globex
server_start --read-wait-ms 2000

step "one user per system role"
declare -A TOKEN ID
login acme admin@acme.test "$PW" && expect 200
TOKEN[admin]=$(json .access_token)
ID[admin]=$(json .user.id)
for role in manager agent requester; do
    req POST /api/v1/users "{\"email\":\"$role@acme.test\",\"name\":\"$role\",\"password\":\"$PW\",\"roles\":[\"$role\"]}" \
        "${TOKEN[admin]}" && expect 201
    ID[$role]=$(json .id)
    login acme "$role@acme.test" "$PW" && expect 200
    TOKEN[$role]=$(json .access_token)
done
ok

step "the matrix and the route table list the same routes"
"$FIRELATER" --routes | cut -d' ' -f1,2 | sort >"$TMP/routes"
grep -v '^#' "$MATRIX" | awk 'NF { print $1, $2 }' | sort >"$TMP/matrix"
diff "$TMP/matrix" "$TMP/routes" >"$TMP/diff" ||
    fail "routes without a matrix line (>) or matrix lines without a route (<): $(cat "$TMP/diff")"
ok

step "every route, called by every system role, is allowed or denied as the matrix says"
NOBODY=00000000-0000-4000-8000-00000000dead
checked=0
while read -r method path a m g r; do
    [[ -z $method || $method == \#* ]] && continue
    url=${path//\{id\}/$NOBODY}
    url=${url//\{userId\}/$NOBODY}
    url=${url//\{envId\}/$NOBODY}
    url=${url//\{entityType\}/user}
    body=
    [[ $method == POST || $method == PUT ]] && body='{}'
    i=0
    for want in "$a" "$m" "$g" "$r"; do
        role=${ROLES[$i]}
        i=$((i + 1))
        token=${TOKEN[$role]}
        if [[ $path == /api/v1/auth/logout ]]; then # ends a session: use a fresh one
            login acme "$role@acme.test" "$PW"
            token=$(json .access_token)
        fi
        req "$method" "$url" "$body" "$token"
        got=y
        [[ $STATUS == 403 ]] && got=n
        [[ $got == "$want" ]] ||
            fail "$method $path as $role: matrix says $want, server answered $STATUS: $(cat "$TMP/body")"
        checked=$((checked + 1))
    done
done < <(grep -v '^#' "$MATRIX")
[[ $checked -ge 100 ]] || fail "only $checked calls checked"
echo "  $checked calls checked"
ok

step "without a token every route but the public ones is 401"
while read -r method path access; do
    [[ $access == public ]] && continue
    url=${path//\{id\}/$NOBODY}
    url=${url//\{userId\}/$NOBODY}
    url=${url//\{envId\}/$NOBODY}
    url=${url//\{entityType\}/user}
    req "$method" "$url" ""
    [[ $STATUS == 401 ]] || fail "$method $path without a token answered $STATUS"
    [[ $(header WWW-Authenticate) == Bearer* ]] || fail "$method $path: no WWW-Authenticate"
done < <("$FIRELATER" --routes)
ok

step "a requester reads and updates themself, and nobody else"
R=${TOKEN[requester]}
req GET "/api/v1/users/${ID[requester]}" "" "$R" && expect 200
[[ $(json .email) == requester@acme.test ]] || fail "own profile"
req PUT "/api/v1/users/${ID[requester]}" '{"name":"Rita Requester"}' "$R" && expect 200
req GET "/api/v1/users/${ID[requester]}/groups" "" "$R" && expect 200
req GET "/api/v1/users/${ID[admin]}" "" "$R" && expect 403
cp "$TMP/body" "$TMP/existing"
req GET "/api/v1/users/$NOBODY" "" "$R" && expect 403
jq -S 'del(.instance, .request_id)' "$TMP/existing" >"$TMP/a"
jq -S 'del(.instance, .request_id)' "$TMP/body" >"$TMP/b"
cmp -s "$TMP/a" "$TMP/b" || fail "403 differs for an existing and a missing user"
req PUT "/api/v1/users/${ID[requester]}" '{"roles":["admin"]}' "$R" && expect 403
req DELETE "/api/v1/users/${ID[requester]}" "" "$R" && expect 403
ok

step "a role change counts from the next request"
req GET /api/v1/users "" "${TOKEN[requester]}" && expect 403
req PUT "/api/v1/users/${ID[requester]}" '{"roles":["agent"]}' "${TOKEN[admin]}" && expect 200
req GET /api/v1/users "" "${TOKEN[requester]}" && expect 200
req PUT "/api/v1/users/${ID[requester]}" '{"roles":["requester"]}' "${TOKEN[admin]}" && expect 200
req GET /api/v1/users "" "${TOKEN[requester]}" && expect 403
ok

step "roles held through a group (and its parent) count"
req POST /api/v1/groups '{"name":"Service Desk","roles":["agent"]}' "${TOKEN[admin]}" && expect 201
PARENT=$(json .id)
req POST /api/v1/groups "{\"name\":\"Tier 1\",\"parent_id\":\"$PARENT\"}" "${TOKEN[admin]}" && expect 201
CHILD=$(json .id)
req POST "/api/v1/groups/$CHILD/members" "{\"user_id\":\"${ID[requester]}\"}" "${TOKEN[admin]}" &&
    expect 200
req GET /api/v1/users "" "${TOKEN[requester]}" && expect 200
req DELETE "/api/v1/groups/$CHILD/members/${ID[requester]}" "" "${TOKEN[admin]}"
[[ $STATUS == 200 || $STATUS == 204 ]] || fail "remove member: $STATUS"
req GET /api/v1/users "" "${TOKEN[requester]}" && expect 403
ok

step "nobody grants what they do not hold"
# A manager may manage group memberships, but not make anyone a member of a
# group whose roles grant more than the manager holds.
req POST /api/v1/groups '{"name":"Admins","roles":["admin"]}' "${TOKEN[admin]}" && expect 201
ADMINS=$(json .id)
req POST "/api/v1/groups/$ADMINS/members" "{\"user_id\":\"${ID[manager]}\"}" "${TOKEN[manager]}" &&
    expect 403
req POST "/api/v1/groups/$CHILD/members" "{\"user_id\":\"${ID[agent]}\"}" "${TOKEN[manager]}" &&
    expect 200
req GET "/api/v1/groups/$ADMINS/members" "" "${TOKEN[admin]}" && expect 200
[[ $(json '.data | length') == 0 ]] || fail "the refused membership was recorded"
ok

step "another tenant's token reaches nothing here"
login globex admin@globex.test "$PW" && expect 200
G=$(json .access_token)
req GET "/api/v1/users/${ID[requester]}" "" "$G"
[[ $STATUS == 404 || $STATUS == 403 ]] || fail "globex admin read an acme user: $STATUS"
req GET "/api/v1/groups/$PARENT" "" "$G"
[[ $STATUS == 404 || $STATUS == 403 ]] || fail "globex admin read an acme group: $STATUS"
ok

