#!/usr/bin/env bash
# End to end: the service catalog through the real binaries. Categories (tree
# order, depth and path, hidden subtrees, moves: cycle 409 and depth 422,
# sibling names 409, delete refused with children or items), items (every
# field, 422s naming fields and form_schema paths, references, the lifecycle
# with its 409s, publish and form versions, clone, lists with filters and
# paging, visibility for a requester, time travel), bundles (items with names,
# quantities, the discounted total, refusals, soft delete), permissions and a
# rebuild of the read model from the log.
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
C=/api/v1/catalog/categories
I=/api/v1/catalog/items
B=/api/v1/catalog/bundles

field_named() {
    json '[.errors[].field] | join(" ")' | grep -qw -- "$1" || fail "no error on $1: $(cat "$TMP/body")"
}
mkcat() { # mkcat NAME [PARENT] [EXTRA JSON]: prints the id
    local p=null
    [[ -n ${2:-} ]] && p="\"$2\""
    req POST $C "{\"name\":\"$1\",\"parent_id\":$p${3:-}}" "$TOKEN" && expect 201
    json .id
}
same_as_written() { # the read model's answer equals the write's (both bodies, minus keys)
    diff <(jq -S "del(${2:-.nothing})" "$1") <(jq -S "del(${2:-.nothing})" "$TMP/body") ||
        fail "the read model differs from the write"
}

step "categories: create, Location, ETag, colour and every bad field named"
req POST $C '{"name":"Hardware","description":"things","icon":"laptop","color":"#1A2B3C","sort_order":2}' "$TOKEN" && expect 201
HW=$(json .id)
[[ $(header Location) == "$C/$HW" && $(header ETag) == '"1"' ]] || fail "$(cat "$TMP/headers")"
[[ $(json .status) == active && $(json .color) == '#1a2b3c' && $(json .item_count) == 0 ]] || fail "$(cat "$TMP/body")"
SW=$(mkcat Software "" ',"sort_order":1')
LAP=$(mkcat Laptops "$HW")
SEC=$(mkcat Secret "$HW" ',"status":"hidden"')
DEEP=$(mkcat Deep "$SEC")
req POST $C '{"name":"","color":"red","sort_order":"a","status":"gone","parent_id":"x","icon":7,"wat":1}' "$TOKEN" && expect 422
for f in name color sort_order status parent_id icon wat; do field_named "$f"; done
req POST $C '{"description":"no name"}' "$TOKEN" && expect 422 && field_named name
req POST $C "{\"name\":\"X\",\"parent_id\":\"$NOBODY\"}" "$TOKEN" && expect 422 && field_named parent_id
req POST $C '{"name":"x","color":"#12345"}' "$TOKEN" && expect 422 && field_named color
req POST $C '{"name":' "$TOKEN" && expect 400
ok

step "categories: sibling names unique (case folded); other parents may reuse them"
req POST $C "{\"name\":\"LAPTOPS\",\"parent_id\":\"$HW\"}" "$TOKEN" && expect 409 && field_named name
req POST $C '{"name":"software"}' "$TOKEN" && expect 409
mkcat Laptops "$SW" >/dev/null
ok

step "categories: tree order, depth, path; hidden subtrees only with include_hidden; nested"
req GET $C "" "$TOKEN" && expect 200
[[ $(json '[.data[].name] | join(",")') == Software,Laptops,Hardware,Laptops ]] || fail "order $(json '[.data[].name]')"
[[ $(json '.data[3].depth') == 2 && $(json '.data[3].path | join("/")') == Hardware/Laptops ]] || fail "path"
req GET "$C?include_hidden=true" "" "$TOKEN" && expect 200
[[ $(json .meta.total) == 6 && $(json '.data[5].path | join("/")') == Hardware/Secret/Deep ]] || fail "hidden $(cat "$TMP/body")"
req GET "$C?tree=true" "" "$TOKEN" && expect 200
[[ $(json '.data | length') == 2 && $(json '.data[1].children[0].id') == "$LAP" ]] || fail "tree $(cat "$TMP/body")"
req GET "$C?parent_id=$HW&include_hidden=true" "" "$TOKEN" && expect 200
[[ $(json '[.data[].name] | join(",")') == Laptops,Secret,Deep ]] || fail "subtree $(json '[.data[].name]')"
req GET "$C?tree=maybe&parent_id=x&size=1&tree=true" "" "$TOKEN" && expect 422
for f in tree parent_id size; do field_named "$f"; done
ok

step "categories: get with depth and path; 404s"
req GET "$C/$LAP" "" "$TOKEN" && expect 200
[[ $(json .depth) == 2 && $(json .parent_id) == "$HW" && $(header ETag) == '"1"' ]] || fail "$(cat "$TMP/body")"
req GET "$C/$DEEP" "" "$TOKEN" && expect 200
for id in $NOBODY nope; do req GET "$C/$id" "" "$TOKEN" && expect 404; done
req GET "$C/$HW?x=1" "" "$TOKEN" && expect 422 && field_named x
req PUT "$C/$NOBODY" '{"name":"x"}' "$TOKEN" && expect 404
ok

step "categories: update, If-Match, moves (cycle 409, depth 422)"
req PUT "$C/$LAP" '{"description":"portable"}' "$TOKEN" 'If-Match: "7"' && expect 412
req PUT "$C/$LAP" '{"description":"portable","color":"#abc"}' "$TOKEN" 'If-Match: "1"' && expect 200
[[ $(json .version) == 2 && $(json .color) == '#abc' ]] || fail "$(cat "$TMP/body")"
req PUT "$C/$HW" "{\"parent_id\":\"$DEEP\"}" "$TOKEN" && expect 409 && field_named parent_id
req PUT "$C/$HW" "{\"parent_id\":\"$HW\"}" "$TOKEN" && expect 409
L3=$(mkcat L3 "$DEEP")
L4=$(mkcat L4 "$L3")
req POST $C "{\"name\":\"L5\",\"parent_id\":\"$L4\"}" "$TOKEN" && expect 422 && field_named parent_id
req PUT "$C/$SW" "{\"parent_id\":\"$L3\"}" "$TOKEN" && expect 422 && field_named parent_id # 4 + 2 levels
req PUT "$C/$SW" "{\"parent_id\":\"$DEEP\"}" "$TOKEN" && expect 200
req GET "$C/$SW" "" "$TOKEN" && expect 200
[[ $(json .depth) == 4 && $(json '.path | join("/")') == Hardware/Secret/Deep/Software ]] || fail "moved $(cat "$TMP/body")"
req PUT "$C/$SW" '{"parent_id":null,"name":"Software"}' "$TOKEN" && expect 200
req DELETE "$C/$L4" "" "$TOKEN" && expect 204
req DELETE "$C/$L3" "" "$TOKEN" && expect 204
ok

step "categories: delete refused while children live; the name is free again after"
req DELETE "$C/$SEC" "" "$TOKEN" && expect 409 && field_named children
json .errors[0].message | grep -q Deep || fail "children not named"
TMPC=$(mkcat Temp)
req DELETE "$C/$TMPC" "" "$TOKEN" && expect 204
req GET "$C/$TMPC" "" "$TOKEN" && expect 404
req DELETE "$C/$TMPC" "" "$TOKEN" && expect 404
mkcat Temp >/dev/null
ok
