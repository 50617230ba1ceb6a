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

field_named() { # the names are fixed strings: tags[1], form_schema.fields[0].type
    json '.errors[].field' | grep -qxF -- "$1" || fail "no error on $1: $(cat "$TMP/body")"
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

step "items: setup (groups, a requester in one, an SLA policy)"
req POST /api/v1/groups '{"name":"Approvers","type":"team"}' "$TOKEN" && expect 201
APPR=$(json .id)
req POST /api/v1/groups '{"name":"Staff","type":"department"}' "$TOKEN" && expect 201
STAFF=$(json .id)
req POST /api/v1/groups "{\"name\":\"Staff Team\",\"type\":\"team\",\"parent_id\":\"$STAFF\"}" "$TOKEN" && expect 201
STEAM=$(json .id)
req POST /api/v1/groups '{"name":"Others","type":"team"}' "$TOKEN" && expect 201
OTHERS=$(json .id)
req POST /api/v1/groups '{"name":"Gone","type":"team"}' "$TOKEN" && expect 201
GONE=$(json .id)
req DELETE "/api/v1/groups/$GONE" "" "$TOKEN" && expect 204
req POST /api/v1/users "{\"email\":\"rita@acme.test\",\"name\":\"Rita\",\"password\":\"$PW\",\"roles\":[\"requester\"]}" "$TOKEN" && expect 201
RITA=$(json .id)
req POST "/api/v1/groups/$STEAM/members" "{\"user_id\":\"$RITA\"}" "$TOKEN" && expect 200
login acme rita@acme.test "$PW" && expect 200
R_TOKEN=$(json .access_token)
req POST /api/v1/sla/policies '{"name":"Requests","entity_type":"request","is_default":true,"targets":[{"metric_type":"resolution_time","priority":"medium","target_minutes":480}]}' "$TOKEN"
expect 201
SLA=$(json .id)
ok

FORM1='{"version":"1.0","fields":[{"id":"model","type":"select","label":"Model","required":true,"options":[{"value":"mbp14","label":"MacBook Pro 14"},{"value":"x1","label":"ThinkPad X1"}]},{"id":"why","type":"textarea","label":"Why","validation":{"max_length":500}}]}'
FORM2='{"version":"1.1","fields":[{"id":"model","type":"select","label":"Model","required":true,"options":[{"value":"mbp16","label":"MacBook Pro 16"}]}]}'

step "items: create a draft with every field; the read model agrees"
req POST $I "{\"category_id\":\"$LAP\",\"name\":\"Laptop\",\"short_desc\":\"A new laptop\",\"description\":\"**markdown**\",
  \"icon\":\"laptop\",\"image_url\":\"https://img.example/laptop.png\",\"form_schema\":$FORM1,\"fulfillment_type\":\"hybrid\",
  \"fulfillment_config\":{\"script\":\"order\"},\"fulfillment_group_id\":\"$APPR\",\"approval_required\":true,\"approval_type\":\"parallel\",
  \"approval_groups\":[\"$APPR\",\"$STAFF\"],\"sla_policy_id\":\"$SLA\",\"default_priority\":\"high\",\"estimated_hours\":8,
  \"cost\":1299.5,\"cost_type\":\"one_time\",\"cost_center\":\"IT-01\",\"visible_to_groups\":[\"$STAFF\"],\"tags\":[\"hardware\",\"laptop\"],\"sort_order\":3}" "$TOKEN"
expect 201
LAPTOP=$(json .id)
[[ $(header Location) == "$I/$LAPTOP" && $(header ETag) == '"1"' ]] || fail "$(cat "$TMP/headers")"
[[ $(json .status) == draft && $(json .form_version) == 0 && $(json .cost) == 1299.5 && $(json .approval_groups[1]) == "$STAFF" ]] ||
    fail "$(cat "$TMP/body")"
cp "$TMP/body" "$TMP/laptop_written"
req GET "$I/$LAPTOP" "" "$TOKEN" && expect 200
same_as_written "$TMP/laptop_written"
req GET "$C/$LAP" "" "$TOKEN" && expect 200
[[ $(json .item_count) == 1 ]] || fail "item_count $(cat "$TMP/body")"
ok

step "items: every bad field named (422), form_schema errors by path, references"
req POST $I '{"name":7,"category_id":"x","short_desc":[],"image_url":"ftp://x","form_schema":{"fields":[{"id":"a","type":"nope","label":"A"}]},
  "fulfillment_type":"magic","fulfillment_config":[],"approval_required":"yes","approval_type":"all","approval_groups":["x"],
  "sla_policy_id":1,"default_priority":"urgent","estimated_hours":-1,"cost":1.234,"cost_type":"weekly","cost_center":7,
  "visible_to_groups":"all","tags":["a","a"],"sort_order":1.5,"fulfillment_group_id":"y","status":"active","wat":1}' "$TOKEN"
expect 422
for f in name category_id short_desc image_url form_schema.fields[0].type fulfillment_type fulfillment_config approval_required \
    approval_type 'approval_groups[0]' sla_policy_id default_priority estimated_hours cost cost_type cost_center visible_to_groups \
    'tags[1]' sort_order fulfillment_group_id status wat; do field_named "$f"; done
req POST $I '{"cost":-1}' "$TOKEN" && expect 422 && field_named name && field_named cost
req POST $I '{"name":"X","cost":"100000000"}' "$TOKEN" && expect 422 && field_named cost
req POST $I "{\"name\":\"X\",\"category_id\":\"$NOBODY\",\"sla_policy_id\":\"$NOBODY\",\"approval_groups\":[\"$APPR\",\"$GONE\"],
  \"fulfillment_group_id\":\"$NOBODY\",\"visible_to_groups\":[]}" "$TOKEN" && expect 422
for f in category_id sla_policy_id 'approval_groups[1]' fulfillment_group_id visible_to_groups; do field_named "$f"; done
req POST $I '{"name":"X","approval_required":true}' "$TOKEN" && expect 422 && field_named approval_groups
req POST $I '{"name":"X","form_schema":{"fields":[{"id":"a","type":"text","label":"A"},{"id":"a","type":"text","label":"B"}]}}' "$TOKEN"
expect 422 && field_named 'form_schema.fields[1].id'
req GET $I "" "$TOKEN" && expect 200
[[ $(json .meta.total) == 1 ]] || fail "a refused create left something: $(json .meta.total)"
ok

step "items: lifecycle: publish freezes form version 1; 409s name the status"
req POST "$I/$LAPTOP/publish" "" "$TOKEN" && expect 200
[[ $(json .status) == active && $(json .form_version) == 1 && $(json .form_schema.fields[0].id) == model ]] || fail "$(cat "$TMP/body")"
req POST "$I/$LAPTOP/publish" "" "$TOKEN" && expect 409
json .title | grep -q active || fail "409 does not name the status: $(cat "$TMP/body")"
req POST "$I/$NOBODY/publish" "" "$TOKEN" && expect 404
ok

step "items: editing an active item's form publishes version 2; version 1 stays readable"
req PUT "$I/$LAPTOP" "{\"form_schema\":$FORM2,\"cost\":\"1399.00\"}" "$TOKEN" 'If-Match: "2"' && expect 200
[[ $(json .form_version) == 2 && $(json .form_schema.fields[0].options[0].value) == mbp16 && $(json .cost) == 1399 ]] || fail "$(cat "$TMP/body")"
cp "$TMP/body" "$TMP/laptop_written"
req GET "$I/$LAPTOP" "" "$TOKEN" && expect 200
same_as_written "$TMP/laptop_written"
req GET "$I/$LAPTOP?form_version=1" "" "$TOKEN" && expect 200
[[ $(json .form_version) == 1 && $(json .form_schema.fields[0].options[0].value) == mbp14 ]] || fail "v1 $(cat "$TMP/body")"
req GET "$I/$LAPTOP?form_version=3" "" "$TOKEN" && expect 404
req GET "$I/$LAPTOP?form_version=0" "" "$TOKEN" && expect 422 && field_named form_version
req GET "$I/$LAPTOP?x=1" "" "$TOKEN" && expect 422 && field_named x
req PUT "$I/$LAPTOP" '{"form_schema":{"fields":[{"id":"1bad","type":"text","label":"A"}]}}' "$TOKEN" && expect 422
field_named 'form_schema.fields[0].id'
req PUT "$I/$LAPTOP" '{"approval_groups":[]}' "$TOKEN" && expect 422 && field_named approval_groups
req PUT "$I/$LAPTOP" '{"name":"Laptop"}' "$TOKEN" && expect 200
[[ $(json .version) == 4 ]] || fail "a no-op update appended: $(json .version)"
n=$(psql "$PG" -At -c "SELECT count(*) FROM tenant_acme.catalog_item_form_versions WHERE item_id = '$LAPTOP'") || fail psql
[[ $n == 2 ]] || fail "form versions in the read model: $n"
ok

step "items: visibility for a requester; retire, clone"
req POST $I '{"name":"Mouse","cost":"10"}' "$TOKEN" && expect 201
MOUSE=$(json .id)
req POST "$I/$MOUSE/publish" "" "$TOKEN" && expect 200
req POST $I "{\"name\":\"Secret thing\",\"category_id\":\"$DEEP\"}" "$TOKEN" && expect 201
HIDDEN_ITEM=$(json .id)
req POST "$I/$HIDDEN_ITEM/publish" "" "$TOKEN" && expect 200
req GET $I "" "$R_TOKEN" && expect 200
[[ $(json '[.data[].name] | sort | join(",")') == Laptop,Mouse ]] || fail "requester sees $(json '[.data[].name]')"
req GET "$I/$HIDDEN_ITEM" "" "$R_TOKEN" && expect 404
req PUT "$I/$LAPTOP" "{\"visible_to_groups\":[\"$OTHERS\"]}" "$TOKEN" && expect 200
req GET "$I/$LAPTOP" "" "$R_TOKEN" && expect 404
req GET "$I?status=active&q=mou&sort=name&per_page=1" "" "$TOKEN" && expect 200
[[ $(json .meta.total) == 1 && $(json .data[0].id) == "$MOUSE" ]] || fail "filters $(cat "$TMP/body")"
req GET "$I?category_id=$HW" "" "$TOKEN" && expect 200
[[ $(json .meta.total) == 2 ]] || fail "subtree filter $(json .meta.total)"
req GET "$I?status=gone&sort=x" "" "$TOKEN" && expect 422 && field_named status && field_named sort
req DELETE "$C/$LAP" "" "$TOKEN" && expect 409 && field_named items
req DELETE "$I/$MOUSE" "" "$TOKEN" && expect 200
[[ $(json .status) == retired ]] || fail "$(cat "$TMP/body")"
req POST "$I/$MOUSE/publish" "" "$TOKEN" && expect 409
req DELETE "$I/$MOUSE" "" "$TOKEN" && expect 409
req POST "$I/$MOUSE/clone" "" "$TOKEN" && expect 201
[[ $(json .name) == 'Mouse (copy)' && $(json .status) == draft && $(json .id) != "$MOUSE" ]] || fail "$(cat "$TMP/body")"
req POST "$I/$LAPTOP/clone" '{"name":"Laptop 2"}' "$TOKEN" && expect 201
[[ $(json .name) == 'Laptop 2' && $(json .category_id) == "$LAP" ]] || fail "$(cat "$TMP/body")"
req POST "$I/$LAPTOP/clone" '{"nom":1}' "$TOKEN" && expect 422 && field_named nom
req POST $I '{"name":"No"}' "$R_TOKEN" && expect 403
ok

step "bundles: items with names and quantities, the discounted total, refusals, soft delete"
req POST $B "{\"name\":\"Starter\",\"discount_percent\":10,\"items\":[{\"item_id\":\"$LAPTOP\",\"quantity\":2},{\"item_id\":\"$HIDDEN_ITEM\"}]}" "$TOKEN"
expect 201
BUN=$(json .id)
[[ $(json .items[0].name) == Laptop && $(json .total_cost) == 2518.2 ]] || fail "$(cat "$TMP/body")"
req GET "$B/$BUN" "" "$TOKEN" && expect 200
[[ $(json .items[0].name) == Laptop && $(json .total_cost) == 2518.2 ]] || fail "read $(cat "$TMP/body")"
req POST $B "{\"name\":\"Bad\",\"discount_percent\":101,\"items\":[{\"item_id\":\"$LAPTOP\",\"quantity\":0},{\"item_id\":\"$MOUSE\"},{\"item_id\":\"$MOUSE\"}]}" "$TOKEN"
expect 422
for f in discount_percent 'items[0].quantity' 'items[2].item_id'; do field_named "$f"; done
req POST $B "{\"name\":\"Old\",\"items\":[{\"item_id\":\"$MOUSE\"}]}" "$TOKEN" && expect 422 && field_named 'items[0].item_id'
req PUT "$B/$BUN" '{"status":"inactive"}' "$TOKEN" && expect 200
req GET $B "" "$R_TOKEN" && expect 200
[[ $(json .meta.total) == 0 ]] || fail "requester sees an inactive bundle"
req DELETE "$B/$BUN" "" "$TOKEN" && expect 204
req GET "$B/$BUN" "" "$TOKEN" && expect 404
ok

step "tenant isolation; a rebuild from the log gives the same read model"
req GET $I "" "$G_TOKEN" && expect 200
[[ $(json .meta.total) == 0 ]] || fail "globex sees acme's items"
req GET "$I/$LAPTOP" "" "$G_TOKEN" && expect 404
req GET "$I?per_page=100" "" "$TOKEN" && expect 200
cp "$TMP/body" "$TMP/before"
"$FLCTL" --data "$DATA" projections rebuild --tenant acme --pg "$PG" >/dev/null || fail "rebuild"
req GET "$I?per_page=100" "" "$TOKEN" && expect 200
diff <(jq -S . "$TMP/before") <(jq -S . "$TMP/body") >/dev/null || fail "rebuild differs"
ok
