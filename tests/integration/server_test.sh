#!/usr/bin/env bash
# The server binary at this milestone: it opens the platform log and every
# active tenant's log, reports each head, waits for a signal and exits 0.
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

# start ARGS...: starts the server and waits up to 10 s for its "ready" line.
start() {
    "$SERVER" "$@" >"$TMP/server.out" 2>"$TMP/server.err" &
    SERVER_PID=$!
    for _ in $(seq 100); do
        grep -q '^ready' "$TMP/server.out" && return 0
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
"$SERVER" --help | grep -q -- '--listen' || fail "--help does not describe --listen"
echo "ok - usage"

data=$TMP/data
"$FLCTL" --data "$data" tenant create acme --name Acme >/dev/null
"$FLCTL" --data "$data" tenant create idle --name Idle >/dev/null
"$FLCTL" --data "$data" tenant suspend idle >/dev/null
"$FLCTL" log append --data-dir "$data" --tenant acme --stream issue:1 --type issue.created \
    --data '{}' >/dev/null
"$FLCTL" log append --data-dir "$data" --tenant acme --stream issue:1 --type issue.updated \
    --data '{}' >/dev/null

start --data "$data" --listen 127.0.0.1:18080 --pg "dbname=none"
grep -q '^tenant acme: head position 2 ' "$TMP/server.out" || fail "no head line for acme"
grep -q 'idle' "$TMP/server.out" && fail "a suspended tenant's log was opened"
grep -q '1 suspended' "$TMP/server.out" || fail "the suspended tenant was not counted"
stop TERM
echo "ok - opens the active tenants and stops on SIGTERM"

FIRELATER_DATA=$TMP/fresh FIRELATER_LISTEN=127.0.0.1:18081 start
[[ -d $TMP/fresh/platform ]] || fail "the platform log was not created from FIRELATER_DATA"
grep -q '127.0.0.1:18081' "$TMP/server.out" || fail "FIRELATER_LISTEN was not used"
stop INT
echo "ok - a fresh data directory from the environment, stopped by SIGINT"
