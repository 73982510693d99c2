/* config.c: the scenario loader and the sim_cfg readers over its JSON tree. The loader owns
 * the tree, every reader, the operation table, the peer list and whatever dist.c and keys.c
 * build. Errors are sticky, loader-wide: the first is kept, every later read returns its
 * fallback (or min), and every sim_cfg_* function accepts a NULL reader. */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/internal.h"
#include "loader.h"
#include "kernel/text.h"

/* A reader over one JSON object. Owned by the loader; read[] follows the object's keys
 * in file order (bit READ: read; bit NAMED: handed out by sim_cfg_key_at, a name the user
 * chose rather than a field), asked[] holds every key name a sim_cfg_* call named (for "did you mean"). */
struct sim_cfg {
    struct sim_loader *ld;
    const cJSON *obj;
    char *path;
    int nkeys;
    unsigned char *read;
    char **asked;
    size_t nasked, capasked;
    struct sim_cfg **children; /* readers over members, reused so reads accumulate */
    size_t nchildren, capchildren;
    /* Built once an object is big (BIG members), so reads cost O(1), not its size. */
    const cJSON **members;       /* in file order */
    struct sim__namemap by_key;  /* member key -> index + 1 */
    struct sim__namemap asked_set; /* asked[] -> 1 */
    struct sim_keymap by_object; /* a child reader's JSON object -> index + 1 in children */
    bool checked; /* unknown fields already reported, or never to be */
};

enum { READ = 1, NAMED = 2 };

struct owned {
    void *p;
    void (*destroy)(void *);
};

struct memo {
    char *id; /* the reader, the tag and the key, as text: the memo map's key */
    void *p;
};

/* An array's elements in order, so element i is found at once (cJSON walks the list). */
struct array_index {
    const cJSON **items;
    int n;
};

struct sim_loader {
    char *label;
    cJSON *root;
    uint64_t hash;
    char *error;
    struct sim_cfg *root_cfg;
    struct sim_cfg **cfgs;
    size_t ncfgs, capcfgs, unchecked; /* cfgs[unchecked..] were created since the last check */
    struct sim__peer *peers;
    size_t npeers, cappeers;
    char *ops[SIM_MAX_OPS];
    int nops;
    struct owned *owned;
    size_t nowned, capowned;
    struct memo *memo;
    size_t nmemo, capmemo;
    struct sim__namemap memo_map; /* memo id -> index + 1 */
    struct sim_keymap arrays;     /* a big array's cJSON -> index + 1 in array_index */
    struct array_index *array_index;
    size_t narrays, caparrays;
    struct sim_component *component;
    struct origin *origins; /* the parts of the tree a flag wrote */
    size_t norigins, caporigins;
    const char *applying;   /* the flag being applied: each error it causes is its own */
};

/* A subtree written by a command-line flag (--set, --fault): errors found in it name the
 * flag and its argument, not the file, as their source. */
struct origin {
    char *path; /* "" for the root */
    char *flag; /* "--set nodes.app.instances=0", "--fault 'db:crash@1s'" */
};

/* Objects and arrays with more members than this get an index; smaller ones are scanned,
 * which is cheaper for the handful of fields a node has. */
#define BIG 16
/* The keys asked of one object get an index past this many: a node's model asks a few
 * dozen (an index each would be ~1 KB a node, 100 MB at 10^5 nodes); only objects keyed
 * by the user (the nodes) ask more. */
#define ASKED_BIG 64

/* Grows an array of elements of size `size` so that it holds at least n. */
static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap) return p;
    size_t c = *cap ? *cap * 2 : 8;
    while (c < n) c *= 2;
    *cap = c;
    return sim_realloc(p, c * size);
}


static char *join(const char *path, const char *key)
{
    struct sim__text t = {0};
    if (!key || !*key) sim__text_add(&t, "%s", path);
    else if (*path) sim__text_add(&t, "%s.%s", path, key);
    else sim__text_add(&t, "%s", key);
    if (!t.text) return sim_strdup("");
    return t.text;
}

static void copy_out(char *err, size_t errn, const char *msg)
{
    if (err && errn) snprintf(err, errn, "%s", msg);
}

/* ---- errors ---- */

/* The flag whose subtree holds path, the latest first (a later --set overrides an earlier
 * one), with *rest the path below the flag's own; NULL when the file wrote it. */
static const char *origin_of(const struct sim_loader *ld, const char *path, const char **rest)
{
    for (size_t i = ld->norigins; i-- > 0;) {
        const struct origin *o = &ld->origins[i];
        size_t n = strlen(o->path);
        if (n && (strncmp(path, o->path, n) || (path[n] && path[n] != '.'))) continue;
        *rest = path + n + (n && path[n] == '.');
        return o->flag;
    }
    return NULL;
}

static void verror_at(struct sim_loader *ld, const char *path, const char *fmt, va_list ap)
{
    if (ld->error) return;
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    struct sim__text t = {0};
    const char *rest = path ? path : "";
    const char *flag = ld->applying ? ld->applying : origin_of(ld, rest, &rest);
    if (flag) sim__text_add(&t, "archsim: %s: ", flag);
    else sim__text_add(&t, "%s: ", ld->label);
    if (*rest) sim__text_add(&t, "%s: ", rest);
    sim__text_add(&t, "%s", msg);
    ld->error = t.text;
}

void sim__loader_origin(struct sim_loader *ld, const char *path, const char *flag)
{
    ld->origins = grow(ld->origins, &ld->caporigins, ld->norigins + 1, sizeof *ld->origins);
    ld->origins[ld->norigins++] = (struct origin){sim_strdup(path), sim_strdup(flag)};
}

void sim__loader_error_at(struct sim_loader *ld, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror_at(ld, path, fmt, ap);
    va_end(ap);
}

const char *sim__loader_error(const struct sim_loader *ld)
{
    return ld->error;
}

void sim_cfg_error(struct sim_cfg *cfg, const char *key, const char *fmt, ...)
{
    if (!cfg) return;
    char *path = join(cfg->path, key);
    va_list ap;
    va_start(ap, fmt);
    verror_at(cfg->ld, path, fmt, ap);
    va_end(ap);
    sim_free(path);
}

/* Any error in the loader, not only under cfg: after one, nothing read is trustworthy. */
bool sim_cfg_failed(struct sim_cfg *cfg)
{
    return cfg && cfg->ld->error;
}

/* Nothing more is read once an error is recorded, or through a NULL reader. */
static bool dead(struct sim_cfg *cfg)
{
    return !cfg || cfg->ld->error;
}

/* The JSON value, compact, strings quoted, cut at about 40 characters. */
static void show(const cJSON *v, char *buf, size_t n)
{
    if (!v) {
        snprintf(buf, n, "nothing");
        return;
    }
    char *s = cJSON_PrintUnformatted(v);
    if (!s) sim__out_of_memory();
    size_t len = strlen(s);
    if (len > 40) {
        size_t cut = 37;
        while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80) cut--; /* whole UTF-8 */
        snprintf(buf, n, "%.*s...", (int)cut, s);
    } else {
        snprintf(buf, n, "%s", s);
    }
    cJSON_free(s);
}

static void expected(struct sim_cfg *cfg, const char *key, const char *what, const cJSON *got)
{
    char shown[64];
    if (!got) {
        sim_cfg_error(cfg, key, "required field missing: expected %s", what);
        return;
    }
    show(got, shown, sizeof shown);
    sim_cfg_error(cfg, key, "expected %s, got %s", what, shown);
}

/* ---- did you mean ---- */

/* Optimal string alignment distance, ignoring case; SIZE_MAX when a word is too long. */
static size_t distance(const char *a, const char *b)
{
    enum { MAX = 64 };
    size_t la = strlen(a), lb = strlen(b);
    if (la > MAX || lb > MAX) return SIZE_MAX;
    size_t row[3][MAX + 1]; /* rows i-2, i-1, i, in rotation */
    for (size_t j = 0; j <= lb; j++) row[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t *cur = row[i % 3], *prev = row[(i + 2) % 3], *prev2 = row[(i + 1) % 3];
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t cost = ca != cb;
            size_t d = prev[j] + 1;
            if (cur[j - 1] + 1 < d) d = cur[j - 1] + 1;
            if (prev[j - 1] + cost < d) d = prev[j - 1] + cost;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < d)
                d = prev2[j - 2] + 1;
            cur[j] = d;
        }
    }
    return row[la % 3][lb];
}

const char *sim__closest(const char *word, const char *const *candidates, size_t n)
{
    size_t len = strlen(word), limit = len / 3 > 1 ? len / 3 : 1;
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        if (!candidates[i]) continue;
        size_t d = distance(word, candidates[i]);
        if (d <= limit && d < len && d < best_d) { /* d == len: a different word */
            best = candidates[i];
            best_d = d;
        }
    }
    return best;
}

/* ---- durations ---- */

__extension__ typedef unsigned __int128 u128;

bool sim__parse_duration(const char *text, sim_time *out)
{
    static const struct {
        const char *name;
        uint64_t ns;
    } units[] = {{"ns", 1},          {"us", 1000},        {"\xc2\xb5s", 1000},
                 {"\xce\xbcs", 1000}, {"ms", 1000000},     {"s", 1000000000},
                 {"m", 60000000000}, {"min", 60000000000}, {"h", 3600000000000}};
    const char *p = text;
    if (!p || !isdigit((unsigned char)*p)) return false; /* empty, negative, ".5s" */
    uint64_t mant = 0; /* the first 19 significant digits */
    int sig = 0;
    long exp10 = 0;
    for (; isdigit((unsigned char)*p); p++) {
        int d = *p - '0';
        if (sig < 19) {
            mant = mant * 10 + (uint64_t)d;
            if (mant) sig++;
        } else {
            exp10++;
        }
    }
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p)) return false;
        for (; isdigit((unsigned char)*p); p++) {
            if (sig < 19) {
                mant = mant * 10 + (uint64_t)(*p - '0');
                if (mant) sig++;
                exp10--;
            }
        }
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        int sign = 1;
        if (*p == '+' || *p == '-') sign = *p++ == '-' ? -1 : 1;
        if (!isdigit((unsigned char)*p)) return false;
        long e = 0;
        for (; isdigit((unsigned char)*p); p++)
            if (e < 100000) e = e * 10 + (*p - '0');
        exp10 += sign * e;
    }
    uint64_t unit = 0;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(p, units[i].name) == 0) unit = units[i].ns;
    if (!unit) return false; /* missing, unknown, or trailing junk */
    if (mant == 0) {
        *out = 0;
        return true;
    }
    u128 q = (u128)mant * unit;
    if (exp10 >= 0) {
        for (long i = 0; i < exp10; i++) {
            if (q > INT64_MAX) return false;
            q *= 10;
        }
    } else if (exp10 < -38) {
        q = 0; /* below half a nanosecond: q < 10^32 */
    } else {
        u128 pow10 = 1;
        for (long i = 0; i < -exp10; i++) pow10 *= 10;
        u128 rem = q % pow10;
        q /= pow10;
        if (2 * rem >= pow10) q++; /* nearest, halves up */
    }
    if (q > INT64_MAX) return false;
    *out = (sim_time)q;
    return true;
}

void sim__format_duration(sim_time t, char *buf, size_t n)
{
    uint64_t m = t < 0 ? 0 - (uint64_t)t : (uint64_t)t;
    const char *sign = t < 0 ? "-" : "";
    if (m == 0) {
        snprintf(buf, n, "0s");
        return;
    }
    uint64_t unit = 1;
    int digits = 0;
    const char *name = "ns";
    if (m >= 1000000000) unit = 1000000000, digits = 9, name = "s";
    else if (m >= 1000000) unit = 1000000, digits = 6, name = "ms";
    else if (m >= 1000) unit = 1000, digits = 3, name = "us";
    uint64_t whole = m / unit, frac = m % unit;
    if (!frac) {
        snprintf(buf, n, "%s%" PRIu64 "%s", sign, whole, name);
        return;
    }
    char f[16];
    snprintf(f, sizeof f, "%0*" PRIu64, digits, frac);
    for (int i = digits - 1; i > 0 && f[i] == '0'; i--) f[i] = 0; /* exact, no more */
    snprintf(buf, n, "%s%" PRIu64 ".%s%s", sign, whole, f, name);
}

/* ---- expectations, worded for messages ---- */

static void format_number(double x, char *buf, size_t n)
{
    snprintf(buf, n, "%.15g", x);
    if (strtod(buf, NULL) != x) snprintf(buf, n, "%.17g", x);
}

static void int_expectation(char *buf, size_t n, int64_t min, int64_t max)
{
    if (max >= SIM_NEVER - 1) { /* "at most 292 years" says nothing: no upper bound to show */
        if (min == 1) snprintf(buf, n, "a positive integer");
        else if (min == 0) snprintf(buf, n, "a non-negative integer");
        else if (min == INT64_MIN) snprintf(buf, n, "an integer");
        else snprintf(buf, n, "an integer of at least %" PRId64, min);
    } else if (min == INT64_MIN) {
        snprintf(buf, n, "an integer of at most %" PRId64, max);
    } else {
        snprintf(buf, n, "an integer from %" PRId64 " to %" PRId64, min, max);
    }
}

/* A min in (0, DBL_MIN] stands for "greater than zero". */
static void number_expectation(char *buf, size_t n, double min, double max)
{
    char a[32], b[32];
    format_number(min, a, sizeof a);
    format_number(max, b, sizeof b);
    bool positive = min > 0 && min <= DBL_MIN, no_max = max >= DBL_MAX, no_min = min <= -DBL_MAX;
    if (no_min && no_max) snprintf(buf, n, "a number");
    else if (positive && no_max) snprintf(buf, n, "a positive number");
    else if (positive) snprintf(buf, n, "a positive number of at most %s", b);
    else if (min == 0 && no_max) snprintf(buf, n, "a non-negative number");
    else if (no_max) snprintf(buf, n, "a number of at least %s", a);
    else if (no_min) snprintf(buf, n, "a number of at most %s", b);
    else snprintf(buf, n, "a number from %s to %s", a, b);
}

static void duration_expectation(char *buf, size_t n, sim_time min, sim_time max)
{
    char a[32], b[32];
    sim__format_duration(min, a, sizeof a);
    sim__format_duration(max, b, sizeof b);
    if (max >= SIM_NEVER - 1) { /* "at most 292 years" says nothing: no upper bound to show */
        if (min == 1) snprintf(buf, n, "a positive duration");
        else if (min <= 0) snprintf(buf, n, "a non-negative duration");
        else snprintf(buf, n, "a duration of at least %s", a);
    } else if (min == 1) {
        snprintf(buf, n, "a positive duration of at most %s", b);
    } else if (min <= 0) {
        snprintf(buf, n, "a duration of at most %s", b);
    } else {
        snprintf(buf, n, "a duration from %s to %s", a, b);
    }
}

/* ---- readers ---- */

static int count_keys(const cJSON *obj)
{
    int n = 0;
    for (const cJSON *c = obj->child; c; c = c->next) n++;
    return n;
}

static struct sim_cfg *reader_create(struct sim_loader *ld, const cJSON *obj, char *path)
{
    struct sim_cfg *cfg = sim_alloc(sizeof *cfg);
    cfg->ld = ld;
    cfg->obj = obj;
    cfg->path = path;
    cfg->nkeys = count_keys(obj);
    cfg->read = sim_alloc((size_t)cfg->nkeys + 1);
    ld->cfgs = grow(ld->cfgs, &ld->capcfgs, ld->ncfgs + 1, sizeof *ld->cfgs);
    ld->cfgs[ld->ncfgs++] = cfg;
    return cfg;
}

static void reader_destroy(struct sim_cfg *cfg)
{
    for (size_t i = 0; i < cfg->nasked; i++) sim_free(cfg->asked[i]);
    sim_free(cfg->asked);
    sim_free(cfg->children);
    sim_free(cfg->members);
    sim__namemap_fini(&cfg->by_key);
    sim__namemap_fini(&cfg->asked_set);
    if (cfg->by_object.slots) sim_keymap_fini(&cfg->by_object);
    sim_free(cfg->read);
    sim_free(cfg->path);
    sim_free(cfg);
}

/* The reader over obj, a member of parent's object, made once. */
static struct sim_cfg *child_reader(struct sim_cfg *parent, const cJSON *obj, const char *key,
                                    int index)
{
    if (parent->by_object.slots) {
        uint32_t at = sim_keymap_get(&parent->by_object, (uint64_t)(uintptr_t)obj);
        if (at) return parent->children[at - 1];
    } else {
        for (size_t i = 0; i < parent->nchildren; i++)
            if (parent->children[i]->obj == obj) return parent->children[i];
    }
    char *path;
    if (index < 0) {
        path = join(parent->path, key);
    } else {
        struct sim__text t = {0};
        sim__text_add(&t, "%s%s%s.%d", parent->path, *parent->path ? "." : "", key, index);
        path = t.text;
    }
    struct sim_cfg *cfg = reader_create(parent->ld, obj, path);
    parent->children = grow(parent->children, &parent->capchildren, parent->nchildren + 1,
                            sizeof *parent->children);
    parent->children[parent->nchildren++] = cfg;
    if (parent->nchildren == BIG) {
        sim_keymap_init(&parent->by_object, 2 * BIG);
        for (size_t i = 0; i < parent->nchildren; i++)
            sim_keymap_put(&parent->by_object, (uint64_t)(uintptr_t)parent->children[i]->obj,
                           (uint32_t)i + 1);
    } else if (parent->nchildren > BIG) {
        sim_keymap_put(&parent->by_object, (uint64_t)(uintptr_t)obj, (uint32_t)parent->nchildren);
    }
    return cfg;
}

static void note_asked(struct sim_cfg *cfg, const char *key)
{
    if (cfg->nasked >= ASKED_BIG) {
        if (sim__namemap_get(&cfg->asked_set, key)) return;
    } else {
        for (size_t i = 0; i < cfg->nasked; i++)
            if (strcmp(cfg->asked[i], key) == 0) return;
    }
    cfg->asked = grow(cfg->asked, &cfg->capasked, cfg->nasked + 1, sizeof *cfg->asked);
    cfg->asked[cfg->nasked++] = sim_strdup(key);
    if (cfg->nasked == ASKED_BIG)
        for (size_t i = 0; i < cfg->nasked; i++) sim__namemap_put(&cfg->asked_set, cfg->asked[i], 1);
    else if (cfg->nasked > ASKED_BIG)
        sim__namemap_put(&cfg->asked_set, cfg->asked[cfg->nasked - 1], 1);
}

/* A big object's members in order and by key (keys are unique: validate() refused
 * duplicates), made on first use. */
static void index_members(struct sim_cfg *cfg)
{
    if (cfg->members || cfg->nkeys <= BIG) return;
    cfg->members = sim_alloc((size_t)cfg->nkeys * sizeof *cfg->members);
    sim__namemap_init(&cfg->by_key, (size_t)cfg->nkeys);
    int i = 0;
    for (const cJSON *c = cfg->obj->child; c && i < cfg->nkeys; c = c->next, i++) {
        cfg->members[i] = c;
        if (c->string) sim__namemap_put(&cfg->by_key, c->string, (uint32_t)i + 1);
    }
}

/* The member at key, or NULL; notes the key as asked about, and as read when present. */
static const cJSON *lookup(struct sim_cfg *cfg, const char *key)
{
    note_asked(cfg, key);
    index_members(cfg);
    if (cfg->members) {
        uint32_t at = sim__namemap_get(&cfg->by_key, key);
        if (!at) return NULL;
        cfg->read[at - 1] = 1;
        return cfg->members[at - 1];
    }
    int i = 0;
    for (const cJSON *c = cfg->obj->child; c; c = c->next, i++) {
        if (strcmp(c->string, key) == 0) {
            if (i < cfg->nkeys) cfg->read[i] |= READ;
            return c;
        }
    }
    return NULL;
}

/* The array's element i (NULL when out of range) and its size, indexed once it is big. */
static const cJSON *array_item(struct sim_loader *ld, const cJSON *array, int i, int *size)
{
    uint32_t at = ld->arrays.slots ? sim_keymap_get(&ld->arrays, (uint64_t)(uintptr_t)array) : 0;
    if (!at) {
        int n = 0;
        for (const cJSON *c = array->child; c; c = c->next) n++;
        if (n <= BIG) {
            if (size) *size = n;
            return i >= 0 && i < n ? cJSON_GetArrayItem(array, i) : NULL;
        }
        ld->array_index = grow(ld->array_index, &ld->caparrays, ld->narrays + 1,
                               sizeof *ld->array_index);
        struct array_index *x = &ld->array_index[ld->narrays++];
        x->items = sim_alloc((size_t)n * sizeof *x->items);
        x->n = 0;
        for (const cJSON *c = array->child; c; c = c->next) x->items[x->n++] = c;
        if (!ld->arrays.slots) sim_keymap_init(&ld->arrays, 16);
        sim_keymap_put(&ld->arrays, (uint64_t)(uintptr_t)array, at = (uint32_t)ld->narrays);
    }
    const struct array_index *x = &ld->array_index[at - 1];
    if (size) *size = x->n;
    return i >= 0 && i < x->n ? x->items[i] : NULL;
}

static enum sim_cfg_type type_of(const cJSON *v)
{
    if (!v) return SIM_CFG_ABSENT;
    if (cJSON_IsNull(v)) return SIM_CFG_NULL;
    if (cJSON_IsBool(v)) return SIM_CFG_BOOL;
    if (cJSON_IsNumber(v)) return SIM_CFG_NUMBER;
    if (cJSON_IsString(v)) return SIM_CFG_STRING;
    if (cJSON_IsArray(v)) return SIM_CFG_ARRAY;
    return SIM_CFG_OBJECT;
}

enum sim_cfg_type sim_cfg_type(struct sim_cfg *cfg, const char *key)
{
    return cfg ? type_of(lookup(cfg, key)) : SIM_CFG_ABSENT;
}

/* The type of element i of the array at key; ABSENT when there is no such element. */
enum sim_cfg_type sim_cfg_item_type(struct sim_cfg *cfg, const char *key, int i)
{
    if (!cfg || i < 0) return SIM_CFG_ABSENT;
    const cJSON *v = lookup(cfg, key);
    return cJSON_IsArray(v) ? type_of(array_item(cfg->ld, v, i, NULL)) : SIM_CFG_ABSENT;
}

bool sim_cfg_has(struct sim_cfg *cfg, const char *key)
{
    return cfg && lookup(cfg, key) != NULL;
}

/* The integer in v, or false when v is not a number with an integral value in range. */
static bool as_int(const cJSON *v, int64_t min, int64_t max, int64_t *out)
{
    if (!cJSON_IsNumber(v)) return false;
    double d = v->valuedouble;
    if (d != floor(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0) return false;
    int64_t i = (int64_t)d;
    if (i < min || i > max) return false;
    *out = i;
    return true;
}

int64_t sim_cfg_int(struct sim_cfg *cfg, const char *key, int64_t fallback, int64_t min,
                    int64_t max)
{
    int64_t safe = fallback == SIM_REQUIRED ? min : fallback, x;
    if (dead(cfg)) return safe;
    const cJSON *v = lookup(cfg, key);
    if (!v && fallback != SIM_REQUIRED) return fallback;
    if (v && as_int(v, min, max, &x)) return x;
    char want[96];
    int_expectation(want, sizeof want, min, max);
    expected(cfg, key, want, v);
    return safe;
}

double sim_cfg_number(struct sim_cfg *cfg, const char *key, double fallback, double min,
                      double max)
{
    double safe = isnan(fallback) ? min : fallback;
    if (dead(cfg)) return safe;
    const cJSON *v = lookup(cfg, key);
    if (!v && !isnan(fallback)) return fallback;
    if (cJSON_IsNumber(v) && v->valuedouble >= min && v->valuedouble <= max)
        return v->valuedouble;
    char want[96];
    number_expectation(want, sizeof want, min, max);
    expected(cfg, key, want, v);
    return safe;
}

sim_time sim_cfg_duration(struct sim_cfg *cfg, const char *key, sim_time fallback, sim_time min,
                          sim_time max)
{
    sim_time safe = fallback == SIM_REQUIRED ? min : fallback, t;
    if (dead(cfg)) return safe;
    const cJSON *v = lookup(cfg, key);
    if (!v && fallback != SIM_REQUIRED) return fallback;
    char want[96];
    duration_expectation(want, sizeof want, min, max);
    if (cJSON_IsNumber(v)) {
        expected(cfg, key, "a duration with a unit, such as \"5ms\"", v);
    } else if (cJSON_IsString(v) && v->valuestring[0] == '-' &&
               sim__parse_duration(v->valuestring + 1, &t)) {
        expected(cfg, key, want, v); /* "-5ms" is well formed, only out of range */
    } else if (cJSON_IsString(v) && !sim__parse_duration(v->valuestring, &t)) {
        expected(cfg, key, "a duration with a unit (ns, us, ms, s, m or h), such as \"5ms\"", v);
    } else if (cJSON_IsString(v) && t >= min && t <= max) {
        return t;
    } else {
        expected(cfg, key, want, v);
    }
    return safe;
}

/* fallback: 0 or 1; anything else means required (SIM_REQUIRED does not fit an int). */
bool sim_cfg_bool(struct sim_cfg *cfg, const char *key, int fallback)
{
    bool required = fallback != 0 && fallback != 1;
    bool safe = required ? false : fallback;
    if (dead(cfg)) return safe;
    const cJSON *v = lookup(cfg, key);
    if (!v && !required) return safe;
    if (cJSON_IsBool(v)) return cJSON_IsTrue(v);
    expected(cfg, key, "true or false", v);
    return safe;
}

const char *sim_cfg_string(struct sim_cfg *cfg, const char *key, const char *fallback)
{
    const char *safe = fallback ? fallback : "";
    if (dead(cfg)) return safe;
    const cJSON *v = lookup(cfg, key);
    if (!v && fallback) return fallback;
    if (cJSON_IsString(v)) return v->valuestring;
    expected(cfg, key, "a string", v);
    return safe;
}

int sim_cfg_choice(struct sim_cfg *cfg, const char *key, int fallback,
                   const char *const *choices)
{
    int safe = fallback < 0 ? 0 : fallback;
    if (dead(cfg)) return safe;
    const cJSON *v = lookup(cfg, key);
    if (!v && fallback >= 0) return fallback;
    size_t n = 0;
    while (choices[n]) n++;
    if (cJSON_IsString(v))
        for (size_t i = 0; i < n; i++)
            if (strcmp(v->valuestring, choices[i]) == 0) return (int)i;
    struct sim__text want = {0};
    if (n > 1) sim__text_add(&want, "one of ");
    for (size_t i = 0; i < n; i++)
        sim__text_add(&want, "%s\"%s\"", i == 0 ? "" : i + 1 == n ? " or " : ", ", choices[i]);
    const char *near = cJSON_IsString(v) ? sim__closest(v->valuestring, choices, n) : NULL;
    if (near) {
        char shown[64];
        show(v, shown, sizeof shown);
        sim_cfg_error(cfg, key, "expected %s, got %s (did you mean '%s'?)", want.text, shown, near);
    } else {
        expected(cfg, key, want.text, v);
    }
    sim_free(want.text);
    return safe;
}

struct sim_cfg *sim_cfg_object(struct sim_cfg *cfg, const char *key, bool required)
{
    if (dead(cfg)) return NULL;
    const cJSON *v = lookup(cfg, key);
    if (cJSON_IsObject(v)) return child_reader(cfg, v, key, -1);
    if (v || required) expected(cfg, key, "an object", v);
    return NULL;
}

int sim_cfg_array(struct sim_cfg *cfg, const char *key)
{
    if (dead(cfg)) return 0;
    const cJSON *v = lookup(cfg, key);
    if (!v) return 0;
    int n;
    if (cJSON_IsArray(v)) return array_item(cfg->ld, v, 0, &n), n;
    expected(cfg, key, "an array", v);
    return 0;
}

/* Element i of the array at key, with the path "PATH.key.i" for messages. */
static const cJSON *element(struct sim_cfg *cfg, const char *key, int i, char **path)
{
    *path = NULL;
    const cJSON *v = lookup(cfg, key);
    if (!cJSON_IsArray(v)) {
        expected(cfg, key, "an array", v);
        return NULL;
    }
    int n;
    const cJSON *e = array_item(cfg->ld, v, i, &n);
    if (!e) {
        sim_cfg_error(cfg, key, "expected an array of at least %d elements, got %d", i + 1, n);
        return NULL;
    }
    struct sim__text t = {0};
    sim__text_add(&t, "%s.%d", key, i);
    *path = t.text;
    return e;
}

struct sim_cfg *sim_cfg_item(struct sim_cfg *cfg, const char *key, int i)
{
    if (dead(cfg)) return NULL;
    char *path;
    const cJSON *e = element(cfg, key, i, &path);
    struct sim_cfg *item = NULL;
    if (cJSON_IsObject(e)) item = child_reader(cfg, e, key, i);
    else if (e) expected(cfg, path, "an object", e);
    sim_free(path);
    return item;
}

const char *sim_cfg_string_item(struct sim_cfg *cfg, const char *key, int i)
{
    if (dead(cfg)) return "";
    char *path;
    const cJSON *e = element(cfg, key, i, &path);
    const char *s = "";
    if (cJSON_IsString(e)) s = e->valuestring;
    else if (e) expected(cfg, path, "a string", e);
    sim_free(path);
    return s;
}

double sim_cfg_number_item(struct sim_cfg *cfg, const char *key, int i)
{
    if (dead(cfg)) return 0;
    char *path;
    const cJSON *e = element(cfg, key, i, &path);
    double x = 0;
    if (cJSON_IsNumber(e)) x = e->valuedouble;
    else if (e) expected(cfg, path, "a number", e);
    sim_free(path);
    return x;
}

int sim_cfg_size(struct sim_cfg *cfg)
{
    return cfg ? cfg->nkeys : 0;
}

const char *sim_cfg_key_at(struct sim_cfg *cfg, int i)
{
    if (!cfg || i < 0) return NULL;
    index_members(cfg);
    if (cfg->members) return i < cfg->nkeys ? cfg->members[i]->string : NULL;
    const cJSON *c = cfg->obj->child;
    int k = 0;
    for (; c && k < i; k++) c = c->next;
    if (c && k < cfg->nkeys) cfg->read[k] |= NAMED;
    return c ? c->string : NULL;
}

const char *sim_cfg_path(struct sim_cfg *cfg)
{
    return cfg ? cfg->path : "";
}

/* Reports the first key never read, with a suggestion among the keys asked about. */
static void check_reader(struct sim_cfg *cfg)
{
    if (cfg->checked || cfg->ld->error) return;
    cfg->checked = true;
    int i = 0;
    for (const cJSON *c = cfg->obj->child; c && i < cfg->nkeys; c = c->next, i++) {
        if (cfg->read[i] & READ) continue;
        const char *near =
            sim__closest(c->string, (const char *const *)cfg->asked, cfg->nasked);
        if (near) sim_cfg_error(cfg, c->string, "unknown field (did you mean '%s'?)", near);
        else sim_cfg_error(cfg, c->string, "unknown field");
        return;
    }
}

void sim_cfg_end(struct sim_cfg *cfg)
{
    if (cfg) check_reader(cfg);
}

void sim_cfg_renamed(struct sim_cfg *cfg, const char *old_key, const char *new_key)
{
    if (dead(cfg)) return;
    int i = 0;
    for (const cJSON *c = cfg->obj->child; c; c = c->next, i++) {
        if (strcmp(c->string, old_key) == 0) {
            if (i < cfg->nkeys) cfg->read[i] |= READ;
            sim_cfg_error(cfg, old_key, "'%s' was renamed to '%s'", old_key, new_key);
            return;
        }
    }
}

/* ---- the fields each reader accepts (for the schema) ---- */

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *sim__loader_fields_json(const struct sim_loader *ld)
{
    cJSON *all = cJSON_CreateArray();
    for (size_t r = 0; r < ld->ncfgs; r++) {
        const struct sim_cfg *cfg = ld->cfgs[r];
        cJSON *one = cJSON_CreateObject(), *asked = cJSON_CreateArray(),
              *named = cJSON_CreateArray();
        cJSON_AddStringToObject(one, "path", cfg->path);
        /* The named keys, sorted, so that telling them from fields stays n log n for a
         * map of 10^5 nodes. */
        const char **names = sim_alloc(((size_t)cfg->nkeys + 1) * sizeof *names);
        size_t nnames = 0;
        int i = 0;
        for (const cJSON *c = cfg->obj->child; c && i < cfg->nkeys; c = c->next, i++) {
            if (!(cfg->read[i] & NAMED)) continue;
            cJSON_AddItemToArray(named, cJSON_CreateString(c->string));
            names[nnames++] = c->string;
        }
        qsort(names, nnames, sizeof *names, compare_names);
        for (size_t k = 0; k < cfg->nasked; k++)
            if (!bsearch(&cfg->asked[k], names, nnames, sizeof *names, compare_names))
                cJSON_AddItemToArray(asked, cJSON_CreateString(cfg->asked[k]));
        sim_free(names);
        cJSON_AddItemToObject(one, "asked", asked);
        cJSON_AddItemToObject(one, "named", named);
        cJSON_AddItemToArray(all, one);
    }
    char *text = cJSON_Print(all);
    cJSON_Delete(all);
    if (!text) return NULL;
    char *out = sim_strdup(text);
    cJSON_free(text);
    return out;
}

/* ---- peers, operations, the component ---- */

static void add_peer(struct sim_cfg *cfg, const cJSON *v, const char *key, char *path,
                     struct sim_component **slot, bool sync)
{
    if (!cJSON_IsString(v) || !*v->valuestring) {
        expected(cfg, key, "the name of a node", v);
        sim_free(path);
        return;
    }
    struct sim_loader *ld = cfg->ld;
    ld->peers = grow(ld->peers, &ld->cappeers, ld->npeers + 1, sizeof *ld->peers);
    ld->peers[ld->npeers++] = (struct sim__peer){.from = ld->component, .slot = slot,
                                                 .name = v->valuestring, .path = path,
                                                 .sync = sync};
}

void sim_cfg_peer(struct sim_cfg *cfg, const char *key, struct sim_component **slot, bool sync)
{
    if (dead(cfg)) return;
    add_peer(cfg, lookup(cfg, key), key, join(cfg->path, key), slot, sync);
}

void sim_cfg_peer_item(struct sim_cfg *cfg, const char *key, int i, struct sim_component **slot,
                       bool sync)
{
    if (dead(cfg)) return;
    char *sub;
    const cJSON *e = element(cfg, key, i, &sub);
    if (!e) return;
    add_peer(cfg, e, sub, join(cfg->path, sub), slot, sync);
    sim_free(sub);
}

int sim_cfg_op(struct sim_cfg *cfg, const char *name)
{
    if (dead(cfg) || !name) return 0;
    struct sim_loader *ld = cfg->ld;
    for (int i = 0; i < ld->nops; i++)
        if (strcmp(ld->ops[i], name) == 0) return i;
    if (!*name) {
        sim_cfg_error(cfg, NULL, "expected an operation name, got \"\"");
        return 0;
    }
    if (ld->nops == SIM_MAX_OPS) {
        sim_cfg_error(cfg, NULL, "too many operation names: at most %d, and '%s' is one more",
                      SIM_MAX_OPS, name);
        return 0;
    }
    ld->ops[ld->nops] = sim_strdup(name);
    return ld->nops++;
}

struct sim_component *sim_cfg_component(struct sim_cfg *cfg)
{
    return cfg ? cfg->ld->component : NULL;
}

void sim__loader_set_component(struct sim_loader *ld, struct sim_component *c)
{
    ld->component = c;
}

size_t sim__loader_peers(struct sim_loader *ld, struct sim__peer **out)
{
    *out = ld->peers;
    return ld->npeers;
}

int sim__loader_ops(const struct sim_loader *ld, const char *const **names)
{
    *names = (const char *const *)ld->ops;
    return ld->nops;
}

/* ---- for dist.c and keys.c ---- */

struct sim_loader *sim__cfg_loader(struct sim_cfg *cfg)
{
    return cfg ? cfg->ld : NULL;
}

void sim__loader_own(struct sim_loader *ld, void *p, void (*destroy)(void *))
{
    ld->owned = grow(ld->owned, &ld->capowned, ld->nowned + 1, sizeof *ld->owned);
    ld->owned[ld->nowned++] = (struct owned){p, destroy};
}

static char *memo_id(struct sim_cfg *cfg, const char *key, int tag)
{
    struct sim__text t = {0};
    sim__text_add(&t, "%p %d %s", (void *)cfg, tag, key);
    return t.text;
}

void *sim__cfg_memo(struct sim_cfg *cfg, const char *key, int tag)
{
    if (!cfg) return NULL;
    struct sim_loader *ld = cfg->ld;
    char *id = memo_id(cfg, key, tag);
    uint32_t at = sim__namemap_get(&ld->memo_map, id);
    sim_free(id);
    return at ? ld->memo[at - 1].p : NULL;
}

void sim__cfg_memo_put(struct sim_cfg *cfg, const char *key, int tag, void *p)
{
    struct sim_loader *ld = cfg->ld;
    ld->memo = grow(ld->memo, &ld->capmemo, ld->nmemo + 1, sizeof *ld->memo);
    ld->memo[ld->nmemo] = (struct memo){memo_id(cfg, key, tag), p};
    sim__namemap_put(&ld->memo_map, ld->memo[ld->nmemo].id, (uint32_t)ld->nmemo + 1);
    ld->nmemo++;
}

static void delete_json(void *p)
{
    cJSON_Delete(p);
}

struct sim_cfg *sim__cfg_fallback(struct sim_cfg *cfg, const char *key, const char *json)
{
    if (dead(cfg)) return NULL;
    cJSON *v = cJSON_Parse(json);
    if (!v) {
        sim_cfg_error(cfg, key, "the built-in default %s is not valid JSON", json);
        return NULL;
    }
    cJSON *obj = cJSON_CreateObject();
    if (!obj || !cJSON_AddItemToObject(obj, key, v)) sim__out_of_memory();
    sim__loader_own(cfg->ld, obj, delete_json);
    struct sim_cfg *f = reader_create(cfg->ld, obj, sim_strdup(cfg->path));
    f->checked = true;
    return f;
}

void sim__cfg_expected(struct sim_cfg *cfg, const char *key, const char *what)
{
    if (dead(cfg)) return;
    expected(cfg, key, what, lookup(cfg, key));
}

/* ---- the loader ---- */

cJSON *sim__loader_json(struct sim_loader *ld)
{
    return ld->root;
}

const char *sim__loader_label(const struct sim_loader *ld)
{
    return ld->label;
}

uint64_t sim__loader_hash(const struct sim_loader *ld)
{
    return ld->hash;
}

struct sim_cfg *sim__loader_root(struct sim_loader *ld)
{
    if (!ld->root_cfg) ld->root_cfg = reader_create(ld, ld->root, sim_strdup(""));
    return ld->root_cfg;
}

void sim__loader_check_unread(struct sim_loader *ld)
{
    for (; ld->unchecked < ld->ncfgs; ld->unchecked++) check_reader(ld->cfgs[ld->unchecked]);
}

void sim__loader_destroy(struct sim_loader *ld)
{
    if (!ld) return;
    for (size_t i = ld->nowned; i-- > 0;) ld->owned[i].destroy(ld->owned[i].p);
    sim_free(ld->owned);
    for (size_t i = 0; i < ld->nmemo; i++) sim_free(ld->memo[i].id);
    sim_free(ld->memo);
    sim__namemap_fini(&ld->memo_map);
    for (size_t i = 0; i < ld->narrays; i++) sim_free(ld->array_index[i].items);
    sim_free(ld->array_index);
    if (ld->arrays.slots) sim_keymap_fini(&ld->arrays);
    for (size_t i = 0; i < ld->ncfgs; i++) reader_destroy(ld->cfgs[i]);
    sim_free(ld->cfgs);
    for (size_t i = 0; i < ld->npeers; i++) sim_free((void *)ld->peers[i].path);
    sim_free(ld->peers);
    for (int i = 0; i < ld->nops; i++) sim_free(ld->ops[i]);
    cJSON_Delete(ld->root);
    sim_free(ld->label);
    sim_free(ld->error);
    for (size_t i = 0; i < ld->norigins; i++) {
        sim_free(ld->origins[i].path);
        sim_free(ld->origins[i].flag);
    }
    sim_free(ld->origins);
    sim_free(ld);
}

/* The depth of the deepest [ or { outside strings, checked before cJSON recurses. */
static bool check_depth(struct sim_loader *ld, const char *text, size_t len)
{
    int depth = 0, line = 1;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '\n') line++;
        if (c == '\0') {
            sim__loader_error_at(ld, "", "line %d: unexpected NUL byte", line);
            return false;
        }
        if (in_string) {
            if (c == '\\') i++; /* the escaped character cannot end the string */
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > SIM_MAX_DEPTH) {
                sim__loader_error_at(ld, "", "line %d: nested deeper than %d levels", line,
                                     SIM_MAX_DEPTH);
                return false;
            }
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return true;
}

/* The length of the valid UTF-8 sequence at p (at most n bytes), or 0: no overlong forms,
 * no surrogates, nothing above U+10FFFF. */
static size_t utf8_length(const unsigned char *p, size_t n)
{
    unsigned char b = p[0];
    if (b < 0x80) return 1;
    size_t want = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (!want || want > n) return 0;
    for (size_t i = 1; i < want; i++)
        if ((p[i] & 0xc0) != 0x80) return 0;
    if (b == 0xe0 && p[1] < 0xa0) return 0; /* overlong */
    if (b == 0xed && p[1] > 0x9f) return 0; /* a surrogate */
    if (b == 0xf0 && p[1] < 0x90) return 0; /* overlong */
    if (b == 0xf4 && p[1] > 0x8f) return 0; /* above U+10FFFF */
    return want;
}

/* What cJSON would take silently: bytes that are not UTF-8 (copied into the JSON report,
 * which then does not parse), the escape \u0000 (a key or name cut short: a key would read
 * as missing) and numbers too small for a double (1e-400 would read as 0). where names the
 * text ("" for a --set value, whose errors name the flag) or is NULL for the file, whose
 * errors give line and column. */
static bool check_bytes(struct sim_loader *ld, const char *text, size_t len, const char *where)
{
    int line = 1, column = 1;
    bool in_string = false;
    const char *why = NULL;
    struct sim__text number = {0};
    for (size_t i = 0; i < len && !why;) {
        const unsigned char *p = (const unsigned char *)text + i;
        size_t step = utf8_length(p, len - i);
        if (!step) {
            why = "bytes that are not UTF-8";
        } else if (in_string && p[0] == '\\') {
            if (len - i >= 6 && !memcmp(p, "\\u0000", 6)) why = "a NUL character (\\u0000) in a string";
            step = len - i >= 2 ? 2 : 1;
        } else if (p[0] == '"') {
            in_string = !in_string;
        } else if (!in_string && (p[0] == '-' || (p[0] >= '0' && p[0] <= '9')) &&
                   (i == 0 || !isalnum((unsigned char)text[i - 1]))) {
            step = 1;
            while (step < len - i && strchr("+-.0123456789eE", p[step]) && p[step]) step++;
            number.len = 0;
            sim__text_add(&number, "%.*s", (int)step, (const char *)p);
            errno = 0;
            double d = strtod(number.text, NULL);
            if (errno == ERANGE && fabs(d) < DBL_MIN) why = "a number too small for a double";
        }
        if (why) break;
        if (p[0] == '\n') line++, column = 1;
        else column += p[0] < 0x80 ? (int)step : 1;
        i += step;
    }
    if (why && where)
        sim__loader_error_at(ld, "", "%s%s%s (it would not be read as written)", where,
                             *where ? ": " : "", why);
    else if (why)
        sim__loader_error_at(ld, "", "line %d, column %d: %s (it would not be read as written)",
                             line, column, why);
    sim_free(number.text);
    return !why;
}

/* cJSON reports an error at the end of the text at the last byte: parsing once more with
 * a space appended tells a truncated document from a bad last character. */
static bool error_is_at_end(const char *text, size_t len)
{
    char *more = sim_alloc(len + 2);
    memcpy(more, text, len);
    more[len] = ' ';
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(more, len + 1, &end, false);
    bool at_end = !v && end && end >= more + len;
    cJSON_Delete(v);
    sim_free(more);
    return at_end;
}

static void syntax_error(struct sim_loader *ld, const char *text, size_t len, size_t at)
{
    if (len > 0 && at == len - 1 && error_is_at_end(text, len)) at = len;
    int line = 1, column = 1;
    for (size_t i = 0; i < at && i < len; i++) {
        if (text[i] == '\n') line++, column = 1;
        else if (((unsigned char)text[i] & 0xc0) != 0x80) column++;
    }
    if (at >= len) {
        sim__loader_error_at(ld, "", "line %d, column %d: invalid JSON: unexpected end of file",
                             line, column);
        return;
    }
    char near[32];
    size_t n = 0;
    for (size_t i = at; i < len && n < 20 && text[i] != '\n' && text[i] != '\r'; i++)
        near[n++] = (unsigned char)text[i] < 0x20 ? '?' : text[i];
    /* Cut an incomplete UTF-8 sequence at the end. */
    size_t lead = n;
    while (lead > 0 && ((unsigned char)near[lead - 1] & 0xc0) == 0x80) lead--;
    if (lead > 0 && (unsigned char)near[lead - 1] >= 0xc0) {
        unsigned char b = (unsigned char)near[lead - 1];
        size_t want = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
        if (n - (lead - 1) < want) n = lead - 1;
    }
    near[n] = 0;
    sim__loader_error_at(ld, "", "line %d, column %d: invalid JSON near '%s'", line, column,
                         near);
}

static size_t path_push(struct sim__text *p, const char *key, int index)
{
    size_t old = p->len;
    if (key) sim__text_add(p, "%s%s", p->len ? "." : "", key);
    else sim__text_add(p, "%s%d", p->len ? "." : "", index);
    return old;
}

static const char *path_of(struct sim__text *p)
{
    return p->text ? p->text : "";
}

struct member {
    const cJSON *json;
    size_t index;
};

static int compare_members(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    int c = strcmp(x->json->string, y->json->string);
    if (c) return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The first member (in file order) whose key appeared before it in the object, or NULL. */
static const cJSON *first_duplicate(const cJSON *obj)
{
    size_t n = 0;
    for (const cJSON *c = obj->child; c; c = c->next) n++;
    if (n <= 16) {
        for (const cJSON *c = obj->child; c; c = c->next)
            for (const cJSON *d = obj->child; d != c; d = d->next)
                if (strcmp(c->string, d->string) == 0) return c;
        return NULL;
    }
    /* Sorted by key then position, a repeat follows its first use: O(n log n) for big maps. */
    struct member *m = sim_alloc(n * sizeof *m);
    size_t i = 0;
    for (const cJSON *c = obj->child; c; c = c->next, i++) m[i] = (struct member){c, i};
    qsort(m, n, sizeof *m, compare_members);
    const cJSON *found = NULL;
    size_t found_at = SIZE_MAX;
    for (i = 1; i < n; i++)
        if (strcmp(m[i].json->string, m[i - 1].json->string) == 0 && m[i].index < found_at)
            found = m[i].json, found_at = m[i].index;
    sim_free(m);
    return found;
}

/* Duplicate keys and non-finite numbers anywhere under v. */
static bool validate(struct sim_loader *ld, const cJSON *v, struct sim__text *path)
{
    if (cJSON_IsNumber(v) && !isfinite(v->valuedouble)) {
        sim__loader_error_at(ld, path_of(path),
                             "expected a finite number, got one too large for a double");
        return false;
    }
    if (cJSON_IsObject(v)) {
        const cJSON *dup = first_duplicate(v);
        if (dup) {
            sim__loader_error_at(ld, path_of(path), "duplicate key '%s'", dup->string);
            return false;
        }
    }
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v)) return true;
    int i = 0;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        size_t old = path_push(path, cJSON_IsObject(v) ? c->string : NULL, i);
        bool ok = validate(ld, c, path);
        path->len = old;
        path->text[old] = 0;
        if (!ok) return false;
    }
    return true;
}

static bool validate_tree(struct sim_loader *ld, const cJSON *v, const char *prefix)
{
    struct sim__text path = {0};
    sim__text_add(&path, "%s", prefix);
    bool ok = validate(ld, v, &path);
    sim_free(path.text);
    return ok;
}

struct sim_loader *sim__loader_parse(const char *label, const char *text, size_t len, char *err,
                                     size_t errn)
{
    struct sim_loader *ld = sim_alloc(sizeof *ld);
    ld->label = sim_strdup(label);
    ld->hash = sim__fnv1a(text, len);
    ld->ops[0] = sim_strdup("read");
    ld->ops[1] = sim_strdup("write");
    ld->nops = 2;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) text += 3, len -= 3; /* UTF-8 BOM */
    if (len > SIM_MAX_FILE_BYTES) {
        sim__loader_error_at(ld, "", "the file is %zu bytes, more than the limit of %u (16 MiB)",
                             len, SIM_MAX_FILE_BYTES);
    } else if (check_depth(ld, text, len) && check_bytes(ld, text, len, NULL)) {
        const char *end = NULL;
        ld->root = cJSON_ParseWithLengthOpts(text, len, &end, false);
        /* cJSON accepts trailing text when not NUL-terminated: only whitespace may follow. */
        if (ld->root && end) {
            while (end < text + len && isspace((unsigned char)*end)) end++;
            if (end < text + len) {
                cJSON_Delete(ld->root);
                ld->root = NULL;
            }
        }
        if (!ld->root) {
            syntax_error(ld, text, len, end ? (size_t)(end - text) : 0);
        } else if (!cJSON_IsObject(ld->root)) {
            char shown[64];
            show(ld->root, shown, sizeof shown);
            sim__loader_error_at(ld, "", "expected an object at the top level, got %s", shown);
        } else {
            validate_tree(ld, ld->root, "");
        }
    }
    if (ld->error) {
        copy_out(err, errn, ld->error);
        sim__loader_destroy(ld);
        return NULL;
    }
    return ld;
}

/* "-" is standard input, read once: sweep and limit load the scenario again at every
 * point, and a pipe cannot be read twice. The text lives until the program ends. */
static char *stdin_text;
static size_t stdin_len;

/* Reads at most one byte past the limit: enough to know the input is too large. */
static char *read_stream(FILE *f, size_t *len, bool *failed)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = sim_alloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            if (cap > SIM_MAX_FILE_BYTES + 1) cap = SIM_MAX_FILE_BYTES + 1;
            buf = sim_realloc(buf, cap);
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0 || n > SIM_MAX_FILE_BYTES) break;
    }
    *failed = ferror(f);
    *len = n;
    return buf;
}

const char *sim__input_label(const char *path)
{
    return strcmp(path, "-") ? path : "<stdin>";
}

char *sim__read_input(const char *path, size_t *len, char *err, size_t errn)
{
    char msg[1024];
    const char *label = sim__input_label(path);
    bool failed = false;
    char *buf;
    if (!strcmp(path, "-")) {
        if (!stdin_text) stdin_text = read_stream(stdin, &stdin_len, &failed);
        buf = sim_alloc(stdin_len + 1);
        memcpy(buf, stdin_text, stdin_len);
        *len = stdin_len;
    } else {
        FILE *f = fopen(path, "rb");
        if (!f) {
            snprintf(msg, sizeof msg, "%s: cannot open: %s", label, strerror(errno));
            copy_out(err, errn, msg);
            return NULL;
        }
        buf = read_stream(f, len, &failed);
        fclose(f);
    }
    if (failed) snprintf(msg, sizeof msg, "%s: cannot read: %s", label, strerror(errno));
    else if (*len > SIM_MAX_FILE_BYTES)
        snprintf(msg, sizeof msg, "%s: the file is larger than the limit of %u bytes (16 MiB)",
                 label, SIM_MAX_FILE_BYTES);
    if (failed || *len > SIM_MAX_FILE_BYTES) {
        copy_out(err, errn, msg);
        sim_free(buf);
        return NULL;
    }
    return buf;
}

struct sim_loader *sim__loader_open(const char *path, char *err, size_t errn)
{
    size_t len;
    char *buf = sim__read_input(path, &len, err, errn);
    if (!buf) return NULL;
    struct sim_loader *ld = sim__loader_parse(sim__input_label(path), buf, len, err, errn);
    sim_free(buf);
    return ld;
}

/* ---- --set path=value ---- */

static const char *kind_name(const cJSON *v)
{
    if (cJSON_IsObject(v)) return "an object";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsBool(v)) return "a boolean";
    return "null";
}

static int json_depth(const cJSON *v)
{
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v)) return 0;
    int deepest = 0;
    for (const cJSON *c = v->child; c; c = c->next) {
        int d = json_depth(c);
        if (d > deepest) deepest = d;
    }
    return deepest + 1;
}

/* The array index spelled by seg, or -1. */
static int parse_index(const char *seg)
{
    if (!*seg || strlen(seg) > 9) return -1;
    for (const char *p = seg; *p; p++)
        if (!isdigit((unsigned char)*p)) return -1;
    return atoi(seg);
}

/* The member of container named seg, or NULL with an error naming what is missing. */
static cJSON *step(struct sim_loader *ld, cJSON *cur, const char *where,
                   const char *seg)
{
    const char *owner = *where ? where : "the top level";
    if (cJSON_IsArray(cur)) {
        int i = parse_index(seg), n = cJSON_GetArraySize(cur);
        if (i < 0) {
            sim__loader_error_at(ld, "", "%s is an array: expected an index, got '%s'",
                                 owner, seg);
            return NULL;
        }
        if (i >= n) {
            sim__loader_error_at(ld, "", "%s has %d element%s, no index %d", owner, n,
                                 n == 1 ? "" : "s", i);
            return NULL;
        }
        return cJSON_GetArrayItem(cur, i);
    }
    cJSON *v = cJSON_GetObjectItemCaseSensitive(cur, seg);
    if (v) return v;
    size_t n = 0;
    for (cJSON *c = cur->child; c; c = c->next) n++;
    const char **names = sim_alloc((n + 1) * sizeof *names);
    n = 0;
    for (cJSON *c = cur->child; c; c = c->next) names[n++] = c->string;
    const char *near = sim__closest(seg, names, n);
    if (near)
        sim__loader_error_at(ld, "", "%s has no field '%s' (did you mean '%s'?)", owner, seg,
                             near);
    else sim__loader_error_at(ld, "", "%s has no field '%s'", owner, seg);
    sim_free(names);
    return NULL;
}

static bool set_value(struct sim_loader *ld, const char *path, cJSON *value)
{
    struct sim__text where = {0};
    char *segs = sim_strdup(path);
    cJSON *cur = ld->root;
    int depth = 1;
    bool ok = false;
    char *seg = segs;
    for (;;) {
        char *dot = strchr(seg, '.');
        if (dot) *dot = 0;
        if (!*seg) {
            sim__loader_error_at(ld, "", "expected a dotted path such as nodes.app.instances, "
                                         "with no empty name");
            break;
        }
        if (!dot) { /* the last name: it may be new */
            if (depth + json_depth(value) > SIM_MAX_DEPTH) {
                sim__loader_error_at(ld, "", "nested deeper than %d levels", SIM_MAX_DEPTH);
            } else if (cJSON_IsArray(cur)) {
                if (step(ld, cur, path_of(&where), seg))
                    ok = cJSON_ReplaceItemInArray(cur, parse_index(seg), value);
            } else if (cJSON_GetObjectItemCaseSensitive(cur, seg)) {
                ok = cJSON_ReplaceItemInObjectCaseSensitive(cur, seg, value);
            } else {
                ok = cJSON_AddItemToObject(cur, seg, value);
            }
            break;
        }
        cJSON *next = step(ld, cur, path_of(&where), seg);
        path_push(&where, seg, 0);
        if (!next) break;
        if (!cJSON_IsObject(next) && !cJSON_IsArray(next)) {
            sim__loader_error_at(ld, "", "%s is %s, not an object", where.text, kind_name(next));
            break;
        }
        cur = next;
        depth++;
        seg = dot + 1;
    }
    sim_free(segs);
    sim_free(where.text);
    return ok;
}

/* Whether a --set value's text, when it is all digits, is held exactly by the double. */
static bool exact_number_text(const char *text, double d)
{
    for (const char *p = text; *p; p++)
        if (*p < '0' || *p > '9') return true; /* a fraction or an exponent: a double anyway */
    return d < 9007199254740992.0;
}

bool sim__loader_set(struct sim_loader *ld, const char *assignment, char *err, size_t errn)
{
    return sim__loader_set_as(ld, assignment, NULL, err, errn);
}

/* The flag as the user typed it, for messages: a long value is cut, and a byte that is not
 * UTF-8 or is a control character is shown as \xNN, not sent to the terminal. */
static char *flag_label(const char *flag, const char *assignment)
{
    struct sim__text t = {0};
    const char *text = flag ? flag : assignment;
    size_t n = strlen(text), shown = n > 80 ? 77 : n;
    if (!flag) sim__text_add(&t, "--set ");
    for (size_t i = 0; i < shown;) {
        const unsigned char *p = (const unsigned char *)text + i;
        size_t step = utf8_length(p, n - i);
        if (!step || p[0] < 0x20 || p[0] == 0x7f) sim__text_add(&t, "\\x%02x", p[0]);
        else sim__text_add(&t, "%.*s", (int)step, (const char *)p);
        i += step ? step : 1;
    }
    if (shown < n) sim__text_add(&t, "...");
    return t.text;
}

bool sim__loader_set_as(struct sim_loader *ld, const char *assignment, const char *flag, char *err,
                        size_t errn)
{
    const char *eq = strchr(assignment, '=');
    if (ld->error) {
        copy_out(err, errn, ld->error);
        return false;
    }
    char *label = flag_label(flag, assignment);
    ld->applying = label;
    bool ok = eq && eq != assignment;
    if (!ok) sim__loader_error_at(ld, "", "expected PATH=VALUE, such as nodes.app.instances=6");
    char *path = sim_strdup(assignment);
    if (ok) path[eq - assignment] = 0;
    const char *text = ok ? eq + 1 : "", *end = NULL;
    cJSON *value = NULL;
    if (ok && check_bytes(ld, text, strlen(text), "")) {
        value = cJSON_ParseWithLengthOpts(text, strlen(text) + 1, &end, true);
        if (!value) value = cJSON_CreateString(text); /* 5ms, lru: plain words are strings */
        if (value && cJSON_IsNumber(value) && !exact_number_text(text, value->valuedouble)) {
            /* an integer a double cannot hold (a 64-bit seed): keep every digit as a string */
            cJSON_Delete(value);
            value = cJSON_CreateString(text);
        }
        if (!value) sim__out_of_memory();
        ok = validate_tree(ld, value, path) && set_value(ld, path, value);
        if (!ok && !ld->error) sim__loader_error_at(ld, "", "could not be applied");
        if (!ok) cJSON_Delete(value);
    }
    ok = ok && value;
    ld->applying = NULL;
    if (ok) sim__loader_origin(ld, path, label);
    sim_free(path);
    sim_free(label);
    if (!ok) copy_out(err, errn, ld->error);
    return ok;
}
