#!/usr/bin/env bash
# End to end: issue categories through the real binaries. Create (roots and
# children), the tree list (flat and nested, filters), get, update with
# If-Match, moves (cycle 409, depth 422), sibling names unique (409), delete
# refused while children live, bad input named on every endpoint, unknown
# ids, time travel, tenant isolation, permissions and a rebuild.
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
C=/api/v1/issues/categories

field_named() {
    json '[.errors[].field] | join(" ")' | grep -qw -- "$1" || fail "no error on $1: $(cat "$TMP/body")"
}
mk() { # mk NAME [PARENT] [EXTRA JSON]: prints the id
    local p=null
    [[ -n ${2:-} ]] && p="\"$2\""
    req POST $C "{\"name\":\"$1\",\"parent_id\":$p${3:-}}" "$TOKEN" && expect 201
    json .id
}

step "create: roots and children, Location, ETag"
req POST $C '{"name":"Hardware","description":"things","sort_order":2}' "$TOKEN" && expect 201
HW=$(json .id)
[[ $(header Location) == "$C/$HW" && $(header ETag) == '"1"' ]] || fail "$(cat "$TMP/headers")"
[[ $(json .is_active) == true && $(json .parent_id) == null ]] || fail "$(cat "$TMP/body")"
SW=$(mk Software "" ',"sort_order":1')
LAP=$(mk Laptops "$HW")
PRN=$(mk Printers "$HW" ',"is_active":false')
ok

step "sibling names are unique (case folded); other parents may reuse them"
req POST $C "{\"name\":\"LAPTOPS\",\"parent_id\":\"$HW\"}" "$TOKEN" && expect 409 && field_named name
req POST $C '{"name":"hardware"}' "$TOKEN" && expect 409
mk Laptops "$SW" >/dev/null
ok

step "create: bad input named, unknown parent"
req POST $C '{"name":7,"parent_id":"x","sort_order":"a","is_active":1,"wat":1}' "$TOKEN" && expect 422
for f in name parent_id sort_order is_active wat; do field_named "$f"; done
req POST $C '{"description":"no name"}' "$TOKEN" && expect 422 && field_named name
req POST $C "{\"name\":\"X\",\"parent_id\":\"$NOBODY\"}" "$TOKEN" && expect 422 && field_named parent_id
req POST $C '{"name":' "$TOKEN" && expect 400
ok

step "list: tree order, depth and path; inactive hidden unless asked; nested"
req GET $C "" "$TOKEN" && expect 200
[[ $(json '[.data[].name] | join(",")') == Software,Laptops,Hardware,Laptops ]] || fail "order $(json '[.data[].name]')"
[[ $(json '.data[3].depth') == 2 && $(json '.data[3].path | join("/")') == Hardware/Laptops ]] || fail "path"
req GET "$C?include_inactive=true" "" "$TOKEN" && expect 200
[[ $(json .meta.total) == 5 ]] || fail "include_inactive $(json .meta.total)"
req GET "$C?include_inactive=true&is_active=false" "" "$TOKEN" && expect 200
[[ $(json '.data[0].id') == "$PRN" && $(json .meta.total) == 1 ]] || fail "is_active filter"
req GET "$C?parent_id=$HW" "" "$TOKEN" && expect 200
[[ $(json .meta.total) == 1 ]] || fail "parent_id filter"
req GET "$C?parent_id=null" "" "$TOKEN" && expect 200
[[ $(json .meta.total) == 2 ]] || fail "roots"
req GET "$C?tree=true" "" "$TOKEN" && expect 200
[[ $(json '.data | length') == 2 && $(json '.data[1].children[0].id') == "$LAP" ]] || fail "tree $(cat "$TMP/body")"
req GET "$C?tree=maybe&parent_id=x&is_active=false&size=1" "" "$TOKEN" && expect 422
for f in tree parent_id size; do field_named "$f"; done
ok

step "get; unknown ids 404"
req GET "$C/$LAP" "" "$TOKEN" && expect 200
[[ $(json .depth) == 2 && $(json .parent_id) == "$HW" && $(header ETag) == '"1"' ]] || fail "$(cat "$TMP/body")"
for id in $NOBODY nope; do req GET "$C/$id" "" "$TOKEN" && expect 404; done
req GET "$C/$LAP?x=1" "" "$TOKEN" && expect 422 && field_named x
ok

step "update: If-Match, bad input, rename checked among siblings, no-op"
req PUT "$C/$LAP" '{"name":"Notebooks"}' "$TOKEN" 'If-Match: "9"' && expect 412
req PUT "$C/$LAP" '{"name":"Notebooks","sort_order":5}' "$TOKEN" 'If-Match: "1"' && expect 200
[[ $(json .name) == Notebooks && $(header ETag) == '"2"' ]] || fail "$(cat "$TMP/body")"
req PUT "$C/$LAP" '{"name":"Notebooks"}' "$TOKEN" && expect 200
[[ $(header ETag) == '"2"' ]] || fail "a no-op appended"
req PUT "$C/$PRN" '{"name":"notebooks"}' "$TOKEN" && expect 409 && field_named name
req PUT "$C/$LAP" '{"name":null,"is_active":"no","x":1}' "$TOKEN" && expect 422
for f in name is_active x; do field_named "$f"; done
req PUT "$C/$NOBODY" '{"name":"x"}' "$TOKEN" && expect 404
ok

step "moves: no cycles (409), at most 5 levels (422)"
req PUT "$C/$HW" "{\"parent_id\":\"$LAP\"}" "$TOKEN" && expect 409 && field_named parent_id
req PUT "$C/$HW" "{\"parent_id\":\"$HW\"}" "$TOKEN" && expect 409
L3=$(mk L3 "$LAP"); L4=$(mk L4 "$L3"); L5=$(mk L5 "$L4")
req POST $C "{\"name\":\"L6\",\"parent_id\":\"$L5\"}" "$TOKEN" && expect 422 && field_named parent_id
req PUT "$C/$HW" "{\"parent_id\":\"$SW\"}" "$TOKEN" && expect 422 && field_named parent_id
req PUT "$C/$PRN" "{\"parent_id\":\"$SW\"}" "$TOKEN" && expect 200
[[ $(json .parent_id) == "$SW" ]] || fail "move"
req GET "$C/$PRN" "" "$TOKEN" && expect 200
[[ $(json '.path | join("/")') == Software/Printers ]] || fail "path after move"
ok

step "delete: refused naming the children, then soft"
req DELETE "$C/$L4" "" "$TOKEN" && expect 409 && field_named children
json '.errors[0].message' | grep -q L5 || fail "children not named"
req DELETE "$C/$L5" "" "$TOKEN" 'If-Match: "7"' && expect 412
req DELETE "$C/$L5" "" "$TOKEN" && expect 204
req DELETE "$C/$L5" "" "$TOKEN" && expect 404
req GET "$C/$L5" "" "$TOKEN" && expect 404
req DELETE "$C/$L4" "" "$TOKEN" && expect 204
req DELETE "$C/$NOBODY" "" "$TOKEN" && expect 404
mk L4 "$L3" >/dev/null # the name is free again
ok

step "time travel"
req GET "$C/$LAP?as_of=2000-01-01T00:00:00Z" "" "$TOKEN" && expect 404
req GET "$C/$LAP?as_of=never" "" "$TOKEN" && expect 422 && field_named as_of
T1=$(psql "$PG" -At -c "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')
     FROM tenant_acme.issue_categories WHERE id = '$LAP'") || fail psql
req GET "$C/$LAP?as_of=$T1" "" "$TOKEN" && expect 200
[[ $(json .name) == Laptops ]] || fail "as_of $(cat "$TMP/body")"
ok

step "tenant isolation and permissions"
req GET $C "" "$G_TOKEN" && expect 200
[[ $(json .meta.total) == 0 ]] || fail "globex sees acme's"
req GET "$C/$HW" "" "$G_TOKEN" && expect 404
req PUT "$C/$HW" '{"name":"x"}' "$G_TOKEN" && expect 404
req DELETE "$C/$SW" "" "$G_TOKEN" && expect 404
req POST $C "{\"name\":\"X\",\"parent_id\":\"$HW\"}" "$G_TOKEN" && expect 422
req POST /api/v1/users "{\"email\":\"ann@acme.test\",\"name\":\"Ann\",\"password\":\"$PW\",\"roles\":[\"agent\"]}" "$TOKEN"
expect 201
login acme ann@acme.test "$PW" && expect 200
A_TOKEN=$(json .access_token)
req GET $C "" "$A_TOKEN" && expect 200
req POST $C '{"name":"No"}' "$A_TOKEN" && expect 403
ok

step "a rebuild from the log gives the same read model"
req GET "$C?include_inactive=true" "" "$TOKEN" && expect 200
cp "$TMP/body" "$TMP/before"
"$FLCTL" --data "$DATA" projections rebuild --tenant acme --pg "$PG" >/dev/null || fail "rebuild"
req GET "$C?include_inactive=true" "" "$TOKEN" && expect 200
diff <(jq -S . "$TMP/before") <(jq -S . "$TMP/body") >/dev/null || fail "rebuild differs"
ok
