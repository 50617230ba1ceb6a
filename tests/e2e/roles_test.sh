#!/usr/bin/env bash
# End to end: custom roles and the permission catalogue, roles granted to
# users and held by groups, through the real binaries (a private
# PostgreSQL, `flctl tenant create`, `firelater`, curl). Covers the role
# lifecycle (create, list, get, update with If-Match, delete), its refusals
# (unknown permission, duplicate name, system roles, a role still held, no
# escalation), and the access a custom role gives, directly and through a
# parent group of the user's group.
set -uo pipefail
FIRELATER=$1
FLCTL=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"

PW='correct horse battery staple'
pg_start
"$FLCTL" --data "$DATA" tenant create acme --name "Acme" --admin-email admin@acme.test \
    --admin-password "$PW" --pg "$PG" >/dev/null || fail "tenant create acme"
server_start --read-wait-ms 2000
login acme admin@acme.test "$PW" && expect 200
TOKEN=$(json .access_token)

# new_user EMAIL ROLES_JSON: creates a user (as the admin) and sets ID and UTOKEN (signed in).
new_user() {
    req POST /api/v1/users "{\"email\":\"$1\",\"name\":\"$1\",\"password\":\"$PW\",\"roles\":$2}" "$TOKEN"
    expect 201
    ID=$(json .id)
    login acme "$1" "$PW" && expect 200
    UTOKEN=$(json .access_token)
}

# field_named FIELD: the problem names FIELD among its errors.
field_named() {
    json '[.errors[].field] | join(" ")' | grep -qw -- "$1" || fail "no error on $1: $(cat "$TMP/body")"
}

step "the permission catalogue: every resource:action, manage explained"
req GET /api/v1/permissions "" "$TOKEN" && expect 200
[[ $(json '.data | length') == 105 ]] || fail "catalogue size $(json '.data | length')"
[[ $(json '.data[] | select(.name == "users:read") | "\(.resource) \(.action)"') == "users read" ]] ||
    fail "users:read entry"
json '.data[] | select(.name == "issues:manage") | .description' | grep -q implies ||
    fail "manage does not say what it implies"
# The migration's catalogue (schemas/tenant/0004_rbac.sql) is the code's, word for word.
jq -r '.data[] | "\(.name)|\(.description)"' "$TMP/body" | sort >"$TMP/api_catalogue"
psql "$PG" -At -c "SELECT resource || ':' || action || '|' || description FROM tenant_acme.permissions
        WHERE id = md5(resource || ':' || action)::uuid" | sort >"$TMP/sql_catalogue" || fail "psql"
diff "$TMP/api_catalogue" "$TMP/sql_catalogue" >"$TMP/catalogue.diff" ||
    fail "the permissions table and the code differ: $(head -5 "$TMP/catalogue.diff")"
ok

step "system roles are listed with the code's grants"
req GET /api/v1/roles "" "$TOKEN" && expect 200
[[ $(json '[.data[].name] | join(",")') == admin,agent,manager,requester ]] ||
    fail "roles: $(json '[.data[].name] | join(",")')"
[[ $(json '[.data[] | select(.is_system)] | length') == 4 ]] || fail "not all system"
json '.data[] | select(.name == "admin") | .permissions[]' | grep -qx users:manage ||
    fail "admin lacks users:manage"
[[ $(json '.data[] | select(.name == "requester") | .permissions | join(",")') == \
    catalog:read,issues:create,issues:read,requests:create,requests:read ]] ||
    fail "requester's grants: $(json '.data[] | select(.name == "requester") | .permissions')"
ADMIN_ROLE=$(json '.data[] | select(.name == "admin") | .id')
ok

step "create a custom role: 201, Location, ETag, and the read model has it"
req POST /api/v1/roles '{"name":"auditor","display_name":"Auditor","permissions":["users:read","audit:read"]}' "$TOKEN"
expect 201
AUDITOR=$(json .id)
[[ $(header Location) == "/api/v1/roles/$AUDITOR" && $(header ETag) == '"1"' ]] ||
    fail "Location $(header Location) ETag $(header ETag)"
[[ $(json '.permissions | join(",")') == audit:read,users:read && $(json .is_system) == false ]] ||
    fail "created body"
req GET "/api/v1/roles/$AUDITOR" "" "$TOKEN" && expect 200
[[ $(json '.permissions | join(",")') == audit:read,users:read && $(json .version) == 1 ]] ||
    fail "read model: $(cat "$TMP/body")"
[[ $(psql "$PG" -At -c "SELECT count(*) FROM tenant_acme.role_permissions WHERE role_id = '$AUDITOR'") == 2 ]] ||
    fail "role_permissions rows"
req GET '/api/v1/roles?is_system=false' "" "$TOKEN" && expect 200
[[ $(json '[.data[].name] | join(",")') == auditor && $(json .meta.total) == 1 ]] ||
    fail "custom list: $(cat "$TMP/body")"
req GET '/api/v1/roles?colour=red' "" "$TOKEN" && expect 422
field_named colour
ok

step "update with If-Match; a stale version is 412"
req PUT "/api/v1/roles/$AUDITOR" '{"display_name":"Auditors","permissions":["users:read","groups:read","audit:read"]}' \
    "$TOKEN" 'If-Match: "1"'
expect 200
[[ $(json .version) == 2 && $(json .display_name) == Auditors && $(header ETag) == '"2"' ]] ||
    fail "update: $(cat "$TMP/body")"
req PUT "/api/v1/roles/$AUDITOR" '{"description":"stale"}' "$TOKEN" 'If-Match: "1"' && expect 412
req GET "/api/v1/roles/$AUDITOR" "" "$TOKEN" && expect 200
[[ $(json '.permissions | join(",")') == audit:read,groups:read,users:read && $(json .description) == null ]] ||
    fail "after update: $(cat "$TMP/body")"
req PUT "/api/v1/roles/$AUDITOR" '{"name":"renamed"}' "$TOKEN" && expect 422
field_named name
ok

step "refusals: unknown permission, bad and duplicate names, system roles"
req POST /api/v1/roles '{"name":"bad","display_name":"Bad","permissions":["users:read","users:fly"]}' "$TOKEN"
expect 422
field_named 'permissions\[1\]'
req POST /api/v1/roles '{"name":"Bad Name","display_name":"B"}' "$TOKEN" && expect 422
field_named name
req POST /api/v1/roles '{"name":"auditor","display_name":"Again"}' "$TOKEN" && expect 409
field_named name
req POST /api/v1/roles '{"name":"admin","display_name":"Again"}' "$TOKEN" && expect 409
req DELETE "/api/v1/roles/$ADMIN_ROLE" "" "$TOKEN" && expect 409
json .title | grep -q "system roles cannot be deleted" || fail "title: $(json .title)"
req PUT "/api/v1/roles/$ADMIN_ROLE" '{"permissions":["users:read"]}' "$TOKEN" && expect 409
json .title | grep -q "system roles cannot be changed" || fail "title: $(json .title)"
req GET "/api/v1/roles/$ADMIN_ROLE" "" "$TOKEN" && expect 200
json '.permissions[]' | grep -qx users:manage || fail "the admin role changed"
req GET /api/v1/roles/00000000-0000-4000-8000-000000000000 "" "$TOKEN" && expect 404
ok

step "a custom role granted to a user gives exactly its permissions"
req POST /api/v1/users "{\"email\":\"x@acme.test\",\"name\":\"X\",\"roles\":[\"agent\",\"ghost\"]}" "$TOKEN"
expect 422
field_named 'roles\[1\]'
new_user carl@acme.test '["auditor"]'
CARL=$ID
CARL_TOKEN=$UTOKEN
req GET "/api/v1/users/$CARL" "" "$TOKEN" && expect 200
[[ $(json '.roles | join(",")') == auditor ]] || fail "carl's roles: $(json .roles)"
req GET /api/v1/users "" "$CARL_TOKEN" && expect 200
req POST /api/v1/users '{"email":"y@acme.test","name":"Y"}' "$CARL_TOKEN" && expect 403
req GET /api/v1/roles "" "$CARL_TOKEN" && expect 403
ok

step "a role still held cannot be deleted; the answer says by how many"
req DELETE "/api/v1/roles/$AUDITOR" "" "$TOKEN" && expect 409
json .detail | grep -q "held by 1 user and 0 groups" || fail "detail: $(json .detail)"
ok

step "no escalation: roles and grants beyond your own permissions are 403"
req POST /api/v1/roles '{"name":"rolesmith","display_name":"Role smith","permissions":["roles:create","roles:read","users:read","groups:update","groups:read"]}' "$TOKEN"
expect 201
new_user rita@acme.test '["rolesmith"]'
RITA_TOKEN=$UTOKEN
req POST /api/v1/roles '{"name":"superuser","display_name":"S","permissions":["users:manage"]}' "$RITA_TOKEN"
expect 403
field_named permissions
req POST /api/v1/roles '{"name":"reader","display_name":"Reader","permissions":["users:read"]}' "$RITA_TOKEN"
expect 201
ok

step "a parent group's role reaches the members of its sub-groups"
req POST /api/v1/roles '{"name":"directory","display_name":"Directory","permissions":["groups:read"]}' "$TOKEN"
expect 201
DIRECTORY=$(json .id)
req POST /api/v1/groups '{"name":"IT","type":"department","roles":["directory"]}' "$TOKEN" && expect 201
IT=$(json .id)
[[ $(json '.roles | join(",")') == directory ]] || fail "group roles: $(json .roles)"
req POST /api/v1/groups "{\"name\":\"Service desk\",\"parent_id\":\"$IT\"}" "$TOKEN" && expect 201
DESK=$(json .id)
req GET "/api/v1/groups/$IT" "" "$TOKEN" && expect 200
[[ $(json '.roles | join(",")') == directory ]] || fail "group read model roles: $(json .roles)"
new_user gus@acme.test '["requester"]'
GUS=$ID
GUS_TOKEN=$UTOKEN
req GET /api/v1/groups "" "$GUS_TOKEN" && expect 403
req POST "/api/v1/groups/$DESK/members" "{\"user_id\":\"$GUS\"}" "$TOKEN" && expect 200
req GET /api/v1/groups "" "$GUS_TOKEN" && expect 200
req POST /api/v1/groups '{"name":"Nope","roles":["ghost"]}' "$TOKEN" && expect 422
field_named 'roles\[0\]'
ok

step "granting through groups is bounded by your own permissions"
# rita holds groups:update and groups:read but not what admin grants.
req PUT "/api/v1/groups/$DESK" '{"roles":["admin"]}' "$RITA_TOKEN" && expect 403
field_named roles
req POST /api/v1/groups '{"name":"Admins","roles":["admin"]}' "$TOKEN" && expect 201
ADMINS=$(json .id)
req POST "/api/v1/groups/$ADMINS/members" "{\"user_id\":\"$GUS\"}" "$RITA_TOKEN" && expect 403
req POST "/api/v1/groups/$DESK/members" "{\"user_id\":\"$CARL\"}" "$RITA_TOKEN" && expect 200
req GET "/api/v1/groups/$DESK" "" "$TOKEN" && expect 200
ETAG=$(header ETag)
req PUT "/api/v1/groups/$DESK" '{"roles":["directory"]}' "$RITA_TOKEN" "If-Match: $ETAG" && expect 200
[[ $(json '.roles | join(",")') == directory ]] || fail "desk roles: $(json .roles)"
ok

step "delete: refused while a group holds the role, then its name is free again"
req DELETE "/api/v1/roles/$DIRECTORY" "" "$TOKEN" && expect 409
json .detail | grep -q "held by 0 users and 2 groups" || fail "detail: $(json .detail)"
req PUT "/api/v1/groups/$IT" '{"roles":[]}' "$TOKEN" && expect 200
req PUT "/api/v1/groups/$DESK" '{"roles":[]}' "$TOKEN" && expect 200
req GET /api/v1/groups "" "$GUS_TOKEN" && expect 403
req DELETE "/api/v1/roles/$DIRECTORY" "" "$TOKEN" && expect 204
req GET "/api/v1/roles/$DIRECTORY" "" "$TOKEN" && expect 404
req PUT "/api/v1/roles/$DIRECTORY" '{"description":"x"}' "$TOKEN" && expect 404
req POST /api/v1/roles '{"name":"directory","display_name":"Directory again"}' "$TOKEN" && expect 201
[[ $(json .id) != "$DIRECTORY" ]] || fail "the deleted role came back"
# auditor: revoked from carl, then deleted
req PUT "/api/v1/users/$CARL" '{"roles":["requester"]}' "$TOKEN" && expect 200
req DELETE "/api/v1/roles/$AUDITOR" "" "$TOKEN" && expect 204
req GET /api/v1/roles "" "$TOKEN" && expect 200
json '[.data[].name] | join(",")' | grep -qw auditor && fail "auditor still listed"
ok

step "a role as it was: ?as_of= folds the log"
req GET "/api/v1/roles/$AUDITOR?as_of=2999-01-01T00:00:00Z" "" "$TOKEN" && expect 404
req GET "/api/v1/roles/$ADMIN_ROLE?as_of=2999-01-01T00:00:00Z" "" "$TOKEN" && expect 200
[[ $(json .name) == admin ]] || fail "as_of body"
ok
