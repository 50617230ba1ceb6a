# Shared by the end-to-end tests: a private PostgreSQL, the real binaries,
# and curl helpers. Sourced; expects FIRELATER, FLCTL and ROOT to be set.
# shellcheck shell=bash

TMP=$(mktemp -d /tmp/fl-e2e.XXXXXX)
chmod 755 "$TMP"
DATA=$TMP/data
PGDIR=$TMP/pg
# Ports sit below the kernel's ephemeral range (32768-60999), so that no
# client connection of another test can hold the one picked here.
PGPORT=$((21000 + $$ % 5000))
HTTPPORT=$((26000 + $$ % 5000))
BASE=http://127.0.0.1:$HTTPPORT
SERVER_PID=
STEP=

cleanup() {
    [[ -n $SERVER_PID ]] && kill -9 "$SERVER_PID" 2>/dev/null
    "$ROOT/tools/pg" stop "$PGDIR" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT

step() {
    STEP=$1
}

ok() {
    echo "ok - $STEP"
}

fail() {
    echo "not ok - $STEP: $*" >&2
    [[ -f $TMP/body ]] && { echo "  last status: ${STATUS:-} body: $(head -c 600 "$TMP/body")" >&2; }
    [[ -f $TMP/server.err ]] && { echo "  server stderr (tail):" >&2; tail -"${FL_E2E_TAIL:-5}" "$TMP/server.err" >&2; }
    exit 1
}

# Ports come from the shell's pid; when another process holds one (tests of
# another checkout running on the same machine), the next free one is taken.
port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pg_start() {
    local tries=0
    while ! port_free "$PGPORT" && ((tries++ < 50)); do
        PGPORT=$((21000 + (PGPORT - 21000 + 1) % 5000))
    done
    "$ROOT/tools/pg" start "$PGDIR" "$PGPORT" >/dev/null || fail "PostgreSQL did not start"
    PG=$("$ROOT/tools/pg" url "$PGDIR" "$PGPORT")
}

# tenants_create SLUG...: each with admin@SLUG.test, password $PW.
tenants_create() {
    local t
    for t in "$@"; do
        "$FLCTL" --data "$DATA" tenant create "$t" --name "$t" --admin-email "admin@$t.test" \
            --admin-password "$PW" --pg "$PG" >/dev/null || fail "tenant create $t"
    done
}

pg_stop() {
    "$ROOT/tools/pg" stop "$PGDIR" >/dev/null
}

server_start() {
    if [[ -z ${SERVER_STARTED:-} ]]; then # the first start picks the port; restarts keep it
        local tries=0
        while ! port_free "$HTTPPORT" && ((tries++ < 50)); do
            HTTPPORT=$((26000 + (HTTPPORT - 26000 + 1) % 5000))
        done
        BASE=http://127.0.0.1:$HTTPPORT
        SERVER_STARTED=1
    fi
    "$FIRELATER" --data "$DATA" --listen "127.0.0.1:$HTTPPORT" --pg "$PG" \
        --access-log "$TMP/access.log" "$@" >>"$TMP/server.out" 2>>"$TMP/server.err" &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        kill -0 "$SERVER_PID" 2>/dev/null || fail "the server exited at start"
        curl -fs "$BASE/healthz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    fail "the server did not come up"
}

server_kill() {
    kill "-${1:-KILL}" "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null
    LAST_EXIT=$?
    export LAST_EXIT
    SERVER_PID=
}

# req METHOD PATH [BODY] [TOKEN] [HEADER...]: sets STATUS; the body is in $TMP/body,
# headers in $TMP/headers.
req() {
    local method=$1 path=$2 body=${3:-} token=${4:-}
    shift 4 2>/dev/null || shift $#
    local args=(-s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' -X "$method")
    [[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
    [[ -n $token ]] && args+=(-H "Authorization: Bearer $token")
    for h in "$@"; do args+=(-H "$h"); done
    STATUS=$(curl "${args[@]}" "$BASE$path")
}

expect() {
    [[ $STATUS == "$1" ]] || fail "expected status $1, got $STATUS"
}

json() {
    jq -r "$1" <"$TMP/body"
}

header() {
    grep -i -m1 "^$1:" "$TMP/headers" | cut -d' ' -f2- | tr -d '\r'
}

login() {
    req POST /api/v1/auth/login "{\"tenant\":\"$1\",\"email\":\"$2\",\"password\":\"$3\"}"
}
