#!/usr/bin/env bash
# The server binary's life cycle: usage errors, start-up without PostgreSQL
# (commands are accepted, reads answer 503), the environment variables, and
# a clean exit on SIGTERM and SIGINT. The API itself is tested in tests/e2e.
#
#   tests/integration/server_test.sh PATH/TO/firelater PATH/TO/flctl
set -euo pipefail

SERVER=${1:?usage: server_test.sh PATH/TO/firelater PATH/TO/flctl}
FLCTL=${2:?usage: server_test.sh PATH/TO/firelater PATH/TO/flctl}
TMP=$(mktemp -d)
SERVER_PID=
cleanup() {
    if [[ -n $SERVER_PID ]]; then
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
unset FIRELATER_DATA FIRELATER_LISTEN FIRELATER_PG

fail() {
    echo "not ok - $*" >&2
    for f in "$TMP"/server.*; do
        [[ -f $f ]] && sed "s|^|  $(basename "$f"): |" "$f" >&2
    done
    exit 1
}

# start ARGS...: starts the server and waits up to 10 s for its "listening" line.
start() {
    "$SERVER" "$@" >"$TMP/server.out" 2>"$TMP/server.err" &
    SERVER_PID=$!
    for _ in $(seq 100); do
        grep -q '^firelater: listening' "$TMP/server.out" && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || fail "the server exited before it was ready"
        sleep 0.1
    done
    fail "the server was not ready within 10 s"
}

# stop SIGNAL: the server must exit 0.
stop() {
    local rc=0
    kill -"$1" "$SERVER_PID"
    wait "$SERVER_PID" || rc=$?
    SERVER_PID=
    [[ $rc == 0 ]] || fail "the server exited $rc after SIG$1"
}

rc=0
"$SERVER" --listen nowhere >/dev/null 2>&1 || rc=$?
[[ $rc == 2 ]] || fail "a bad --listen exited $rc, expected 2"
rc=0
"$SERVER" --frobnicate >/dev/null 2>&1 || rc=$?
[[ $rc == 2 ]] || fail "an unknown option exited $rc, expected 2"
grep -q -- '--listen' <<<"$("$SERVER" --help)" || fail "--help does not describe --listen"
echo "ok - usage"

data=$TMP/data
"$FLCTL" --data "$data" tenant create acme --name Acme >/dev/null
"$FLCTL" --data "$data" tenant create idle --name Idle >/dev/null
"$FLCTL" --data "$data" tenant suspend idle >/dev/null
"$FLCTL" log append --data-dir "$data" --tenant acme --stream issue:1 --type issue.created \
    --data '{}' >/dev/null
"$FLCTL" log append --data-dir "$data" --tenant acme --stream issue:1 --type issue.updated \
    --data '{}' >/dev/null

port=$((18000 + $$ % 1000))
start --data "$data" --listen "127.0.0.1:$port" --pg "host=$TMP port=1 connect_timeout=1" \
    --access-log off
grep -q 'PostgreSQL is not reachable' "$TMP/server.err" || fail "no warning about PostgreSQL"
grep -q ok <<<"$(curl -fs "http://127.0.0.1:$port/healthz")" || fail "healthz without PostgreSQL"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")
[[ $code == 503 ]] || fail "readyz answered $code without PostgreSQL"
stop TERM
echo "ok - starts without PostgreSQL, healthz 200, readyz 503, stops on SIGTERM"

FIRELATER_DATA=$TMP/fresh FIRELATER_LISTEN=127.0.0.1:$((port + 1)) FIRELATER_ACCESS_LOG=off start
[[ -d $TMP/fresh/platform ]] || fail "the platform log was not created from FIRELATER_DATA"
grep -q "127.0.0.1:$((port + 1))" "$TMP/server.out" || fail "FIRELATER_LISTEN was not used"
stop INT
echo "ok - a fresh data directory from the environment, stopped by SIGINT"
