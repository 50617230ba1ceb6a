/*
 * Writes the seed corpora: valid envelopes (fl_event_encode) into
 * corpus/envelope/ and msgpack objects (fl_codec_from_json_text) into
 * corpus/codec/. Not run by the tests; rerun from the repository root after a
 * deliberate change of the envelope:
 *   ninja -C build-fuzz tests/fuzz/gen_corpus && build-fuzz/tests/fuzz/gen_corpus tests/fuzz/corpus
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "firelater/arena.h"
#include "firelater/codec.h"
#include "firelater/log.h"

static int write_file(const char *dir, const char *sub, const char *name, const uint8_t *buf,
                      size_t len)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(buf, 1, len, f) != len) {
        perror(path);
        return 1;
    }
    return fclose(f) != 0;
}

static const char *docs[] = {
    "{\"title\":\"Printer on fire\",\"priority\":\"high\"}",
    "{\"n\":-3,\"r\":2.5,\"ok\":true,\"none\":null,\"list\":[1,\"two\",{\"three\":[]}]}",
    "{\"big\":9223372036854775807,\"small\":-9223372036854775808,\"u\":\"h\\u00e9\"}",
    "[]",
};

static int envelope(const char *dir, int i, fl_arena_t *a)
{
    fl_event_t ev = {.pos = 1 + (uint64_t)i * 1000,
                     .ts = 1795608000123456LL + i,
                     .type = i % 2 ? "issue.assigned" : "issue.created",
                     .v = 1 + (uint32_t)i,
                     .stream = "issue:0b7e5a38-4f7c-4d0e-9c39-2f1d1e6b8a11",
                     .sv = 1 + (uint64_t)i,
                     .actor = i ? "user:alice" : "",
                     .cid = i > 1 ? "cmd-1" : "",
                     .corr = i > 2 ? "corr-1" : "",
                     .num = i == 0 ? "ISS-00001" : ""};
    uint8_t *buf, *data;
    size_t len;
    char name[32];

    if (fl_codec_from_json_text(docs[i], a, &data, &ev.data_len) != 0)
        return 1;
    ev.data = data;
    memset(ev.prev, i * 37, sizeof(ev.prev));
    snprintf(name, sizeof(name), "seed-%d", i);
    if (fl_event_encode(&ev, &buf, &len, a) != 0)
        return 1;
    return write_file(dir, "envelope", name, buf, len) ||
           write_file(dir, "codec", name, ev.data, ev.data_len);
}

int main(int argc, char **argv)
{
    fl_arena_t a;
    int bad = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: gen_corpus CORPUS_DIR\n");
        return 2;
    }
    fl_arena_init(&a, 0);
    for (int i = 0; i < (int)(sizeof(docs) / sizeof(docs[0])); i++)
        bad |= envelope(argv[1], i, &a);
    fl_arena_free(&a);
    return bad;
}
