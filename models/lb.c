/* lb.c: a load balancer. Each call takes a worker of the lb's own pool for its processing
 * cost (layer 4 or 7, plus TLS), waiting in a FIFO queue when every worker is busy, then is
 * forwarded to one backend chosen by the algorithm; the answer goes back unchanged. A
 * listed service with several instances is expanded into one backend per instance. Per
 * call: O(1), or O(log N) for the heap-based algorithms and the hash ring; no allocation
 * once the job pool and the queue have grown to their working size. With zone affinity a
 * call goes to the backends in its caller's zone when there are any: each zone's backends
 * are a group with its own round-robin turn, heap and ring.
 * Health checks (active probes) and outlier ejection (passive, from real answers) take
 * backends out of rotation and back: every group then chooses among its members in
 * rotation only, rebuilt in O(N) on each change (rare), never per call. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

enum algorithm { ROUND_ROBIN, WEIGHTED_ROUND_ROBIN, RANDOM, LEAST_CONN, POWER_OF_TWO,
                 LEAST_LATENCY, KEY_HASH, CONSISTENT_HASH };
static const char *const algorithm_names[] = {"round_robin", "weighted_round_robin", "random",
                                              "least_conn", "power_of_two", "least_latency",
                                              "key_hash", "consistent_hash", NULL};
static const char *const mode_names[] = {"l4", "l7", NULL};
enum check_kind { CHECK_TCP, CHECK_HTTP, CHECK_DEEP };
static const char *const check_kind_names[] = {"tcp", "http", "deep", NULL};

#define UNLIMITED (-1)
#define MAX_BACKENDS (INT32_MAX / 4) /* the backend count stays an int */

/* One backend: a single-instance node, or one instance of a multi-instance node. */
struct backend {
    struct sim_component *node;
    int instance;      /* call->instance to send, -1 for a single-instance node */
    int64_t weight;    /* weighted_round_robin */
    int64_t in_flight; /* calls forwarded by this lb and not yet answered */
    uint64_t picks;    /* weighted_round_robin: picks so far */
    double ewma;       /* least_latency: response time, seconds; 0 until sampled */
    bool sampled;
    int zone;          /* SIM_NO_ZONE when placed nowhere */
    char name[80];     /* "app" or "app-2" */
    /* Out of rotation when removed by health checks or ejected (zero: in rotation). */
    bool removed, ejected;
    int fails, passes;  /* consecutive probe results */
    int bad;            /* consecutive bad answers, for outlier ejection */
    struct sim_call *probe;         /* a deep probe awaiting its answer, or NULL */
    struct sim_event *probe_timer;  /* when an awaited probe fails by its timeout, or NULL */
    sim_time fault_seen; /* start of the last fault credited in time_to_removal; -1: none */
    struct sim_level level, up; /* in flight; 1 while in rotation */
    uint64_t requests, errors, requests_while_failed;
    uint64_t removals, ejections, removed_in_fault;
    double response_sum; /* seconds, over answered calls */
    double removal_delay_sum; /* seconds from a fault's start to the removal, summed */
    uint64_t answered;
};

/* "health_check": active probes of every backend. */
struct health_check {
    bool on;
    enum check_kind kind;
    sim_time interval, timeout;
    int unhealthy_after, healthy_after;
    int op; /* deep: the operation called */
};

/* "outlier_ejection": passive, from the answers to real calls. */
struct outlier_ejection {
    bool on;
    int consecutive_errors;
    sim_time latency_above; /* 0: slowness is not judged */
    sim_time eject_for;
    double max_ejected;
    int max_out; /* floor(max_ejected x N), fixed at start */
};

/* A call in the lb, from the lb's pool: owned by the lb from receive() to its answer. */
struct job {
    struct sim_call *in;
    sim_time arrived, sent;
    int backend;
};

/* Backends the algorithm chooses among: all of them (group 0), or one zone's. The members
 * are the group's backends in rotation (all of them for group 0 failing open). */
struct group {
    int *all, nall; /* every backend of the group, ascending */
    int *member;    /* those in rotation, ascending */
    int n, next;
    int *heap, *pos; /* indexed min-heap of members: weighted rr, least_conn, least_latency;
                        pos by backend index (in heap, else in member), -1 for a non-member */
    struct sim_ring all_ring, ring; /* consistent_hash: every backend's points; the members' */
};

/* Owned by the engine (allocated by model size); every array is the lb's own. */
struct lb {
    struct sim_component base;
    enum algorithm algorithm;
    bool l7;
    struct sim_component **listed; /* the backends as listed, resolved by name */
    int64_t *listed_weight;
    int nlisted;
    struct sim_dist *processing_time, *tls_time;
    bool costs; /* some processing cost: calls take a worker */
    int64_t workers, queue_limit, max_connections; /* UNLIMITED or a bound */
    double alpha;
    int virtual_nodes;
    bool zone_affinity;
    struct health_check hc;
    struct outlier_ejection oe;
    bool fail_open; /* no backend in rotation: send to any (true) or answer unavailable */
    /* built at start() */
    struct backend *b;
    int n;
    struct group *groups; /* 0: every backend; 1 + z: zone z's, with zone_affinity */
    int ngroups;
    struct sim_fifo queue; /* of struct job */
    int64_t busy, connections;
    struct sim_pool jobs;
    struct sim_rng *pick_rng, *cost_rng, *health_rng;
    const struct sim_keys *probe_keys; /* deep probes draw the workload's keys; NULL: key 0 */
    int in_rotation, nejected;
    /* measurement */
    struct sim_level busy_level, queued, conn_level, ejected_level;
    uint64_t arrivals, forwarded, ok, rejected_conn, rejected_queue, started;
    uint64_t no_backend, probes, probes_failed;
    uint64_t in_zone, zone_fallbacks; /* zone_affinity: forwarded in the caller's zone, or not */
    uint64_t errors[SIM_STATUS_COUNT];
    double wait_sum;
    struct sim_hist latency;
};

/* ---- configuration ---- */

/* Whether name is "<other>-<digits>" for another listed node, which its instances' report
 * paths would collide with. */
static bool looks_like_instance(const char *name, const char *other)
{
    size_t n = strlen(other);
    if (strncmp(name, other, n) != 0 || name[n] != '-' || !name[n + 1]) return false;
    for (const char *p = name + n + 1; *p; p++)
        if (*p < '0' || *p > '9') return false;
    return true;
}

static uint64_t hash_text(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return sim_hash64(h) | 1; /* never 0 */
}

/* The length of name without a trailing "-<digits>", or 0 when it has none. */
static size_t stem_len(const char *name)
{
    size_t n = strlen(name), d = n;
    while (d > 0 && name[d - 1] >= '0' && name[d - 1] <= '9') d--;
    return d < n && d > 1 && name[d - 1] == '-' ? d - 1 : 0;
}

/* The first earlier backend (index < i) that is name itself, or name's stem ("x" for
 * "x-2"), or has name as its stem; -1 when none. names maps a backend's name to its first
 * index + 1, stems a stem to the first backend with it, both by a 64-bit hash of the text
 * confirmed with the text itself: O(1) per backend, where comparing every pair was
 * O(n^2) for 10^4 backends. Adds name to both. */
static int earlier_clash(struct sim_cfg *cfg, struct sim_keymap *names, struct sim_keymap *stems,
                         const char *name, int i)
{
    int best = -1;
    uint64_t h = hash_text(name, strlen(name));
    size_t stem = stem_len(name);
    uint32_t k = sim_keymap_get(names, h);
    if (k && !strcmp(sim_cfg_string_item(cfg, "backends", (int)k - 1), name)) best = (int)k - 1;
    if (stem) {
        k = sim_keymap_get(names, hash_text(name, stem));
        const char *other = k ? sim_cfg_string_item(cfg, "backends", (int)k - 1) : "";
        if (k && strlen(other) == stem && !strncmp(other, name, stem) && (best < 0 || (int)k - 1 < best))
            best = (int)k - 1;
    }
    k = sim_keymap_get(stems, h);
    if (k) {
        const char *other = sim_cfg_string_item(cfg, "backends", (int)k - 1);
        if (looks_like_instance(other, name) && (best < 0 || (int)k - 1 < best)) best = (int)k - 1;
    }
    if (!sim_keymap_get(names, h)) sim_keymap_put(names, h, (uint32_t)i + 1);
    if (stem && !sim_keymap_get(stems, hash_text(name, stem)))
        sim_keymap_put(stems, hash_text(name, stem), (uint32_t)i + 1);
    return best;
}

static int64_t read_limit(struct sim_cfg *cfg, const char *key, int64_t min)
{
    if (sim_cfg_type(cfg, key) == SIM_CFG_STRING) {
        static const char *const unlimited[] = {"unlimited", NULL};
        sim_cfg_choice(cfg, key, -1, unlimited);
        return UNLIMITED;
    }
    return sim_cfg_int(cfg, key, UNLIMITED, min, INT32_MAX);
}

/* "health_check", "outlier_ejection" and "fail_open". */
static void read_health(struct lb *lb, struct sim_cfg *cfg)
{
    struct sim_cfg *h = sim_cfg_object(cfg, "health_check", false);
    if (h) {
        struct health_check *hc = &lb->hc;
        hc->on = true;
        hc->interval = sim_cfg_duration(h, "interval", 2 * SIM_S, SIM_US, SIM_MAX_DURATION);
        hc->timeout = sim_cfg_duration(h, "timeout", hc->interval, SIM_US, SIM_MAX_DURATION);
        if (hc->timeout > hc->interval && !sim_cfg_failed(h))
            sim_cfg_error(h, "timeout", "expected at most the interval (%gs): a probe is "
                                        "answered or failed before the next one, got \"%s\"",
                          (double)hc->interval / SIM_S, sim_cfg_string(h, "timeout", NULL));
        hc->unhealthy_after = (int)sim_cfg_int(h, "unhealthy_after", 3, 1, 1000);
        hc->healthy_after = (int)sim_cfg_int(h, "healthy_after", 2, 1, 1000);
        hc->kind = (enum check_kind)sim_cfg_choice(h, "kind", CHECK_TCP, check_kind_names);
        if (hc->kind == CHECK_DEEP)
            hc->op = sim_cfg_op(h, sim_cfg_string(h, "op", "read"));
        else if (sim_cfg_has(h, "op"))
            sim_cfg_error(h, "op", "only with \"kind\": \"deep\" (a %s check calls no "
                                   "operation)", check_kind_names[hc->kind]);
    }
    struct sim_cfg *o = sim_cfg_object(cfg, "outlier_ejection", false);
    if (o) {
        struct outlier_ejection *oe = &lb->oe;
        oe->on = true;
        oe->consecutive_errors = (int)sim_cfg_int(o, "consecutive_errors", 5, 1, 1000000);
        oe->latency_above = sim_cfg_duration(o, "latency_above", 0, SIM_NS, SIM_MAX_DURATION);
        oe->eject_for = sim_cfg_duration(o, "eject_for", 30 * SIM_S, SIM_NS, SIM_MAX_DURATION);
        oe->max_ejected = sim_cfg_number(o, "max_ejected", 0.5, 1e-6, 1);
    }
    if (lb->hc.on || lb->oe.on) lb->fail_open = sim_cfg_bool(cfg, "fail_open", false);
    else if (sim_cfg_has(cfg, "fail_open"))
        sim_cfg_error(cfg, "fail_open", "only with health_check or outlier_ejection (nothing "
                                        "else takes a backend out of rotation)");
    if (lb->hc.on || lb->oe.on) lb->health_rng = sim_rng(&lb->base, "health");
}

static void configure(struct sim_component *self, struct sim_cfg *cfg)
{
    struct lb *lb = (struct lb *)self;
    if (sim_cfg_type(cfg, "algorithm") == SIM_CFG_STRING) {
        const char *a = sim_cfg_string(cfg, "algorithm", NULL);
        if (!strcmp(a, "ip_hash"))
            sim_cfg_error(cfg, "algorithm", "calls carry no client address: use \"key_hash\" "
                                            "(the workload's key stands for the client)");
    }
    lb->algorithm = (enum algorithm)sim_cfg_choice(cfg, "algorithm", ROUND_ROBIN, algorithm_names);

    lb->nlisted = sim_cfg_array(cfg, "backends");
    if (!sim_cfg_has(cfg, "backends")) sim_cfg_error(cfg, "backends", "required: the nodes to "
                                                                      "forward to");
    else if (!sim_cfg_failed(cfg) && lb->nlisted == 0)
        sim_cfg_error(cfg, "backends", "expected at least one node name");
    lb->listed = sim_alloc((size_t)(lb->nlisted ? lb->nlisted : 1) * sizeof *lb->listed);
    lb->listed_weight = sim_alloc((size_t)(lb->nlisted ? lb->nlisted : 1) * sizeof *lb->listed_weight);
    struct sim_keymap names, stems; /* see earlier_clash */
    sim_keymap_init(&names, (size_t)lb->nlisted);
    sim_keymap_init(&stems, (size_t)lb->nlisted);
    for (int i = 0; i < lb->nlisted; i++) {
        char key[32];
        snprintf(key, sizeof key, "backends.%d", i);
        sim_cfg_peer_item(cfg, "backends", i, &lb->listed[i], true);
        if (sim_cfg_item_type(cfg, "backends", i) != SIM_CFG_STRING) continue;
        const char *name = sim_cfg_string_item(cfg, "backends", i);
        int k = earlier_clash(cfg, &names, &stems, name, i);
        if (k >= 0) {
            const char *other = sim_cfg_string_item(cfg, "backends", k);
            if (!strcmp(name, other))
                sim_cfg_error(cfg, key, "'%s' is listed twice (give it a weight instead)", name);
            else
                sim_cfg_error(cfg, key, "'%s' and '%s' would share report paths (instance k of "
                                        "'x' is reported as 'x-k'): rename one", other, name);
        }
        lb->listed_weight[i] = 1;
    }
    sim_keymap_fini(&names);
    sim_keymap_fini(&stems);

    enum algorithm a = lb->algorithm;
    const char *aname = algorithm_names[a];
    if (a == WEIGHTED_ROUND_ROBIN) {
        int nw = sim_cfg_array(cfg, "weights");
        if (!sim_cfg_has(cfg, "weights"))
            sim_cfg_error(cfg, "weights", "required with weighted_round_robin: one positive "
                                          "integer per listed backend");
        else if (!sim_cfg_failed(cfg) && nw != lb->nlisted)
            sim_cfg_error(cfg, "weights", "expected %d weights, one per listed backend, got %d",
                          lb->nlisted, nw);
        for (int i = 0; i < nw && i < lb->nlisted && !sim_cfg_failed(cfg); i++) {
            char key[32];
            snprintf(key, sizeof key, "weights.%d", i);
            double w = sim_cfg_number_item(cfg, "weights", i);
            if (sim_cfg_failed(cfg)) break;
            if (!(w >= 1 && w <= 1000000 && w == floor(w)))
                sim_cfg_error(cfg, key, "expected an integer from 1 to 1000000, got %g", w);
            else lb->listed_weight[i] = (int64_t)w;
        }
    } else if (sim_cfg_has(cfg, "weights")) {
        sim_cfg_error(cfg, "weights", "only with \"algorithm\": \"weighted_round_robin\", not '%s'",
                      aname);
    }
    if (a == LEAST_LATENCY) lb->alpha = sim_cfg_number(cfg, "ewma_alpha", 0.1, 1e-6, 1);
    else if (sim_cfg_has(cfg, "ewma_alpha"))
        sim_cfg_error(cfg, "ewma_alpha", "only with \"algorithm\": \"least_latency\", not '%s'", aname);
    if (a == CONSISTENT_HASH) lb->virtual_nodes = (int)sim_cfg_int(cfg, "virtual_nodes", 100, 1, 10000);
    else if (sim_cfg_has(cfg, "virtual_nodes"))
        sim_cfg_error(cfg, "virtual_nodes", "only with \"algorithm\": \"consistent_hash\", not '%s'",
                      aname);

    lb->l7 = sim_cfg_choice(cfg, "mode", 0, mode_names) == 1;
    /* Layer 7 parses every request: its cost must be stated, never assumed. */
    lb->processing_time = sim_cfg_dist(cfg, "processing_time", SIM_QTY_DURATION,
                                       lb->l7 ? NULL : "\"0s\"");
    lb->tls_time = sim_cfg_dist(cfg, "tls_time", SIM_QTY_DURATION, "\"0s\"");
    lb->workers = read_limit(cfg, "workers", 1);
    lb->queue_limit = read_limit(cfg, "queue", 0);
    lb->max_connections = read_limit(cfg, "max_connections", 1);
    if (lb->processing_time && lb->tls_time)
        lb->costs = !sim_dist_is_zero(lb->processing_time) || !sim_dist_is_zero(lb->tls_time);
    if (!lb->costs && !sim_cfg_failed(cfg)) {
        if (sim_cfg_has(cfg, "workers"))
            sim_cfg_error(cfg, "workers", "the lb has no processing cost, so no worker is ever "
                                          "held: set processing_time or tls_time, or use "
                                          "max_connections");
        else if (sim_cfg_has(cfg, "queue"))
            sim_cfg_error(cfg, "queue", "the lb has no processing cost, so nothing ever waits: "
                                        "set processing_time or tls_time");
    }
    if (lb->workers == UNLIMITED && lb->queue_limit != UNLIMITED && !sim_cfg_failed(cfg))
        sim_cfg_error(cfg, "queue", "only with a bounded \"workers\" (unlimited workers never "
                                    "queue)");

    lb->zone_affinity = sim_cfg_bool(cfg, "zone_affinity", false);
    read_health(lb, cfg);
    sim_pool_init(&lb->jobs, sizeof(struct job));
    lb->pick_rng = sim_rng(self, "pick");
    lb->cost_rng = sim_rng(self, "processing");
    sim_hist_init(&lb->latency);
}

/* ---- choosing a backend ---- */

/* The heap's order: weighted rr by the midpoint of each backend's next slot in the cycle,
 * (2 picks + 1) / (2 weight); least_conn by calls in flight; least_latency by
 * ewma x (in flight + 1). Ties: fewer in flight, then the lower index. */
static bool before(const struct lb *lb, int x, int y)
{
    const struct backend *a = &lb->b[x], *b = &lb->b[y];
    switch (lb->algorithm) {
    case WEIGHTED_ROUND_ROBIN: {
        __int128 l = (__int128)(2 * a->picks + 1) * (__int128)b->weight;
        __int128 r = (__int128)(2 * b->picks + 1) * (__int128)a->weight;
        if (l != r) return l < r;
        break;
    }
    case LEAST_LATENCY: {
        double l = a->ewma * (double)(a->in_flight + 1), r = b->ewma * (double)(b->in_flight + 1);
        if (l != r) return l < r;
        if (a->in_flight != b->in_flight) return a->in_flight < b->in_flight;
        break;
    }
    default:
        if (a->in_flight != b->in_flight) return a->in_flight < b->in_flight;
    }
    return x < y;
}

static bool uses_heap(const struct lb *lb)
{
    return lb->algorithm == WEIGHTED_ROUND_ROBIN || lb->algorithm == LEAST_CONN ||
           lb->algorithm == LEAST_LATENCY;
}

static void heap_swap(struct group *g, int i, int j)
{
    int t = g->heap[i];
    g->heap[i] = g->heap[j];
    g->heap[j] = t;
    g->pos[g->heap[i]] = i;
    g->pos[g->heap[j]] = j;
}

/* Restores group g's heap after backend k's key changed, either way. */
static void heap_fix(const struct lb *lb, struct group *g, int k)
{
    int i = g->pos[k];
    if (i < 0) return; /* out of rotation: in no heap */
    while (i > 0 && before(lb, g->heap[i], g->heap[(i - 1) / 2])) {
        heap_swap(g, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < g->n && before(lb, g->heap[l], g->heap[m])) m = l;
        if (r < g->n && before(lb, g->heap[r], g->heap[m])) m = r;
        if (m == i) return;
        heap_swap(g, i, m);
        i = m;
    }
}

/* Backend k's key changed: every heap holding it. */
static void key_changed(struct lb *lb, int k)
{
    heap_fix(lb, &lb->groups[0], k);
    int z = lb->b[k].zone;
    if (lb->ngroups > 1 && z != SIM_NO_ZONE) heap_fix(lb, &lb->groups[1 + z], k);
}

static int key_hash_pick(uint64_t key, int n)
{
    return (int)(sim_hash64(key) % (uint64_t)n);
}

/* A backend of group g (never empty), by the algorithm. */
static int pick(struct lb *lb, struct group *g, const struct sim_call *in)
{
    int n = g->n, k;
    switch (lb->algorithm) {
    case ROUND_ROBIN:
        k = g->member[g->next];
        g->next = (g->next + 1) % n;
        return k;
    case RANDOM: return g->member[sim_uniform_int(lb->pick_rng, (uint64_t)n)];
    case POWER_OF_TWO: {
        if (n == 1) return g->member[0];
        int x = g->member[sim_uniform_int(lb->pick_rng, (uint64_t)n)];
        int y = (int)sim_uniform_int(lb->pick_rng, (uint64_t)n - 1);
        y = g->member[y >= g->pos[x] ? y + 1 : y];
        /* Ties go to the first draw, itself uniform: no bias to low indices. */
        return lb->b[y].in_flight < lb->b[x].in_flight ? y : x;
    }
    case KEY_HASH:
        /* A key whose backend is out of rotation is rehashed among those in it. */
        k = g->all[key_hash_pick(in->key, g->nall)];
        return g->pos[k] >= 0 ? k : g->member[key_hash_pick(in->key, n)];
    case CONSISTENT_HASH: return sim_ring_owner(&g->ring, in->key);
    case WEIGHTED_ROUND_ROBIN:
        k = g->heap[0];
        lb->b[k].picks++;
        key_changed(lb, k);
        return k;
    case LEAST_CONN:
    case LEAST_LATENCY: return g->heap[0];
    }
    return 0;
}

static bool in_rotation(const struct backend *b)
{
    return !b->removed && !b->ejected;
}

static bool is_member(int backend, void *group)
{
    return ((struct group *)group)->pos[backend] >= 0;
}

/* Recomputes group g's members from its backends in rotation (every one of them when none
 * is, for group 0 failing open): O(N + ring points), no allocation. Round robin goes on
 * from the backend it was due to pick; the hash ring keeps the members' own points, so a
 * key moves only when its backend left. */
static void group_rebuild(struct lb *lb, struct group *g, bool may_fail_open)
{
    int due = g->n ? g->member[g->next] : -1;
    g->n = 0;
    for (int i = 0; i < g->nall; i++) {
        int k = g->all[i];
        g->pos[k] = -1;
        if (in_rotation(&lb->b[k])) g->member[g->n++] = k;
    }
    if (!g->n && may_fail_open && lb->fail_open) {
        memcpy(g->member, g->all, (size_t)g->nall * sizeof *g->member);
        g->n = g->nall;
    }
    int next = 0;
    for (int p = 0; p < g->n; p++) {
        g->pos[g->member[p]] = p;
        if (g->member[p] < due) next = p + 1;
    }
    g->next = next < g->n ? next : 0;
    if (g->heap && g->n) {
        memcpy(g->heap, g->member, (size_t)g->n * sizeof *g->heap);
        for (int i = g->n / 2; i >= 0; i--) heap_fix(lb, g, g->heap[i]);
    }
    if (g->all_ring.count) sim_ring_filter(&g->ring, &g->all_ring, is_member, g);
}

/* A group over the backends for which in_zone holds (zone z, or every one for z < 0). */
static void group_init(struct lb *lb, struct group *g, int z)
{
    g->all = sim_alloc((size_t)lb->n * sizeof *g->all);
    g->member = sim_alloc((size_t)lb->n * sizeof *g->member);
    g->pos = sim_alloc((size_t)lb->n * sizeof *g->pos);
    for (int i = 0; i < lb->n; i++) {
        g->pos[i] = -1;
        if (z < 0 || lb->b[i].zone == z) g->all[g->nall++] = i;
    }
    if (!g->nall) return;
    if (uses_heap(lb)) g->heap = sim_alloc((size_t)g->nall * sizeof *g->heap);
    if (lb->algorithm == CONSISTENT_HASH) {
        /* A backend's identity on the ring is its name: its points do not depend on the
         * others, so a backend leaving moves only its own keys. */
        for (int i = 0; i < g->nall; i++)
            sim_ring_add_named(&g->all_ring, g->all[i], lb->b[g->all[i]].name, lb->virtual_nodes);
        sim_ring_sort(&g->all_ring);
    }
    group_rebuild(lb, g, z < 0);
}

static void group_fini(struct group *g)
{
    sim_free(g->all);
    sim_free(g->member);
    sim_free(g->pos);
    sim_free(g->heap);
    sim_ring_fini(&g->all_ring);
    sim_ring_fini(&g->ring);
}

/* ---- rotation: health checks and outlier ejection ---- */

/* Weighted round robin: a backend coming back takes its turn where the cycle is now, rather
 * than the picks it missed in a burst (its next slot is due about when the heap's top is). */
static void catch_up(struct lb *lb, int k)
{
    struct group *g = &lb->groups[0];
    if (!g->n) return;
    const struct backend *t = &lb->b[g->heap[0]];
    struct backend *b = &lb->b[k];
    __int128 p = (__int128)b->weight * (__int128)(2 * t->picks + 1) / (__int128)(2 * t->weight);
    if (p > (__int128)b->picks) b->picks = (uint64_t)p;
}

/* Backend k is removed by health checks or ejected, or back: rebuilds its groups when its
 * place in rotation changed. Leaving during a fault times the fault's start to now. */
static void set_rotation(struct lb *lb, int k, bool removed, bool ejected)
{
    struct sim_component *self = &lb->base;
    struct backend *b = &lb->b[k];
    bool was = in_rotation(b);
    b->removed = removed;
    b->ejected = ejected;
    bool now_in = in_rotation(b);
    if (was == now_in) return;
    sim_time now = sim_now(self);
    sim_level_add(&b->up, now, now_in ? 1 : -1);
    lb->in_rotation += now_in ? 1 : -1;
    if (!now_in) {
        sim_time since = sim_fault_since(b->node, b->instance);
        if (since >= 0 && since != b->fault_seen) {
            b->fault_seen = since;
            if (sim_measuring(self)) {
                b->removed_in_fault++;
                b->removal_delay_sum += sim_seconds(now - since);
            }
        }
    } else {
        b->bad = 0; /* judged afresh on its return */
        if (lb->algorithm == WEIGHTED_ROUND_ROBIN) catch_up(lb, k);
    }
    group_rebuild(lb, &lb->groups[0], true);
    if (lb->ngroups > 1 && b->zone != SIM_NO_ZONE)
        group_rebuild(lb, &lb->groups[1 + b->zone], false);
    if (lb->in_rotation == 0)
        sim_story(self, "no backend is in rotation: %s", lb->fail_open
                  ? "failing open, calls go to every backend" : "calls are answered unavailable");
    else if (now_in && lb->in_rotation == 1)
        sim_story(self, "%s is back in rotation, the only one", b->name);
}

/* A probe's outcome: unhealthy_after failures in a row remove the backend, healthy_after
 * passes in a row bring it back. */
static void probe_result(struct lb *lb, struct backend *b, bool ok)
{
    struct sim_component *self = &lb->base;
    const struct health_check *hc = &lb->hc;
    if (sim_measuring(self)) {
        lb->probes++;
        lb->probes_failed += !ok;
    }
    int k = (int)(b - lb->b);
    if (ok) {
        b->fails = 0;
        if (b->removed && ++b->passes >= hc->healthy_after) {
            b->passes = 0;
            sim_story(self, "returns %s to rotation: %d %s checks passed in a row", b->name,
                      hc->healthy_after, check_kind_names[hc->kind]);
            set_rotation(lb, k, false, b->ejected);
        }
        return;
    }
    b->passes = 0;
    if (b->removed || ++b->fails < hc->unhealthy_after) return;
    b->fails = 0;
    if (sim_measuring(self)) b->removals++;
    sim_story(self, "removes %s from rotation: %d %s checks failed in a row", b->name,
              hc->unhealthy_after, check_kind_names[hc->kind]);
    set_rotation(lb, k, true, b->ejected);
    sim_fault_detected(self, b->node, b->instance);
}

/* An awaited probe's time is up: it failed (a deep probe is abandoned). */
static void probe_timed_out(struct sim_component *self, void *arg)
{
    struct lb *lb = (struct lb *)self;
    struct backend *b = arg;
    b->probe_timer = NULL;
    if (b->probe) sim_call_abandon(b->probe);
    b->probe = NULL;
    probe_result(lb, b, false);
}

/* A deep probe's answer (the lb's only calls without a parent). */
static void probe_answered(struct lb *lb, struct sim_call *call)
{
    struct backend *b = call->caller_data;
    sim_cancel(b->probe_timer);
    b->probe_timer = NULL;
    b->probe = NULL;
    probe_result(lb, b, call->status == SIM_OK);
}

/* One backend's check, every interval. tcp and http: an answer (a pass, a refusal, an
 * error) is known at once, the round trip being negligible against the interval; a hung
 * instance gives none, so an http probe fails at its timeout. deep: a real call. */
static sim_time probe(struct sim_component *self, void *arg)
{
    struct lb *lb = (struct lb *)self;
    struct backend *b = arg;
    const struct health_check *hc = &lb->hc;
    SIM_ASSERT(self, !b->probe_timer); /* timeout <= interval: the last one has ended */
    if (hc->kind == CHECK_DEEP) {
        uint64_t key = lb->probe_keys ? sim_keys_draw(lb->probe_keys, lb->health_rng) : 0;
        struct sim_call *c = sim_call_new(self, b->node, NULL, hc->op, key,
                                          sim_now(self) + hc->timeout);
        c->instance = b->instance;
        c->caller_data = b;
        b->probe = c;
        b->probe_timer = sim_schedule(self, hc->timeout, probe_timed_out, b);
        sim_call_send(c);
        return hc->interval;
    }
    bool http = hc->kind == CHECK_HTTP;
    if (sim_fault_check_passes(b->node, b->instance, http, lb->health_rng))
        probe_result(lb, b, true);
    else if (sim_fault_silent(b->node, b->instance) ||
             (http && !sim_fault_down(b->node, b->instance) && sim_fault_hung(b->node, b->instance)))
        b->probe_timer = sim_schedule(self, hc->timeout, probe_timed_out, b);
    else
        probe_result(lb, b, false);
    return hc->interval;
}

static void ejection_ends(struct sim_component *self, void *arg)
{
    struct lb *lb = (struct lb *)self;
    struct backend *b = arg;
    lb->nejected--;
    sim_level_add(&lb->ejected_level, sim_now(self), -1);
    sim_story(self, "%s returns from ejection", b->name);
    set_rotation(lb, (int)(b - lb->b), b->removed, false);
}

/* Outlier ejection: an answer that is an error, or slower than latency_above, is bad;
 * consecutive_errors bad ones in a row eject a backend in rotation for eject_for, unless
 * max_ejected of the backends are ejected already. */
static void judge_answer(struct lb *lb, int k, bool bad)
{
    struct sim_component *self = &lb->base;
    const struct outlier_ejection *oe = &lb->oe;
    struct backend *b = &lb->b[k];
    if (!bad) {
        b->bad = 0;
        return;
    }
    if (++b->bad < oe->consecutive_errors || !in_rotation(b)) return;
    if (lb->nejected >= oe->max_out) {
        if (b->bad == oe->consecutive_errors)
            sim_story(self, "would eject %s (%d bad answers in a row) but %d of %d backends are "
                            "ejected already (max_ejected %g)", b->name, b->bad, lb->nejected,
                      lb->n, oe->max_ejected);
        return;
    }
    sim_story(self, "ejects %s for %.3gs: %d %s in a row", b->name, sim_seconds(oe->eject_for), b->bad,
              oe->latency_above ? "errors or slow answers" : "errors");
    b->bad = 0;
    lb->nejected++;
    sim_level_add(&lb->ejected_level, sim_now(self), 1);
    if (sim_measuring(self)) b->ejections++;
    set_rotation(lb, k, b->removed, true);
    sim_fault_detected(self, b->node, b->instance);
    sim_schedule(self, oe->eject_for, ejection_ends, b);
}

/* ---- calls ---- */

static void start(struct sim_component *self)
{
    struct lb *lb = (struct lb *)self;
    int n = 0;
    for (int i = 0; i < lb->nlisted; i++) {
        int k = sim_instances(lb->listed[i]);
        SIM_ASSERT(self, k >= 1 && (int64_t)n + k <= MAX_BACKENDS);
        n += k;
    }
    lb->n = n;
    lb->b = sim_alloc((size_t)n * sizeof *lb->b);
    int j = 0;
    for (int i = 0; i < lb->nlisted; i++) {
        int k = sim_instances(lb->listed[i]);
        for (int m = 0; m < k; m++, j++) {
            struct backend *b = &lb->b[j];
            b->node = lb->listed[i];
            b->instance = k > 1 ? m : -1;
            b->weight = lb->listed_weight[i];
            if (k > 1) snprintf(b->name, sizeof b->name, "%s-%d", b->node->name, m);
            else snprintf(b->name, sizeof b->name, "%s", b->node->name);
            b->zone = sim_zone_of(b->node, b->instance);
            b->fault_seen = -1;
            sim_level_init(&b->level, 0, 0);
            sim_level_init(&b->up, 0, 1);
        }
    }
    lb->in_rotation = n;
    lb->ngroups = 1 + (lb->zone_affinity ? sim_zone_count(self) : 0);
    lb->groups = sim_alloc((size_t)lb->ngroups * sizeof *lb->groups);
    for (int g = 0; g < lb->ngroups; g++) group_init(lb, &lb->groups[g], g - 1);
    sim_level_init(&lb->busy_level, 0, 0);
    sim_level_init(&lb->queued, 0, 0);
    sim_level_init(&lb->conn_level, 0, 0);
    sim_level_init(&lb->ejected_level, 0, 0);
    /* floor(max_ejected x N), sparing a rounding error at whole numbers. */
    lb->oe.max_out = (int)floor(lb->oe.max_ejected * n + 1e-9);
    if (lb->hc.on) {
        lb->probe_keys = sim_workload_keys(self);
        /* Each backend's probes at its own phase, so replications spread them. */
        for (int i = 0; i < n; i++) {
            sim_time phase = 1 + (sim_time)sim_uniform_int(lb->health_rng, (uint64_t)lb->hc.interval);
            sim_every(self, phase, probe, &lb->b[i]);
        }
    }
}

/* The lb answers its caller: the call leaves the lb. */
static void answer(struct lb *lb, struct job *j, enum sim_status status)
{
    struct sim_component *self = &lb->base;
    sim_time now = sim_now(self);
    if (sim_measuring(self)) {
        if (status == SIM_OK) {
            lb->ok++;
            sim_hist_record(&lb->latency, now - j->arrived);
        } else {
            lb->errors[status]++;
        }
    }
    lb->connections--;
    sim_level_add(&lb->conn_level, now, -1);
    sim_respond(j->in, status);
    sim_pool_put(&lb->jobs, j);
}

static void forward(struct lb *lb, struct job *j)
{
    struct sim_component *self = &lb->base;
    sim_time now = sim_now(self);
    struct group *g = &lb->groups[0];
    if (!g->n) {
        /* No backend in rotation, and not failing open. */
        if (sim_measuring(self)) lb->no_backend++;
        answer(lb, j, SIM_UNAVAILABLE);
        return;
    }
    if (lb->ngroups > 1) {
        /* The caller's zone when it has a backend, else every backend. */
        int z = sim_call_zone(j->in);
        bool local = z != SIM_NO_ZONE && lb->groups[1 + z].n > 0;
        if (local) g = &lb->groups[1 + z];
        if (sim_measuring(self)) {
            if (local) lb->in_zone++;
            else lb->zone_fallbacks++;
        }
    }
    int k = pick(lb, g, j->in);
    struct backend *b = &lb->b[k];
    j->backend = k;
    j->sent = now;
    b->in_flight++;
    sim_level_add(&b->level, now, 1);
    if (lb->algorithm == LEAST_CONN || lb->algorithm == LEAST_LATENCY) key_changed(lb, k);
    if (sim_measuring(self)) {
        lb->forwarded++;
        b->requests++;
        if (sim_fault_down(b->node, b->instance) || sim_fault_hung(b->node, b->instance))
            b->requests_while_failed++;
    }
    struct sim_call *in = j->in;
    struct sim_call *out = sim_call_new(self, b->node, in, in->op, in->key, in->deadline);
    out->attempt = in->attempt;
    out->instance = b->instance;
    out->caller_data = j;
    sim_call_send(out);
}

static void begin_processing(struct lb *lb, struct job *j);

static void processed(struct sim_component *self, void *arg)
{
    struct lb *lb = (struct lb *)self;
    struct job *j = arg;
    sim_time now = sim_now(self);
    lb->busy--;
    sim_level_add(&lb->busy_level, now, -1);
    if (lb->queue.count) {
        struct job *next = sim_fifo_pop(&lb->queue);
        sim_level_add(&lb->queued, now, -1);
        begin_processing(lb, next);
    }
    forward(lb, j);
}

static void begin_processing(struct lb *lb, struct job *j)
{
    struct sim_component *self = &lb->base;
    sim_time now = sim_now(self);
    lb->busy++;
    sim_level_add(&lb->busy_level, now, 1);
    if (sim_measuring(self)) {
        lb->started++;
        lb->wait_sum += (double)(now - j->arrived);
    }
    sim_time cost = sim_fault_slowed(self, -1, sim_dist_draw_time(lb->processing_time, lb->cost_rng) +
                                                   sim_dist_draw_time(lb->tls_time, lb->cost_rng));
    sim_schedule(self, cost, processed, j);
}

static void receive(struct sim_component *self, struct sim_call *call)
{
    struct lb *lb = (struct lb *)self;
    sim_time now = sim_now(self);
    bool measuring = sim_measuring(self);
    if (measuring) lb->arrivals++;
    if (lb->max_connections != UNLIMITED && lb->connections >= lb->max_connections) {
        if (measuring) {
            lb->rejected_conn++;
            lb->errors[SIM_REJECTED]++;
        }
        sim_respond(call, SIM_REJECTED);
        return;
    }
    struct job *j = sim_pool_get(&lb->jobs);
    *j = (struct job){.in = call, .arrived = now, .backend = -1};
    lb->connections++;
    sim_level_add(&lb->conn_level, now, 1);
    if (!lb->costs) {
        forward(lb, j);
        return;
    }
    if (lb->workers == UNLIMITED || lb->busy < lb->workers) {
        begin_processing(lb, j);
        return;
    }
    if (lb->queue_limit != UNLIMITED && (int64_t)lb->queue.count >= lb->queue_limit) {
        if (measuring) lb->rejected_queue++;
        answer(lb, j, SIM_REJECTED);
        return;
    }
    sim_fifo_push(&lb->queue, j);
    sim_level_add(&lb->queued, now, 1);
}

/* A backend answered: update its figures and pass the answer back unchanged. */
static void respond(struct sim_component *self, struct sim_call *call)
{
    struct lb *lb = (struct lb *)self;
    if (!call->parent) {
        probe_answered(lb, call);
        return;
    }
    struct job *j = call->caller_data;
    struct backend *b = &lb->b[j->backend];
    sim_time now = sim_now(self);
    double response = (double)(now - j->sent) / SIM_S;
    b->in_flight--;
    sim_level_add(&b->level, now, -1);
    if (lb->algorithm == LEAST_LATENCY)
        b->ewma = b->sampled ? b->ewma + lb->alpha * (response - b->ewma) : response;
    b->sampled = true;
    if (lb->algorithm == LEAST_CONN || lb->algorithm == LEAST_LATENCY) key_changed(lb, j->backend);
    if (sim_measuring(self)) {
        b->answered++;
        b->response_sum += response;
        if (call->status != SIM_OK) b->errors++;
    }
    if (lb->oe.on) {
        sim_time slow = lb->oe.latency_above;
        judge_answer(lb, j->backend, call->status != SIM_OK || (slow && now - j->sent > slow));
    }
    answer(lb, j, call->status);
}

/* ---- figures ---- */

static void clear_stats(struct sim_component *self)
{
    struct lb *lb = (struct lb *)self;
    sim_time now = sim_now(self);
    sim_level_restart(&lb->busy_level, now);
    sim_level_restart(&lb->queued, now);
    sim_level_restart(&lb->conn_level, now);
    sim_level_restart(&lb->ejected_level, now);
    lb->arrivals = lb->forwarded = lb->ok = lb->rejected_conn = lb->rejected_queue = 0;
    lb->started = 0;
    lb->no_backend = lb->probes = lb->probes_failed = 0;
    lb->in_zone = lb->zone_fallbacks = 0;
    lb->wait_sum = 0;
    memset(lb->errors, 0, sizeof lb->errors);
    sim_hist_clear(&lb->latency);
    for (int i = 0; i < lb->n; i++) {
        struct backend *b = &lb->b[i];
        sim_level_restart(&b->level, now);
        sim_level_restart(&b->up, now);
        b->requests = b->errors = b->answered = b->requests_while_failed = 0;
        b->removals = b->ejections = b->removed_in_fault = 0;
        b->response_sum = b->removal_delay_sum = 0;
    }
}

static void report(struct sim_component *self, struct sim_report *rep)
{
    struct lb *lb = (struct lb *)self;
    sim_time now = sim_now(self);
    double window = sim_window_seconds(self), arrivals = (double)lb->arrivals;
    double rejected = (double)(lb->rejected_conn + lb->rejected_queue);
    sim_report(rep, "arrivals", arrivals / window, SIM_UNIT_RATE);
    sim_report(rep, "forwarded", (double)lb->forwarded / window, SIM_UNIT_RATE);
    sim_report(rep, "throughput", (double)lb->ok / window, SIM_UNIT_RATE);
    if (lb->costs) {
        double busy = sim_level_mean(&lb->busy_level, now);
        sim_report(rep, "busy.mean", busy, SIM_UNIT_NUMBER);
        if (lb->workers != UNLIMITED)
            sim_report(rep, "utilisation", busy / (double)lb->workers, SIM_UNIT_RATIO);
        sim_report(rep, "queue.mean", sim_level_mean(&lb->queued, now), SIM_UNIT_NUMBER | SIM_LOWER_BETTER);
        sim_report(rep, "queue.max", lb->queued.max, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
        sim_report(rep, "wait.mean", lb->started ? lb->wait_sum / (double)lb->started / SIM_S : 0,
                   SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
    }
    sim_report(rep, "connections.mean", sim_level_mean(&lb->conn_level, now), SIM_UNIT_NUMBER);
    sim_report(rep, "connections.max", lb->conn_level.max, SIM_UNIT_COUNT);
    sim_report(rep, "rejected", rejected, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    sim_report(rep, "rejected_max_connections", (double)lb->rejected_conn, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    sim_report(rep, "rejected_queue_full", (double)lb->rejected_queue, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    sim_report(rep, "rejection_ratio", arrivals ? rejected / arrivals : 0, SIM_UNIT_RATIO | SIM_LOWER_BETTER);
    sim_report_errors(rep, lb->errors, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    sim_report_hist(rep, "latency", &lb->latency);
    if (lb->zone_affinity) {
        double fwd = (double)(lb->in_zone + lb->zone_fallbacks);
        sim_report(rep, "zone_affinity.in_zone", (double)lb->in_zone, SIM_UNIT_COUNT);
        sim_report(rep, "zone_affinity.fallbacks", (double)lb->zone_fallbacks, SIM_UNIT_COUNT);
        sim_report(rep, "zone_affinity.in_zone_ratio", fwd ? (double)lb->in_zone / fwd : 0,
                   SIM_UNIT_RATIO);
    }

    bool rotation = lb->hc.on || lb->oe.on;
    if (rotation) sim_report(rep, "no_healthy_backend", (double)lb->no_backend, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    if (lb->hc.on) {
        sim_report(rep, "health_check.probes", (double)lb->probes, SIM_UNIT_COUNT);
        sim_report(rep, "health_check.probes_failed", (double)lb->probes_failed, SIM_UNIT_COUNT);
    }
    if (lb->oe.on) {
        sim_report(rep, "ejected.mean", sim_level_mean(&lb->ejected_level, now), SIM_UNIT_NUMBER);
        sim_report(rep, "ejected.max", lb->ejected_level.max, SIM_UNIT_COUNT);
    }

    uint64_t most = 0;
    for (int i = 0; i < lb->n; i++)
        if (lb->b[i].requests > most) most = lb->b[i].requests;
    double total = (double)lb->forwarded;
    sim_report(rep, "imbalance", total > 0 ? (double)most * lb->n / total : 0, SIM_UNIT_NUMBER | SIM_LOWER_BETTER);
    for (int i = 0; i < lb->n; i++) {
        const struct backend *b = &lb->b[i];
        char path[160];
#define FIGURE(leaf, value, unit)                                                     \
    do {                                                                              \
        snprintf(path, sizeof path, "backends.%s." leaf, b->name);                    \
        sim_report(rep, path, (value), (unit));                                       \
    } while (0)
        FIGURE("requests", (double)b->requests, SIM_UNIT_COUNT);
        FIGURE("share", total > 0 ? (double)b->requests / total : 0, SIM_UNIT_RATIO);
        FIGURE("in_flight.mean", sim_level_mean(&b->level, now), SIM_UNIT_NUMBER);
        FIGURE("response.mean", b->answered ? b->response_sum / (double)b->answered : 0,
               SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
        FIGURE("errors", (double)b->errors, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
        FIGURE("requests_while_failed", (double)b->requests_while_failed, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
        if (rotation) {
            FIGURE("healthy", sim_level_mean(&b->up, now), SIM_UNIT_RATIO | SIM_HIGHER_BETTER);
            FIGURE("time_to_removal", b->removed_in_fault
                       ? b->removal_delay_sum / (double)b->removed_in_fault : NAN,
                   SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
        }
        if (lb->hc.on) FIGURE("removals", (double)b->removals, SIM_UNIT_COUNT);
        if (lb->oe.on) FIGURE("ejections", (double)b->ejections, SIM_UNIT_COUNT);
#undef FIGURE
    }
}

static void sample(struct sim_component *self, struct sim_sampler *smp)
{
    struct lb *lb = (struct lb *)self;
    sim_sample(smp, "connections", lb->conn_level.level);
    sim_sample(smp, "busy", lb->busy_level.level);
    sim_sample(smp, "queue", lb->queued.level);
    if (lb->hc.on || lb->oe.on) sim_sample(smp, "in_rotation", lb->in_rotation);
}

static void describe(struct sim_component *self, char *buf, size_t n)
{
    struct lb *lb = (struct lb *)self;
    char cost[128] = "no processing cost", limits[96] = "";
    if (lb->costs) {
        char p[48], t[48];
        sim_dist_describe(lb->processing_time, p, sizeof p);
        sim_dist_describe(lb->tls_time, t, sizeof t);
        snprintf(cost, sizeof cost, "processing %s + tls %s", p, t);
    }
    int len = 0;
    if (lb->workers != UNLIMITED)
        len += snprintf(limits + len, sizeof limits - (size_t)len, ", %lld workers",
                        (long long)lb->workers);
    if (lb->queue_limit != UNLIMITED && len < (int)sizeof limits)
        len += snprintf(limits + len, sizeof limits - (size_t)len, ", queue %lld",
                        (long long)lb->queue_limit);
    if (lb->max_connections != UNLIMITED && len < (int)sizeof limits)
        snprintf(limits + len, sizeof limits - (size_t)len, ", max_connections %lld",
                 (long long)lb->max_connections);
    len = snprintf(buf, n, "%s%s, %s, %s%s; backends", algorithm_names[lb->algorithm],
                   lb->zone_affinity ? " with zone affinity" : "", lb->l7 ? "l7" : "l4", cost,
                   limits);
    for (int i = 0; i < lb->nlisted && len > 0 && (size_t)len < n; i++) {
        struct sim_component *c = lb->listed[i];
        len += snprintf(buf + len, n - (size_t)len, "%s %s", i ? "," : "", c ? c->name : "?");
        if (lb->algorithm == WEIGHTED_ROUND_ROBIN && len > 0 && (size_t)len < n)
            len += snprintf(buf + len, n - (size_t)len, " (weight %lld)",
                            (long long)lb->listed_weight[i]);
    }
    const struct health_check *hc = &lb->hc;
    if (hc->on && len > 0 && (size_t)len < n)
        len += snprintf(buf + len, n - (size_t)len, "; %s checks every %gs (timeout %gs), out "
                        "after %d failed, back after %d passed", check_kind_names[hc->kind],
                        sim_seconds(hc->interval), sim_seconds(hc->timeout), hc->unhealthy_after,
                        hc->healthy_after);
    const struct outlier_ejection *oe = &lb->oe;
    if (oe->on && len > 0 && (size_t)len < n) {
        char slow[48] = "";
        if (oe->latency_above)
            snprintf(slow, sizeof slow, " or slower than %gs", sim_seconds(oe->latency_above));
        len += snprintf(buf + len, n - (size_t)len, "; ejects for %gs after %d errors%s in a "
                        "row (at most %g of the backends)", sim_seconds(oe->eject_for),
                        oe->consecutive_errors, slow, oe->max_ejected);
    }
    if ((hc->on || oe->on) && len > 0 && (size_t)len < n)
        snprintf(buf + len, n - (size_t)len, "; %s when none is healthy",
                 lb->fail_open ? "fails open" : "answers unavailable");
}

static void fini(struct sim_component *self)
{
    struct lb *lb = (struct lb *)self;
    sim_free(lb->listed);
    sim_free(lb->listed_weight);
    sim_free(lb->b);
    for (int g = 0; g < lb->ngroups; g++) group_fini(&lb->groups[g]);
    sim_free(lb->groups);
    sim_fifo_fini(&lb->queue);
    sim_pool_fini(&lb->jobs);
}

/* Calls waiting for a worker; capacity from the mean processing cost (TLS included). */
static void backlog(struct sim_component *self, uint64_t *waiting, double *capacity)
{
    struct lb *lb = (struct lb *)self;
    *waiting = lb->queue.count;
    double mean = sim_dist_mean(lb->processing_time) + sim_dist_mean(lb->tls_time);
    *capacity = lb->costs && lb->workers != UNLIMITED && mean > 0 ? (double)lb->workers / mean : 0;
}

const struct sim_model lb_model = {
    .name = "lb",
    .summary = "a load balancer: its own workers and queue, then one backend per call by round "
               "robin, weights, random, least_conn, power_of_two, least_latency or hashing",
    .size = sizeof(struct lb),
    .configure = configure,
    .start = start,
    .receive = receive,
    .respond = respond,
    .clear_stats = clear_stats,
    .report = report,
    .sample = sample,
    .describe = describe,
    .fini = fini,
    .fault_kinds = SIM_FAULT_BIT(SIM_FAULT_SLOW), /* stretches the processing cost */
    .backlog = backlog,
};
