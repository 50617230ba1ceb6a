#!/usr/bin/env bash
# End to end: attachments through the real binaries. Uploads streamed to
# disk (small and multi-MiB, byte-equal on disk), content-addressed storage
# (the same bytes twice are one file), metadata, links at upload, the read
# model row, refusals that store nothing (413, 415, 422), who may read, and
# a restart keeping everything.
set -uo pipefail
FIRELATER=$1
FLCTL=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"

PW='correct horse battery staple'
pg_start
tenants_create acme
server_start --read-wait-ms 2000 --max-upload $((30 * 1024 * 1024))
login acme admin@acme.test "$PW" && expect 200
TOKEN=$(json .access_token)
A=/api/v1/attachments
STORE=$DATA/tenants/acme/attachments

field_named() {
    json '[.errors[].field] | join(" ")' | grep -qw -- "$1" || fail "no error on $1: $(cat "$TMP/body")"
}
# upload FILE TYPE QUERY [TOKEN] [HEADER...]: POST the file as the raw body
upload() {
    local file=$1 type=$2 query=$3 token=${4:-$TOKEN}
    shift 4 2>/dev/null || shift $#
    local args=(-s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' -X POST
        -H "Authorization: Bearer $token" -H "Content-Type: $type" --data-binary "@$file")
    for h in "$@"; do args+=(-H "$h"); done
    STATUS=$(curl "${args[@]}" "$BASE$A$query")
}
stored_files() { # the content files on disk (not the temporary ones)
    find "$STORE" -mindepth 2 -type f -not -path "$STORE/tmp/*" 2>/dev/null | wc -l
}
tmp_files() {
    find "$STORE/tmp" -type f 2>/dev/null | wc -l
}
user() { # user EMAIL ROLE: prints the id
    req POST /api/v1/users "{\"email\":\"$1\",\"name\":\"$1\",\"password\":\"$PW\",\"roles\":[\"$2\"]}" \
        "$TOKEN" && expect 201
    json .id
}
token_of() {
    login acme "$1" "$PW" && expect 200
    json .access_token
}

step "upload a small file: 201, Location, the metadata, the file on disk byte-equal"
printf 'hello, attachments\n' >"$TMP/small.txt"
upload "$TMP/small.txt" 'text/plain; charset=utf-8' '?filename=notes.txt' && expect 201
SMALL=$(json .id)
HASH=$(json .hash)
[[ $(header Location) == "$A/$SMALL" ]] || fail "Location $(header Location)"
[[ $(json .filename) == notes.txt && $(json .content_type) == text/plain && $(json .size_bytes) == 19 ]] ||
    fail "$(cat "$TMP/body")"
[[ ${#HASH} == 64 && $(json .entity_type) == null ]] || fail "$(cat "$TMP/body")"
cmp "$TMP/small.txt" "$STORE/${HASH:0:2}/$HASH" || fail "the stored file differs"
[[ $(python3 -c "import hashlib,sys; print(hashlib.blake2b(open(sys.argv[1],'rb').read(), digest_size=32).hexdigest())" "$TMP/small.txt") == "$HASH" ]] ||
    fail "the hash is not the file's BLAKE2b-256"
req GET "$A/$SMALL" "" "$TOKEN" && expect 200
[[ $(json .id) == "$SMALL" && $(json .hash) == "$HASH" && $(header ETag) == '"1"' ]] || fail "$(cat "$TMP/body")"
ok

step "a multi-MiB file streamed (above the 1 MiB buffered limit), filename from Content-Disposition"
head -c $((6 * 1024 * 1024 + 123)) /dev/urandom >"$TMP/big.bin"
upload "$TMP/big.bin" application/octet-stream '' "$TOKEN" \
    "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9%20final.pdf" && expect 201
BIG=$(json .id)
BHASH=$(json .hash)
[[ $(json .filename) == 'résumé final.pdf' && $(json .size_bytes) == $((6 * 1024 * 1024 + 123)) ]] ||
    fail "$(cat "$TMP/body")"
cmp "$TMP/big.bin" "$STORE/${BHASH:0:2}/$BHASH" || fail "the stored file differs"
upload "$TMP/big.bin" application/octet-stream '?filename=chunked.bin' "$TOKEN" \
    'Transfer-Encoding: chunked' && expect 201
[[ $(json .hash) == "$BHASH" ]] || fail "chunked: another hash"
ok

step "the same bytes twice are stored once"
upload "$TMP/small.txt" text/plain '?filename=again.txt' && expect 201
AGAIN=$(json .id)
[[ $AGAIN != "$SMALL" && $(json .hash) == "$HASH" ]] || fail "$(cat "$TMP/body")"
[[ $(stored_files) == 2 && $(tmp_files) == 0 ]] || fail "$(stored_files) files stored, $(tmp_files) temporary"
ok

step "the read model holds the rows"
ROWS=$(psql "$PG" -At -c "SELECT filename, size_bytes, hash FROM tenant_acme.attachments WHERE id = '$SMALL'")
[[ $ROWS == "notes.txt|19|$HASH" ]] || fail "row: $ROWS"
[[ $(psql "$PG" -At -c "SELECT count(*) FROM tenant_acme.attachments") == 4 ]] || fail "count"
ok

step "refusals store nothing: 413 over 25 MiB, 415 bad types, 422 bad filenames and parameters"
EVENTS=$("$FLCTL" --data "$DATA" log dump --tenant acme | grep -c '"attachment\.')
head -c $((25 * 1024 * 1024 + 1)) /dev/zero >"$TMP/huge.bin"
upload "$TMP/huge.bin" application/octet-stream '?filename=huge.bin' && expect 413 && field_named body
upload "$TMP/huge.bin" application/octet-stream '?filename=huge.bin' "$TOKEN" \
    'Transfer-Encoding: chunked' && expect 413 && field_named body
for t in text/html application/x-msdownload image/svg+xml application/x-sh; do
    upload "$TMP/small.txt" "$t" '?filename=x' && expect 415 && field_named content_type
done
for f in '../etc/passwd' 'a%2Fb' '%01x' "$(printf 'x%.0s' {1..256})" '' '..'; do
    upload "$TMP/small.txt" text/plain "?filename=$f" && expect 422 && field_named filename
done
upload "$TMP/small.txt" text/plain '?filename=x&colour=red' && expect 422 && field_named colour
upload "$TMP/small.txt" text/plain '?filename=x&entity_type=issue' && expect 422 && field_named entity_id
upload "$TMP/small.txt" text/plain '?filename=x&entity_type=issue&entity_id=00000000-0000-4000-8000-00000000dead' &&
    expect 422 && field_named entity_id
: >"$TMP/empty"
upload "$TMP/empty" text/plain '?filename=empty' && expect 422 && field_named body
[[ $(stored_files) == 2 && $(tmp_files) == 0 ]] || fail "$(stored_files) files stored, $(tmp_files) temporary"
[[ $("$FLCTL" --data "$DATA" log dump --tenant acme | grep -c '"attachment\.') == "$EVENTS" ]] ||
    fail "a refused upload appended an event"
ok

step "linked at upload to an issue; who may read"
ANN=$(user ann@acme.test agent)
RITA=$(user rita@acme.test requester)
ANN_T=$(token_of ann@acme.test)
RITA_T=$(token_of rita@acme.test)
req POST /api/v1/issues '{"title":"Printer on fire","priority":"high"}' "$TOKEN" && expect 201
ISSUE=$(json .id)
upload "$TMP/small.txt" text/plain "?filename=log.txt&entity_type=issue&entity_id=$ISSUE" && expect 201
LINKED=$(json .id)
[[ $(json .entity_type) == issue && $(json .entity_id) == "$ISSUE" ]] || fail "$(cat "$TMP/body")"
req GET "$A/$LINKED" "" "$ANN_T" && expect 200   # an agent reads the issue
req GET "$A/$SMALL" "" "$ANN_T" && expect 404    # not linked, not Ann's
req GET "$A/$LINKED" "" "$RITA_T" && expect 404  # a requester sees only her own issues
upload "$TMP/small.txt" text/plain "?filename=mine.txt" "$RITA_T" && expect 201
MINE=$(json .id)
req GET "$A/$MINE" "" "$RITA_T" && expect 200
upload "$TMP/small.txt" text/plain "?filename=x&entity_type=issue&entity_id=$ISSUE" "$RITA_T" &&
    expect 422 && field_named entity_id
ok

step "link later (once), delete (the uploader or an admin; soft, the file stays)"
req POST "$A/$SMALL/link" "{\"entity_type\":\"issue\",\"entity_id\":\"$ISSUE\"}" "$TOKEN" && expect 200
[[ $(json .entity_id) == "$ISSUE" && $(json .version) == 2 ]] || fail "$(cat "$TMP/body")"
req GET "$A/$SMALL" "" "$ANN_T" && expect 200   # now Ann reads it through the issue
req POST "$A/$SMALL/link" "{\"entity_type\":\"issue\",\"entity_id\":\"$ISSUE\"}" "$TOKEN" && expect 409
req POST "$A/$AGAIN/link" '{"entity_type":"issue","entity_id":"00000000-0000-4000-8000-00000000dead"}' "$TOKEN" &&
    expect 422 && field_named entity_id
req POST "$A/$AGAIN/link" "{\"entity_type\":\"issue\",\"entity_id\":\"$ISSUE\",\"x\":1}" "$TOKEN" &&
    expect 422 && field_named x
req POST "$A/$MINE/link" "{\"entity_type\":\"issue\",\"entity_id\":\"$ISSUE\"}" "$RITA_T" &&
    expect 422 && field_named entity_id
[[ $(psql "$PG" -At -c "SELECT entity_id FROM tenant_acme.attachments WHERE id = '$SMALL'") == "$ISSUE" ]] ||
    fail "the link is not in the read model"
req DELETE "$A/$LINKED" "" "$ANN_T" && expect 403
req DELETE "$A/$MINE" "" "$RITA_T" && expect 204
req GET "$A/$MINE" "" "$RITA_T" && expect 404
req DELETE "$A/$LINKED" "" "$TOKEN" && expect 204
[[ -n $(psql "$PG" -At -c "SELECT deleted_at FROM tenant_acme.attachments WHERE id = '$LINKED'") ]] ||
    fail "deleted_at not set"
cmp "$TMP/small.txt" "$STORE/${HASH:0:2}/$HASH" || fail "the shared file was removed"
ok

step "download: the bytes, their headers, 304 on the hash, one range, HEAD, who may, deleted is 404"
# dl ID [TOKEN] [HEADER...]: GET the bytes into $TMP/body
dl() {
    local id=$1 token=${2:-$TOKEN}
    shift 2 2>/dev/null || shift $#
    local args=(-s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' -H "Authorization: Bearer $token")
    for h in "$@"; do args+=(-H "$h"); done
    rm -f "$TMP/body" # curl writes no file for an empty body
    STATUS=$(curl "${args[@]}" "$BASE$A/$id/download")
}
dl "$BIG" && expect 200
cmp "$TMP/big.bin" "$TMP/body" || fail "the download differs"
[[ $(header Content-Type) == application/octet-stream && $(header Content-Length) == $((6 * 1024 * 1024 + 123)) ]] ||
    fail "headers: $(cat "$TMP/headers")"
[[ $(header ETag) == "\"$BHASH\"" && $(header X-Content-Type-Options) == nosniff ]] || fail "$(cat "$TMP/headers")"
[[ $(header Content-Disposition) == "attachment; filename=\"r_sum_ final.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20final.pdf" ]] ||
    fail "Content-Disposition: $(header Content-Disposition)"
dl "$BIG" "$TOKEN" "If-None-Match: \"$BHASH\"" && expect 304
[[ ! -s $TMP/body ]] || fail "a 304 with a body"
dl "$BIG" "$TOKEN" 'If-None-Match: "other"' && expect 200
dl "$BIG" "$TOKEN" 'Range: bytes=100-199' && expect 206
[[ $(header Content-Range) == "bytes 100-199/$((6 * 1024 * 1024 + 123))" && $(header Content-Length) == 100 ]] ||
    fail "$(cat "$TMP/headers")"
cmp <(tail -c +101 "$TMP/big.bin" | head -c 100) "$TMP/body" || fail "the range differs"
dl "$BIG" "$TOKEN" 'Range: bytes=-10' && expect 206
cmp <(tail -c 10 "$TMP/big.bin") "$TMP/body" || fail "the suffix range differs"
dl "$BIG" "$TOKEN" 'Range: bytes=99999999-' && expect 416
[[ $(header Content-Range) == "bytes */$((6 * 1024 * 1024 + 123))" ]] || fail "$(cat "$TMP/headers")"
dl "$BIG" "$TOKEN" 'Range: bytes=0-1' 'If-Range: "other"' && expect 200
STATUS=$(curl -s -o /dev/null -D "$TMP/headers" -w '%{http_code}' -I -H "Authorization: Bearer $TOKEN" "$BASE$A/$SMALL/download")
expect 200
[[ $(header Content-Length) == 19 ]] || fail "HEAD: $(cat "$TMP/headers")"
dl "$SMALL" "$ANN_T" && expect 200 # through the issue it is linked to
cmp "$TMP/small.txt" "$TMP/body" || fail "the small download differs"
[[ $(header Content-Type) == text/plain ]] || fail "$(cat "$TMP/headers")"
dl "$SMALL" "$RITA_T" && expect 404
dl "$BIG" "$ANN_T" && expect 404
dl "$LINKED" && expect 404 # deleted
dl "$MINE" "$RITA_T" && expect 404
dl not-a-uuid && expect 404
ok

step "an issue's live attachments, newest first, paged; the same JSON as the metadata; who may"
upload "$TMP/small.txt" text/plain "?filename=second.txt&entity_type=issue&entity_id=$ISSUE" && expect 201
SECOND=$(json .id)
req GET "$A/$SMALL" "" "$TOKEN" && expect 200
jq -S . "$TMP/body" >"$TMP/small.json"
req GET "/api/v1/issues/$ISSUE/attachments" "" "$ANN_T" && expect 200
[[ $(json .meta.total) == 2 && $(json '[.data[].id] | join(" ")') == "$SECOND $SMALL" ]] ||
    fail "$(cat "$TMP/body")" # the deleted one is not listed
jq -S '.data[1]' "$TMP/body" | cmp - "$TMP/small.json" || fail "the row differs from the metadata"
req GET "/api/v1/issues/$ISSUE/attachments?per_page=1&page=2" "" "$ANN_T" && expect 200
[[ $(json '[.data[].id] | join(" ")') == "$SMALL" && $(json .meta.per_page) == 1 ]] || fail "$(cat "$TMP/body")"
req GET "/api/v1/issues/$ISSUE/attachments?colour=red" "" "$ANN_T" && expect 422 && field_named colour
req GET "/api/v1/issues/$ISSUE/attachments?per_page=0" "" "$ANN_T" && expect 422 && field_named per_page
req GET "/api/v1/issues/$ISSUE/attachments" "" "$RITA_T" && expect 404
req GET "/api/v1/issues/00000000-0000-4000-8000-00000000dead/attachments" "" "$TOKEN" && expect 404
req GET "$A?entity_type=issue&entity_id=$ISSUE&per_page=5" "" "$ANN_T" && expect 200
[[ $(json .meta.total) == 2 && $(json .data[0].id) == "$SECOND" ]] || fail "$(cat "$TMP/body")"
req GET "$A?entity_type=issue" "" "$ANN_T" && expect 422 && field_named entity_id
req GET "$A?entity_type=invoice&entity_id=$ISSUE" "" "$ANN_T" && expect 422 && field_named entity_type
req GET "$A?entity_type=issue&entity_id=$ISSUE" "" "$RITA_T" && expect 422 && field_named entity_id
ok

step "two concurrent uploads with the same X-Request-Id both succeed (the temporary name is the server's)"
head -c $((3 * 1024 * 1024)) /dev/urandom >"$TMP/c1.bin"
head -c $((3 * 1024 * 1024)) /dev/urandom >"$TMP/c2.bin"
for i in 1 2; do # slowed down so that both temporary files exist at once
    curl -s -o "$TMP/c$i.json" -w '%{http_code}' -X POST --limit-rate 2M -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/octet-stream' -H 'X-Request-Id: same-id' \
        --data-binary "@$TMP/c$i.bin" "$BASE$A?filename=c$i.bin" >"$TMP/c$i.status" &
    PIDS[i]=$!
done
wait "${PIDS[1]}" "${PIDS[2]}" # not the server's
for i in 1 2; do
    [[ $(cat "$TMP/c$i.status") == 201 ]] || fail "upload $i: $(cat "$TMP/c$i.status") $(cat "$TMP/c$i.json")"
    H=$(jq -r .hash "$TMP/c$i.json")
    cmp "$TMP/c$i.bin" "$STORE/${H:0:2}/$H" || fail "upload $i: the stored file differs"
done
upload "$TMP/small.txt" text/plain '?filename=dots.txt' "$TOKEN" 'X-Request-Id: ..' && expect 201
[[ $(tmp_files) == 0 ]] || fail "$(tmp_files) temporary files left"
ok

step "a restart keeps everything"
server_kill TERM
server_start --read-wait-ms 2000 --max-upload $((30 * 1024 * 1024))
req GET "$A/$SMALL" "" "$ANN_T" && expect 200
req GET "$A/$LINKED" "" "$TOKEN" && expect 404
req GET "$A/$BIG" "" "$TOKEN" && expect 200
[[ $(json .hash) == "$BHASH" ]] || fail "$(cat "$TMP/body")"
cmp "$TMP/big.bin" "$STORE/${BHASH:0:2}/$BHASH" || fail "the stored file differs"
ok

step "flctl attachments sweep: unreferenced files older than --older-than go, referenced ones stay"
head -c 5000 /dev/urandom >"$TMP/unique.bin"
upload "$TMP/unique.bin" application/octet-stream '?filename=unique.bin' && expect 201
UNIQUE=$(json .id)
UHASH=$(json .hash)
req DELETE "$A/$UNIQUE" "" "$TOKEN" && expect 204
OLD=$STORE/ab/ab$(printf '0%.0s' {1..62})
NEW=$STORE/cd/cd$(printf '1%.0s' {1..62})
mkdir -p "$STORE/ab" "$STORE/cd" "$STORE/tmp"
echo orphan >"$OLD" && touch -d '2 hours ago' "$OLD"
echo orphan >"$NEW"
echo partial >"$STORE/tmp/leftover" && touch -d '2 hours ago' "$STORE/tmp/leftover"
"$FLCTL" --data "$DATA" attachments sweep --tenant acme --dry-run >"$TMP/sweep.out" || fail "dry run failed"
grep -q "would remove $OLD" "$TMP/sweep.out" && grep -q "would remove $STORE/tmp/leftover" "$TMP/sweep.out" ||
    fail "$(cat "$TMP/sweep.out")"
[[ -f $OLD && -f $STORE/tmp/leftover ]] || fail "a dry run removed files"
"$FLCTL" --data "$DATA" attachments sweep --tenant acme >"$TMP/sweep.out" || fail "sweep failed"
[[ ! -e $OLD && ! -e $STORE/tmp/leftover && -f $NEW && -f $STORE/${UHASH:0:2}/$UHASH ]] ||
    fail "after the default sweep: $(cat "$TMP/sweep.out")"
"$FLCTL" --data "$DATA" attachments sweep --tenant acme --older-than 0 >"$TMP/sweep.out" || fail "sweep failed"
[[ ! -e $NEW && ! -e $STORE/${UHASH:0:2}/$UHASH ]] || fail "after --older-than 0: $(cat "$TMP/sweep.out")"
for h in "$HASH" "$BHASH"; do [[ -f $STORE/${h:0:2}/$h ]] || fail "a referenced file was removed"; done
for i in 1 2; do
    H=$(jq -r .hash "$TMP/c$i.json")
    [[ -f $STORE/${H:0:2}/$H ]] || fail "upload $i's file was removed"
done
req GET "$A/$SMALL/download" "" "$TOKEN" && expect 200 # a deleted attachment shares its bytes: kept
"$FLCTL" --data "$DATA" attachments sweep >/dev/null 2>&1 && fail "no --tenant accepted"
"$FLCTL" --data "$DATA" attachments sweep --tenant nope >/dev/null 2>&1 && fail "an unknown tenant accepted"
ok

step "--attach-quota: a tenant's live attachments' sizes; 413 naming the quota, before or during the body"
USED=$(psql "$PG" -At -c "SELECT sum(size_bytes) FROM tenant_acme.attachments WHERE deleted_at IS NULL")
server_kill TERM
server_start --read-wait-ms 2000 --max-upload $((30 * 1024 * 1024)) --attach-quota $((USED + 3000))
head -c 5000 /dev/urandom >"$TMP/q5000.bin"
head -c 2000 /dev/urandom >"$TMP/q2000.bin"
upload "$TMP/q5000.bin" application/octet-stream '?filename=q.bin' && expect 413 && field_named body
[[ $(json .title) == 'storage quota exceeded' && $(json .detail) == *'room for 3000 bytes'* ]] || fail "$(cat "$TMP/body")"
upload "$TMP/q5000.bin" application/octet-stream '?filename=q.bin' "$TOKEN" 'Transfer-Encoding: chunked' &&
    expect 413 && field_named body
upload "$TMP/q2000.bin" application/octet-stream '?filename=q.bin' && expect 201
Q=$(json .id)
upload "$TMP/q2000.bin" application/octet-stream '?filename=q2.bin' && expect 413
[[ $(json .detail) == *'room for 1000 bytes'* ]] || fail "$(cat "$TMP/body")"
req DELETE "$A/$Q" "" "$TOKEN" && expect 204 # a deleted attachment frees its room
upload "$TMP/q2000.bin" application/octet-stream '?filename=q3.bin' && expect 201
[[ $(tmp_files) == 0 ]] || fail "$(tmp_files) temporary files left"
ok
