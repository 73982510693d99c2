/* report_json.c: the JSON report, written straight into one text in the layout cJSON_Print
 * gives (tabs, "key":<tab>value, ", " in arrays), byte for byte. The few small parts are
 * cJSON items printed by cJSON; the figures (25 a node, millions at 10^5 nodes) go through
 * a compact tree of their dotted paths instead of a cJSON tree of them. */
#include <math.h>
#include <sys/resource.h>

#include "run.h"

/* The text being written and how deep the open objects and arrays are. */
struct writer {
    struct sim__text out;
    int depth;
    cJSON *number; /* formats what the quick path does not */
};

static void put(struct writer *w, const char *s, size_t n)
{
    sim__text_put(&w->out, s, n);
}

static void tabs(struct writer *w, int n)
{
    static const char many[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
    for (; n > 16; n -= 16) put(w, many, 16);
    put(w, many, (size_t)n);
}

/* cJSON_Print's text of a (small) item as a value at the writer's depth: each line
 * it starts goes depth tabs further in (a newline inside a string is escaped). */
static void put_item(struct writer *w, const cJSON *item)
{
    char *text = cJSON_Print(item);
    if (!text) sim__out_of_memory();
    const char *s = text;
    for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1) {
        put(w, s, (size_t)(nl - s + 1));
        tabs(w, w->depth);
    }
    put(w, s, strlen(s));
    cJSON_free(text);
}

/* A member's key: the first of its object goes on the line after the brace. */
static void key(struct writer *w, bool first, const char *k, size_t len)
{
    put(w, first ? "\n" : ",\n", first ? 1 : 2);
    tabs(w, w->depth);
    bool plain = true;
    for (size_t i = 0; i < len && plain; i++)
        plain = (unsigned char)k[i] > 31 && k[i] != '"' && k[i] != '\\';
    if (plain) {
        put(w, "\"", 1);
        put(w, k, len);
        put(w, "\"", 1);
    } else { /* cJSON's escapes */
        char *copy = sim_alloc(len + 1);
        memcpy(copy, k, len);
        copy[len] = 0;
        cJSON *s = cJSON_CreateString(copy);
        if (!s) sim__out_of_memory();
        put_item(w, s);
        cJSON_Delete(s);
        sim_free(copy);
    }
    put(w, ":\t", 2);
}

static void open_object(struct writer *w)
{
    put(w, "{", 1);
    w->depth++;
}

static void close_object(struct writer *w)
{
    put(w, "\n", 1);
    tabs(w, --w->depth);
    put(w, "}", 1);
}

/* As cJSON prints a number: null when not finite, else the shortest of %1.15g and
 * %1.17g that reads back. Whole numbers below 10^15, most figures, are their digits. */
static void number(struct writer *w, double v)
{
    char buf[32];
    if (isfinite(v) && fabs(v) < 1e15 && v == (double)(long long)v && !(v == 0 && signbit(v))) {
        int n = snprintf(buf, sizeof buf, "%lld", (long long)v);
        put(w, buf, (size_t)n);
        return;
    }
    if (!isfinite(v)) {
        put(w, "null", 4);
        return;
    }
    cJSON_SetNumberValue(w->number, v);
    if (!cJSON_PrintPreallocated(w->number, buf, sizeof buf, 0)) sim__out_of_memory();
    put(w, buf, strlen(buf));
}

/* An array of n figures, as cJSON prints one: "[a, b]". */
static void numbers(struct writer *w, const double *v, int n)
{
    put(w, "[", 1);
    for (int i = 0; i < n; i++) {
        if (i) put(w, ", ", 2);
        number(w, v[i]);
    }
    put(w, "]", 1);
}

/* The figures' dotted paths as a tree: node 0 is the object they go in; an object is
 * found by its path through map, and the last one found is kept, since a node's figures
 * come one after another. A leaf and an object may share a name, as in the cJSON tree
 * this replaces, whose objects alone were indexed. */
struct path_node {
    const char *key; /* into a figure's path */
    uint32_t len;
    int32_t metric;  /* the figure at a leaf; -1 for an object */
    uint32_t parent, child, last, next; /* 0: none (the root is nobody's child) */
};

struct path_tree {
    struct path_node *nodes;
    size_t n, cap;
    struct sim__namemap map; /* object path -> node */
    char **paths;            /* the map's keys, owned */
    size_t npaths;
    char *scratch;
    size_t scratch_cap;
    const char *last_path; /* the last object found: its path, length and node */
    size_t last_len;
    uint32_t last_node;
};

static uint32_t node_add(struct path_tree *t, uint32_t parent, const char *k, size_t len,
                         int32_t metric)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->nodes = sim_realloc(t->nodes, t->cap * sizeof *t->nodes);
    }
    uint32_t at = (uint32_t)t->n++;
    t->nodes[at] = (struct path_node){k, (uint32_t)len, metric, parent, 0, 0, 0};
    struct path_node *p = &t->nodes[parent];
    if (p->last) t->nodes[p->last].next = at;
    else p->child = at;
    p->last = at;
    return at;
}

/* The object at path[0..len), created with its parents as needed (depth: the dots). */
static uint32_t object_at(struct path_tree *t, const char *path, size_t len)
{
    if (!len) return 0;
    if (len == t->last_len && !memcmp(path, t->last_path, len)) return t->last_node;
    if (len + 1 > t->scratch_cap) {
        t->scratch_cap = 2 * (len + 1);
        t->scratch = sim_realloc(t->scratch, t->scratch_cap);
    }
    memcpy(t->scratch, path, len);
    t->scratch[len] = 0;
    uint32_t at = sim__namemap_get(&t->map, t->scratch);
    if (!at) {
        size_t up = len;
        while (up > 0 && path[up - 1] != '.') up--;
        uint32_t parent = object_at(t, path, up ? up - 1 : 0);
        at = node_add(t, parent, path + up, len - up, -1);
        char *own = sim_alloc(len + 1);
        memcpy(own, path, len);
        own[len] = 0;
        if ((t->npaths & (t->npaths - 1)) == 0) /* 0, 1, 2, 4...: double when full */
            t->paths = sim_realloc(t->paths, (t->npaths ? 2 * t->npaths : 1) * sizeof *t->paths);
        t->paths[t->npaths++] = own;
        sim__namemap_put(&t->map, own, at);
    }
    t->last_path = path;
    t->last_len = len;
    t->last_node = at;
    return at;
}

static void path_tree_add(struct path_tree *t, const char *path, int32_t metric)
{
    const char *leaf = strrchr(path, '.');
    uint32_t parent = object_at(t, path, leaf ? (size_t)(leaf - path) : 0);
    const char *k = leaf ? leaf + 1 : path;
    node_add(t, parent, k, strlen(k), metric);
}

static void path_tree_init(struct path_tree *t)
{
    *t = (struct path_tree){0};
    t->nodes = sim_alloc(64 * sizeof *t->nodes);
    t->cap = 64;
    t->nodes[t->n++] = (struct path_node){"", 0, -1, 0, 0, 0, 0};
}

static void path_tree_fini(struct path_tree *t)
{
    for (size_t i = 0; i < t->npaths; i++) sim_free(t->paths[i]);
    sim_free(t->paths);
    sim_free(t->nodes);
    sim_free(t->scratch);
    sim__namemap_fini(&t->map);
}

enum leaf_value { LEAF_MEAN, LEAF_INTERVAL, LEAF_REPLICATIONS };

static void leaf(struct writer *w, const struct sim__results *res, int32_t i, enum leaf_value what)
{
    const struct sim__metric *m = &res->metrics[i];
    if (what == LEAF_MEAN) {
        number(w, m->ci.mean);
    } else if (what == LEAF_INTERVAL) {
        double pair[2] = {m->ci.low, m->ci.high};
        numbers(w, pair, 2);
    } else {
        numbers(w, m->values, res->replications);
    }
}

/* Writes the tree's members into the object open at the writer (first: it has none yet),
 * depth first without recursion. */
static void path_tree_write(struct writer *w, const struct path_tree *t, bool first,
                            const struct sim__results *res, enum leaf_value what)
{
    const struct path_node *n = t->nodes;
    uint32_t at = n[0].child;
    while (at) {
        key(w, first, n[at].key, n[at].len);
        first = false;
        if (n[at].metric >= 0) {
            leaf(w, res, n[at].metric, what);
        } else {
            open_object(w);
            if (n[at].child) {
                at = n[at].child;
                first = true;
                continue;
            }
            close_object(w);
        }
        while (!n[at].next && n[at].parent) {
            at = n[at].parent;
            close_object(w);
        }
        at = n[at].next;
    }
}

/* The members of a small cJSON object, written into the one open at the writer. */
static void members(struct writer *w, const cJSON *obj, bool *first)
{
    for (const cJSON *c = obj->child; c; c = c->next) {
        key(w, *first, c->string, strlen(c->string));
        *first = false;
        put_item(w, c);
    }
}

static cJSON *json_number(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

/* reproducibility, scenario, performance and unstable: the members before the figures. */
static cJSON *head(const struct sim_loader *ld, const struct sim__scenario *sc,
                   const struct sim__results *res, bool timing)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *repro = cJSON_AddObjectToObject(root, "reproducibility");
    char hash[32];
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)sim__loader_hash(ld));
    cJSON_AddStringToObject(repro, "archsim", SIM_VERSION);
    cJSON_AddStringToObject(repro, "scenario_hash", hash);
    sim__json_add_u64(repro, "seed", sc->seed); /* every digit, not a double */
    cJSON_AddStringToObject(repro, "generator", sim__rng_generator_name());
    cJSON_AddNumberToObject(repro, "events", (double)res->events);
    cJSON *scen = cJSON_AddObjectToObject(root, "scenario");
    cJSON_AddStringToObject(scen, "name", sc->name);
    cJSON_AddNumberToObject(scen, "duration", (double)sc->duration / SIM_S);
    cJSON_AddNumberToObject(scen, "warmup", (double)sc->warmup / SIM_S);
    cJSON_AddNumberToObject(scen, "replications", res->replications);
    if (res->precision.target > 0) {
        const struct sim__precision *p = &res->precision;
        cJSON *prec = cJSON_AddObjectToObject(scen, "precision");
        cJSON_AddNumberToObject(prec, "target", p->target);
        cJSON_AddNumberToObject(prec, "max_replications", p->cap);
        cJSON_AddBoolToObject(prec, "met", p->met);
        if (p->decided_by) cJSON_AddStringToObject(prec, "decided_by", p->decided_by);
        cJSON_AddItemToObject(prec, "achieved", json_number(p->achieved));
    }
    if (timing) {
        cJSON *perf = cJSON_AddObjectToObject(root, "performance");
        cJSON_AddNumberToObject(perf, "wall_seconds", res->wall_seconds);
        double wall = res->wall_seconds > 0 ? res->wall_seconds : 1e-9, requests = 0;
        const struct sim__metric *fin = sim__results_find(res, "requests.finished");
        for (int r = 0; fin && r < res->replications; r++) requests += fin->values[r];
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        cJSON_AddNumberToObject(perf, "events_per_second", (double)res->events / wall);
        cJSON_AddNumberToObject(perf, "requests_per_second", requests / wall);
        cJSON_AddNumberToObject(perf, "peak_rss_bytes", (double)ru.ru_maxrss * 1024);
    }
    if (res->unstable.on) {
        const struct sim__unstable *u = &res->unstable;
        cJSON *j = cJSON_AddObjectToObject(root, "unstable");
        cJSON_AddStringToObject(j, "message", u->message);
        if (u->node) cJSON_AddStringToObject(j, "node", u->node);
        cJSON_AddNumberToObject(j, "offered", u->offered);
        cJSON_AddItemToObject(j, "capacity", u->capacity > 0 ? cJSON_CreateNumber(u->capacity) : cJSON_CreateNull());
        cJSON_AddNumberToObject(j, "waiting", (double)u->waiting);
        cJSON_AddNumberToObject(j, "at", u->at);
        cJSON_AddNumberToObject(j, "replication", u->replication);
        cJSON_AddNumberToObject(j, "memory_held", u->held);
        cJSON_AddNumberToObject(j, "max_memory", u->budget);
    }
    return root;
}

/* The expectations' verdicts, after the figures (NULL when there are none). */
static cJSON *tail(const struct sim__scenario *sc, const struct sim__verdict *verdicts)
{
    if (!sc->nexpect) return NULL;
    cJSON *root = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(root, "expect");
    static const char *const ops[] = {"below", "above", "at_most", "at_least", "between"};
    for (int i = 0; i < sc->nexpect; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "metric", verdicts[i].e->metric);
        cJSON_AddStringToObject(e, "op", ops[verdicts[i].e->op]);
        cJSON_AddItemToObject(e, "limit", json_number(verdicts[i].e->a));
        if (verdicts[i].e->op == EXPECT_BETWEEN)
            cJSON_AddItemToObject(e, "upper", json_number(verdicts[i].e->b));
        cJSON_AddItemToObject(e, "value", json_number(verdicts[i].value));
        cJSON_AddBoolToObject(e, "pass", verdicts[i].pass);
        cJSON_AddItemToArray(list, e);
    }
    return root;
}

char *sim__report_json(const struct sim_loader *ld, const struct sim__scenario *sc,
                       const struct sim__results *res, const struct sim__verdict *verdicts,
                       bool timing)
{
    struct writer w = {.number = cJSON_CreateNumber(0)};
    if (!w.number) sim__out_of_memory();
    bool first = true;
    open_object(&w);
    cJSON *before = head(ld, sc, res, timing);
    members(&w, before, &first);
    cJSON_Delete(before);

    struct path_tree figures;
    path_tree_init(&figures);
    for (size_t i = 0; i < res->n; i++) path_tree_add(&figures, res->metrics[i].path, (int32_t)i);
    path_tree_write(&w, &figures, first, res, LEAF_MEAN);
    first = first && !figures.nodes[0].child;
    if (res->replications > 1) {
        key(&w, first, "ci95", 4);
        open_object(&w);
        path_tree_write(&w, &figures, true, res, LEAF_INTERVAL);
        close_object(&w);
        /* Each replication of the figures --baseline checks by default, so a later run
         * with the same seed can pair with them (sim__baseline_check). */
        struct path_tree chosen;
        path_tree_init(&chosen);
        for (size_t i = 0; i < res->n; i++) {
            const struct sim__metric *m = &res->metrics[i];
            bool expected = false;
            for (int e = 0; e < sc->nexpect && !expected; e++)
                expected = !strcmp(sc->expect[e].metric, m->path);
            if (expected || sim__headline_figure(m->path)) path_tree_add(&chosen, m->path, (int32_t)i);
        }
        key(&w, false, "replication_values", 18);
        open_object(&w);
        path_tree_write(&w, &chosen, true, res, LEAF_REPLICATIONS);
        close_object(&w);
        path_tree_fini(&chosen);
        first = false;
    }
    path_tree_fini(&figures);
    cJSON *after = tail(sc, verdicts);
    if (after) members(&w, after, &first);
    cJSON_Delete(after);
    close_object(&w);
    put(&w, "\n", 1);
    cJSON_Delete(w.number);
    return w.out.text;
}
