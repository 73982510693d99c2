/* loader.h: reading a scenario file into cJSON and serving sim_cfg readers over it
 * (engine files only). The loader owns the JSON tree, every sim_cfg, every string the
 * readers hand out, the operation table and the list of peer references. */
#ifndef ARCHSIM_LOADER_H
#define ARCHSIM_LOADER_H

#include <cjson/cJSON.h>

#include "sim.h"

#define SIM_MAX_FILE_BYTES (16u << 20) /* a scenario larger than this is refused */
#define SIM_MAX_DEPTH 32               /* nesting deeper than this is refused */

struct sim_loader;

/* A reference to a node by name, recorded by sim_cfg_peer and resolved by the engine. */
struct sim__peer {
    struct sim_component *from; /* the component being configured */
    struct sim_component **slot;
    const char *name;           /* the node named */
    const char *path;           /* JSON path of the reference, for errors */
    bool sync;
};

/* Reads FILE, or standard input for "-" (read once, the same text at every later call),
 * into a buffer the caller frees; NULL with "FILE: why" in err. Over 16 MiB is refused. */
char *sim__read_input(const char *path, size_t *len, char *err, size_t errn);
/* The name of an input in messages: path, or "<stdin>" for "-". */
const char *sim__input_label(const char *path);
/* Reads and checks FILE ("-": standard input, labelled "<stdin>"): size, nesting depth, JSON syntax (with line and column),
 * duplicate keys and non-finite numbers. On failure returns NULL and writes
 * "FILE: PATH: what was expected" into err. */
struct sim_loader *sim__loader_open(const char *path, char *err, size_t errn);
/* The same from text in memory; label stands for the file name in messages. */
struct sim_loader *sim__loader_parse(const char *label, const char *text, size_t len, char *err,
                                     size_t errn);
void sim__loader_destroy(struct sim_loader *ld);

cJSON *sim__loader_json(struct sim_loader *ld); /* the root, editable before reading */
const char *sim__loader_label(const struct sim_loader *ld);
uint64_t sim__loader_hash(const struct sim_loader *ld); /* FNV-1a 64 of the file's bytes */

/* Applies one --set path=value: value is parsed as JSON when it is valid JSON, else taken
 * as a string. Intermediate objects must exist; the last key may be new (and is then
 * checked like any other field). Array elements are named by index. Returns false and
 * writes an error naming the path, which also becomes the loader's first error. */
bool sim__loader_set(struct sim_loader *ld, const char *assignment, char *err, size_t errn);
/* The same for a flag that stands for a --set (flag: "--seed 7"; NULL: "--set PATH=VALUE").
 * Every error the assignment causes, then or when the field is read, names the flag and its
 * argument as its source: "archsim: --set workload.rate=abc: expected a number". */
bool sim__loader_set_as(struct sim_loader *ld, const char *assignment, const char *flag, char *err,
                        size_t errn);
/* Errors found at path or below name flag as their source (--fault's entry at faults.N). */
void sim__loader_origin(struct sim_loader *ld, const char *path, const char *flag);

/* A reader over the root object (path ""). Readers live as long as the loader. */
struct sim_cfg *sim__loader_root(struct sim_loader *ld);
/* The component that sim_cfg_peer, sim_cfg_op, sim_cfg_dist and sim_rng calls are made for. */
void sim__loader_set_component(struct sim_loader *ld, struct sim_component *c);

/* Every reader created since the last call: keys never read become errors ("unknown
 * field", with a "did you mean" among the keys the reader was asked about). The engine
 * calls this after each component's configure(). */
void sim__loader_check_unread(struct sim_loader *ld);

/* The first error, as "FILE: PATH: message", or NULL. */
const char *sim__loader_error(const struct sim_loader *ld);
/* Records an error at a dotted path (if none is recorded yet). */
void sim__loader_error_at(struct sim_loader *ld, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

size_t sim__loader_peers(struct sim_loader *ld, struct sim__peer **out);

/* Every reader made so far, as a JSON array of {"path", "asked": the keys the loader asked
 * about there (the fields it accepts), "named": keys it read without asking (names the
 * user chose, as in a map)}: the source of the scenario schema (tools/schema.py). */
char *sim__loader_fields_json(const struct sim_loader *ld);
/* Operation names in interning order: "read" and "write" first. */
int sim__loader_ops(const struct sim_loader *ld, const char *const **names);

/* The closest candidate by edit distance, or NULL when none is close enough to suggest. */
const char *sim__closest(const char *word, const char *const *candidates, size_t n);

/* ---- for dist.c and keys.c, which build objects the loader owns ---- */

/* The loader behind a reader (NULL for a NULL reader). */
struct sim_loader *sim__cfg_loader(struct sim_cfg *cfg);
/* The loader calls destroy(p) when it is destroyed, latest first. */
void sim__loader_own(struct sim_loader *ld, void *p, void (*destroy)(void *));
/* A reader over {key: VALUE}, VALUE parsed from json, with cfg's path: how a default
 * written as JSON text is read exactly like a value from the file. NULL (and an error)
 * when json does not parse. The reader is never checked for unknown fields. */
struct sim_cfg *sim__cfg_fallback(struct sim_cfg *cfg, const char *key, const char *json);
/* What was built before from the field cfg.key under tag (a dist's quantity, keys...), or
 * NULL: replications that read the same field share one object instead of growing. */
void *sim__cfg_memo(struct sim_cfg *cfg, const char *key, int tag);
void sim__cfg_memo_put(struct sim_cfg *cfg, const char *key, int tag, void *p);
/* Records "expected WHAT, got VALUE" at cfg.key, or "required field missing: expected
 * WHAT" when the key is absent. */
void sim__cfg_expected(struct sim_cfg *cfg, const char *key, const char *what);

/* Parses "250us", "5ms", "1.5s", "3m", "1h" (also "ns"); false on anything else. */
bool sim__parse_duration(const char *text, sim_time *out);
/* "4ms", "1.5s", "250us": the shortest faithful spelling, for messages and `check`. */
void sim__format_duration(sim_time t, char *buf, size_t n);

#endif
