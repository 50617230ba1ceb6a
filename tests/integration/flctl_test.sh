#!/usr/bin/env bash
# flctl through the real binary: every command, its output, its exit status
# (0 success, 1 failure, 2 usage error) and the messages an operator reads.
# Needs only bash, coreutils and GNU grep.
#
#   tests/integration/flctl_test.sh PATH/TO/flctl
set -euo pipefail

FLCTL=${1:?usage: flctl_test.sh PATH/TO/flctl}
TMP=$(mktemp -d)
TAIL_PID=
cleanup() {
    if [[ -n $TAIL_PID ]]; then
        kill "$TAIL_PID" 2>/dev/null || true
        wait "$TAIL_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
export FIRELATER_DATA="$TMP/data"
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

has_out() { grep -qF -- "$1" <<<"$OUT" || fail "stdout lacks '$1'"; }
has_err() { grep -qF -- "$1" <<<"$ERR" || fail "stderr lacks '$1'"; }
lines_are() {
    local n
    n=$(if [[ -z $OUT ]]; then echo 0; else wc -l <<<"$OUT"; fi)
    [[ $n == "$1" ]] || fail "stdout has $n lines, expected $1"
}
step() {
    [[ -z $STEP ]] || echo "ok - $STEP"
    STEP=$1
}

# --- usage errors: exit 2, naming the problem ------------------------------------------------
step "usage errors exit 2"
run 2
has_err "a command is needed"
run 0 --help
has_out "usage: flctl"
run 2 frobnicate
has_err "unknown command 'frobnicate'"
run 2 tenant
run 2 log frob
has_err "unknown command 'log frob'"
run 2 tenant create acme
has_err "--name"
run 2 log dump --tenant acme --bogus
has_err "unknown option '--bogus'"
run 2 log dump --tenant
has_err "'--tenant' needs a value"
run 2 log dump
has_err "--platform"
run 2 log dump --tenant acme --platform
run 2 log dump --tenant acme --from abc
has_err "invalid --from 'abc'"
run 2 log dump --tenant acme --from 3 --to 2
run 2 log append --tenant acme --type t
run 2 log append --tenant acme --stream s --type t --expect -1
run 0 log dump --help
has_out "--stream STREAM"

# --- tenants ----------------------------------------------------------------------------------
step "tenant list on an empty data directory"
run 0 tenant list
lines_are 1
has_out "SLUG"

step "tenant create"
run 0 tenant create acme --name "Acme Corp"
has_out "created tenant 'acme'"
[[ -f $FIRELATER_DATA/tenants/acme/data.mdb ]] || fail "no log in tenants/acme"
run 0 tenant create beta_2 --name "Bêta Deux"

step "a duplicate tenant is refused"
run 1 tenant create acme --name "Other"
has_err "tenant 'acme' already exists"

step "bad slugs are refused"
for slug in Acme a 1abc a-b "a b" "$(printf 'a%.0s' {1..57})"; do
    run 1 tenant create "$slug" --name X
    has_err "invalid tenant slug"
done
run 0 tenant create "$(printf 'b%.0s' {1..56})" --name "Longest slug"

step "tenant list, table and JSON lines"
run 0 tenant list
lines_are 4
grep -qE '^acme +Acme Corp +active ' <<<"$OUT" || fail "no active row for acme"
has_out "Bêta Deux"
run 0 tenant list --json
lines_are 3
has_out '{"slug":"acme","name":"Acme Corp","status":"active","created_at":"'

step "suspend and resume, and their state errors"
run 0 tenant suspend acme --reason "unpaid invoice"
has_out "suspended tenant 'acme'"
run 1 tenant suspend acme
has_err "already suspended"
run 0 tenant list --json
has_out '"status":"suspended","reason":"unpaid invoice"'
run 0 tenant resume acme
run 1 tenant resume acme
has_err "already active"
run 1 tenant suspend nope
has_err "unknown tenant 'nope'"
run 1 tenant resume nope
run 0 log dump --platform --stream tenant:acme
lines_are 3
has_out '"type":"tenant.suspended"'
has_out '"actor":"flctl:'

step "create repairs a registered tenant whose directory is missing"
rm -rf "$FIRELATER_DATA/tenants/beta_2"
run 1 log dump --tenant beta_2
has_err "its log"
run 1 tenant create beta_2 --name "Bêta Deux"
has_err "already exists"
has_err "is now initialised"
run 0 log dump --tenant beta_2
lines_are 0

step "racing creators and suspenders: exactly one wins"
# Collect the PIDs as they start: `jobs -p` may already have forgotten a job that finished.
pids=()
for i in 1 2 3 4 5 6; do
    "$FLCTL" tenant create race --name "Racer $i" >"$TMP/race.$i" 2>&1 &
    pids+=($!)
done
wins=0
for pid in "${pids[@]}"; do
    if wait "$pid"; then wins=$((wins + 1)); fi
done
[[ $wins == 1 ]] || fail "$wins of 6 concurrent creates succeeded"
pids=()
for i in 1 2 3 4 5 6; do
    "$FLCTL" tenant suspend race >"$TMP/race.$i" 2>&1 &
    pids+=($!)
done
wins=0
for pid in "${pids[@]}"; do
    if wait "$pid"; then wins=$((wins + 1)); fi
done
[[ $wins == 1 ]] || fail "$wins of 6 concurrent suspends succeeded"
grep -l "already suspended" "$TMP"/race.* | wc -l | grep -qx 5 || fail "the losers did not say why"
run 0 log dump --platform --stream tenant:race
lines_are 2

step "the data directory defaults to \$FIRELATER_DATA, else ./.data"
mkdir "$TMP/cwd"
(cd "$TMP/cwd" && env -u FIRELATER_DATA "$FLCTL" tenant create here --name Here >/dev/null) ||
    fail "create in ./.data failed"
[[ -f $TMP/cwd/.data/tenants/here/data.mdb ]] || fail "./.data was not the default"

# --- append -----------------------------------------------------------------------------------
step "append allocates numbers"
run 0 log append --tenant acme --stream issue:1 --type issue.created \
    --data '{"title":"Printer on fire","prio":1}' --expect 0 --number ISS
[[ $OUT == 1 ]] || fail "expected position 1"
run 0 log append --tenant acme --stream issue:2 --type issue.created --data '{}' --number ISS
[[ $OUT == 2 ]] || fail "expected position 2"
run 0 log dump --tenant acme
has_out '"pos":1,'
has_out '"num":"ISS-00001"'
has_out '"num":"ISS-00002"'

step "a version conflict names the stream, the expected and the actual version"
run 1 log append --tenant acme --stream issue:1 --type issue.updated --data '{}' --expect 0
has_err "issue:1"
has_err "expected version 0"
has_err "actual version 1"
run 0 log append --tenant acme --stream issue:1 --type issue.updated --data '{"prio":2}' \
    --expect 1 --actor alice
[[ $OUT == 3 ]] || fail "expected position 3"

step "an idempotency key appends once"
run 0 log append --tenant acme --stream issue:3 --type issue.created --data '{}' --key req-42
[[ $OUT == 4 ]] || fail "expected position 4"
run 0 log append --tenant acme --stream issue:3 --type issue.created --data '{"x":1}' --key req-42
[[ $OUT == 4 ]] || fail "a duplicate key must print the first positions"
has_err "duplicate"
run 0 log stats --tenant acme --json
has_out '"events":4,'

step "rejected input exits 1"
run 1 log append --tenant acme --stream s --type t --data '{"a":'
has_err "invalid --data"
run 1 log append --tenant acme --stream s --type t --data '[1,2]'
has_err "JSON object"
run 1 log append --tenant acme --stream s --type t --number iss
has_err "invalid --number"
run 0 log stats --tenant acme --json
has_out '"events":4,'

# --- dump, replay -----------------------------------------------------------------------------
step "dump and its filters"
run 0 log dump --tenant acme
lines_are 4
grep -qE '^\{"pos":1,"ts":"[0-9-]{10}T[0-9:]{8}\.[0-9]{6}Z","type":"issue.created","v":1,"stream":"issue:1","sv":1,"actor":"flctl:[^"]*","cid":"","corr":"","ip":"","ua":"","num":"ISS-00001","data":\{"title":"Printer on fire","prio":1\},"prev":"0{64}"\}$' <<<"$OUT" ||
    fail "the first event's line is not as documented"
run 0 log dump --tenant acme --stream issue:1
lines_are 2
has_out '"sv":2'
run 0 log dump --tenant acme --from 2 --to 3
lines_are 2
has_out '"pos":2,'
has_out '"pos":3,'
run 0 log dump --tenant acme --hash --to 2
hash1=$(sed -n 1p <<<"$OUT" | grep -oE '"hash":"[0-9a-f]{64}"' | cut -d'"' -f4)
prev2=$(sed -n 2p <<<"$OUT" | grep -oE '"prev":"[0-9a-f]{64}"' | cut -d'"' -f4)
[[ -n $hash1 && $hash1 == "$prev2" ]] || fail "record 2's prev is not record 1's hash"

step "replay --at and --as-of"
run 0 replay --tenant acme --stream issue:1 --at 2
lines_are 1
has_out '"sv":1'
run 0 replay --tenant acme --stream issue:1
lines_are 2
ts1=$(sed -n 1p <<<"$OUT" | grep -oE '"ts":"[^"]*"' | cut -d'"' -f4)
run 0 replay --tenant acme --stream issue:1 --as-of "$ts1"
lines_are 1
run 0 replay --tenant acme --stream issue:1 --as-of 2000-01-01
lines_are 0
run 1 replay --tenant acme --stream issue:99
has_err "stream 'issue:99' does not exist"
run 2 replay --tenant acme --stream issue:1 --as-of yesterday
has_err "invalid --as-of 'yesterday'"
run 2 replay --tenant acme --stream issue:1 --as-of 2000-01-01 --at 1
run 2 replay --tenant acme

# --- stats, verify ----------------------------------------------------------------------------
step "stats"
run 0 log stats --tenant acme
grep -qE '^events +4$' <<<"$OUT" || fail "no 'events 4' line"
grep -qE '^streams +3$' <<<"$OUT" || fail "no 'streams 3' line"
grep -qE '^head +4 at ' <<<"$OUT" || fail "no head line"
has_out "map size"
run 0 log stats --platform --json
has_out '"head_pos":'

step "verify"
run 0 log verify --tenant acme
has_out "OK"
run 0 log verify --platform

step "an unknown tenant is named"
for cmd in "log dump" "log stats" "log verify" "log tail"; do
    # shellcheck disable=SC2086
    run 1 $cmd --tenant nope
    has_err "unknown tenant 'nope'"
done
run 1 log append --tenant nope --stream s --type t
has_err "unknown tenant 'nope'"
run 1 replay --tenant nope --stream s
run 1 --data "$TMP/elsewhere" log dump --tenant acme
has_err "unknown tenant 'acme'"
run 0 --data "$TMP/elsewhere" tenant list
lines_are 1
run 0 log append --data-dir "$TMP/elsewhere2" --platform --stream s:1 --type t
[[ -d $TMP/elsewhere2/platform ]] || fail "--data-dir was not used"

# --- tamper detection -------------------------------------------------------------------------
step "one flipped byte in a copied log fails verify at that record"
run 0 log append --tenant acme --stream issue:4 --type issue.created \
    --data '{"note":"MARKER_7f3a"}'
marker_pos=$OUT
run 0 log append --tenant acme --stream issue:4 --type issue.updated --data '{}'
cp -r "$FIRELATER_DATA" "$TMP/tampered"
db=$TMP/tampered/tenants/acme/data.mdb
# LMDB copies pages on write, so stale copies of the record may lie in free
# pages; flipping every copy is sure to alter the live one.
offsets=$(grep -obUa 'MARKER_7f3a' "$db" | cut -d: -f1)
[[ -n $offsets ]] || fail "the marker is not in data.mdb"
for off in $offsets; do
    printf 'X' | dd of="$db" bs=1 seek=$((off + 7)) conv=notrunc status=none
done
run 1 --data "$TMP/tampered" log verify --tenant acme
has_err "position $marker_pos"
run 0 log verify --tenant acme

# --- tail -------------------------------------------------------------------------------------
# wait_for FILE TEXT: up to 2 s for TEXT to appear in FILE.
wait_for() {
    local i
    for i in $(seq 20); do
        grep -qF -- "$2" "$1" && return 0
        sleep 0.1
    done
    return 1
}

step "tail --from prints the existing events, then follows another process's appends"
run 0 log stats --tenant acme --json
next=$(($(grep -oE '"head_pos":[0-9]+' <<<"$OUT" | cut -d: -f2) + 1))
"$FLCTL" log tail --tenant acme --from "$((next - 1))" >"$TMP/tail.out" 2>"$TMP/tail.err" &
TAIL_PID=$!
wait_for "$TMP/tail.out" "\"pos\":$((next - 1)),"  || fail "tail did not print the existing event"
run 0 log append --tenant acme --stream issue:5 --type issue.created --data '{"t":"TAIL_ONE"}'
wait_for "$TMP/tail.out" "TAIL_ONE" || fail "tail did not show the new event within 2 s"
kill -TERM "$TAIL_PID"
rc=0
wait "$TAIL_PID" || rc=$?
TAIL_PID=
[[ $rc == 0 ]] || fail "tail exited $rc after SIGTERM"
[[ $(wc -l <"$TMP/tail.out") == 2 ]] || fail "tail printed $(wc -l <"$TMP/tail.out") lines"

step "tail without --from prints only new events"
"$FLCTL" log tail --tenant acme >"$TMP/tail2.out" 2>"$TMP/tail2.err" &
TAIL_PID=$!
sleep 1
run 0 log append --tenant acme --stream issue:5 --type issue.updated --data '{"t":"TAIL_TWO"}'
wait_for "$TMP/tail2.out" "TAIL_TWO" || fail "tail did not show the new event within 2 s"
kill -INT "$TAIL_PID"
rc=0
wait "$TAIL_PID" || rc=$?
TAIL_PID=
[[ $rc == 0 ]] || fail "tail exited $rc after SIGINT"
[[ $(wc -l <"$TMP/tail2.out") == 1 ]] || fail "tail printed old events"

step "a suspended tenant's log stays readable"
run 0 tenant suspend acme
run 0 log verify --tenant acme
step "done"
