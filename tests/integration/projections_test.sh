#!/usr/bin/env bash
# flctl migrate and flctl projections (status, rebuild) through the real
# binary against a private PostgreSQL cluster (tools/pg) in a temporary
# directory, stopped afterwards.
#
#   tests/integration/projections_test.sh PATH/TO/flctl PATH/TO/tools/pg
set -euo pipefail

FLCTL=${1:?usage: projections_test.sh PATH/TO/flctl PATH/TO/tools/pg}
PG=${2:?usage: projections_test.sh PATH/TO/flctl PATH/TO/tools/pg}
TMP=$(mktemp -d)
PGDIR=$TMP/pg
cleanup() {
    "$PG" stop "$PGDIR" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT
export FIRELATER_DATA="$TMP/data"
# PostgreSQL only where a command is given it: 'tenant create' would otherwise
# create the tenant's schema itself, and this test wants to see migrate do it.
unset FIRELATER_PG
OUT='' ERR='' STEP=''

fail() {
    printf 'not ok - %s\n  %s\n  stdout: %s\n  stderr: %s\n' "$STEP" "$*" "$OUT" "$ERR" >&2
    exit 1
}

# run WANT_STATUS ARGS...: runs flctl, keeps its output in OUT and ERR.
run() {
    local want=$1 rc=0
    shift
    "$FLCTL" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
    OUT=$(cat "$TMP/out")
    ERR=$(cat "$TMP/err")
    [[ $rc == "$want" ]] || fail "flctl $*: exit status $rc, expected $want"
}

has_out() { grep -qE -- "$1" <<<"$OUT" || fail "stdout lacks /$1/"; }
has_err() { grep -qF -- "$1" <<<"$ERR" || fail "stderr lacks '$1'"; }
step() {
    [[ -z $STEP ]] || echo "ok - $STEP"
    STEP=$1
}

# A free loopback port near one derived from the pid.
port=$((31000 + $$ % 1000))
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    port=$((port + 1))
done
"$PG" start "$PGDIR" "$port" >&2
PGURL="host=$PGDIR port=$port dbname=postgres user=postgres connect_timeout=5"

head_of() {
    run 0 log stats --tenant "$1" --json
    sed -E 's/.*"head_pos": ?([0-9]+).*/\1/' <<<"$OUT"
}

# --- usage and connection errors --------------------------------------------------------------
step "usage and connection errors"
run 2 projections
run 2 projections frob
has_err "unknown command 'projections frob'"
run 2 projections rebuild
has_err "needs '--tenant SLUG'"
run 0 projections status --help
has_out "usage: flctl projections status"
run 2 migrate
has_err "FIRELATER_PG"
run 1 migrate --pg "host=$PGDIR port=1 dbname=postgres user=postgres connect_timeout=2"
has_err "cannot connect to PostgreSQL"

# --- migrate: public and every tenant, then nothing ------------------------------------------
step "migrate applies public and each tenant once"
run 0 tenant create acme --name Acme
run 0 tenant create beta --name Beta
FIRELATER_PG=$PGURL run 0 migrate # --pg defaults to $FIRELATER_PG
has_out "^public: [0-9]+ migrations? applied$"
has_out "^tenant_acme: [0-9]+ migrations? applied$"
has_out "^tenant_beta: [0-9]+ migrations? applied$"
run 0 migrate --pg "$PGURL"
has_out "^public: up to date$"
has_out "^tenant_acme: up to date$"
has_out "^tenant_beta: up to date$"

# --- status: head, checkpoint, lag -----------------------------------------------------------
step "status shows each tenant's head, checkpoint and lag"
for i in 1 2 3; do
    run 0 log append --tenant acme --stream "thing:$i" --type thing.created --data '{"n": 1}'
done
acme_head=$(head_of acme)
beta_head=$(head_of beta)
[[ $acme_head -ge 3 ]] || fail "acme's head is $acme_head"
run 0 projections status --pg "$PGURL"
has_out "^TENANT +HEAD +CHECKPOINT +LAG$"
has_out "^acme +$acme_head +0 +$acme_head$"
has_out "^beta +$beta_head +0 +$beta_head$"
run 0 projections status --json --pg "$PGURL"
has_out "^\{\"tenant\": ?\"acme\", ?\"head\": ?$acme_head, ?\"checkpoint\": ?0, ?\"lag\": ?$acme_head\}$"

# --- rebuild: a shadow schema replayed and swapped in ----------------------------------------
step "rebuild replays the log and swaps the schema"
run 1 projections rebuild --tenant nobody --pg "$PGURL"
has_err "unknown tenant 'nobody'"
# The notifications queue is written by the server, not derived from the log:
# a rebuild must carry its rows over.
psql "$PGURL" -qAtc "INSERT INTO tenant_acme.notifications (event_category, event_type, subject)
    VALUES ('auth', 'user.password_reset_requested', 'kept across rebuilds')" ||
    fail "cannot queue a notification"
run 0 projections rebuild --tenant acme --pg "$PGURL"
has_out "schema shadow_acme created"
[[ $(psql "$PGURL" -qAtc "SELECT subject FROM tenant_acme.notifications") == "kept across rebuilds" ]] ||
    fail "the rebuild lost the notifications queue"
has_out "tenant_acme swapped in at position $acme_head$"
run 0 projections status --pg "$PGURL"
has_out "^acme +$acme_head +$acme_head +0$"
# Again, on top of the swapped schema, after more events; migrations stay recorded.
run 0 log append --tenant acme --stream "thing:9" --type thing.created --data '{}'
run 0 projections rebuild --tenant acme --pg "$PGURL"
has_out "live checkpoint locked at $acme_head$"
has_out "swapped in at position $((acme_head + 1))$"
run 0 migrate --pg "$PGURL"
has_out "^tenant_acme: up to date$"

# --- a tenant whose schema was never migrated ------------------------------------------------
step "status names a tenant that is not migrated"
run 0 tenant create gamma --name Gamma
run 1 projections status --pg "$PGURL"
has_out "^gamma +- +- +-$"
has_err "tenant 'gamma'"
has_err "flctl migrate"
step "done"
