/* mm1_ref.c: the raw limit `make bench` measures archsim against. A hand-written M/M/1
 * (one FIFO server) on a 4-ary heap of (time, seq) events, with archsim's generator and
 * sampling: xoshiro256++ streams seeded by archsim's mixing function for the same names
 * (docs/engine.md), exponential draws as mean times a ziggurat draw (sim/kernel/ziggurat.c,
 * linked in) rounded to the nanosecond the same way. So it serves the same customers with the same times as
 * scenarios/bench/mm1-bench.json, and its count and mean latency must equal archsim's:
 * the ratio of the two speeds measures the engine, not the generator.
 *
 * usage: mm1_ref SECONDS [SEED] -> prints "customers mean_latency_seconds" */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/xoshiro.h" /* the generator and the exponential sampler themselves: */
#include "kernel/ziggurat.h" /* the reference must draw the same numbers */

#define RATE 900.0         /* arrivals per second, as in mm1-bench.json */
#define MEAN_SERVICE 0.001 /* seconds */

static uint64_t finalise(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t mix(uint64_t z)
{
    return finalise(z + 0x9e3779b97f4a7c15ULL);
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* The stream archsim hands component `name` for `purpose` in replication 0. */
static void stream(uint64_t s[4], uint64_t seed, const char *name, const char *purpose)
{
    uint64_t h = mix(seed);
    h = mix(h ^ 0);
    h = mix(h ^ fnv1a(name));
    h = mix(h ^ fnv1a(purpose));
    sim__xoshiro_seed(s, h);
}

/* ---- the event heap ---- */

enum kind { ARRIVAL, DEPARTURE };

struct event {
    int64_t time;
    uint64_t seq;
    enum kind kind;
};

struct heap {
    struct event *e;
    size_t n, cap;
};

static int before(const struct event *a, const struct event *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void push(struct heap *h, struct event ev)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 16;
        h->e = realloc(h->e, h->cap * sizeof *h->e);
        if (!h->e) abort();
    }
    size_t i = h->n++;
    while (i > 0 && before(&ev, &h->e[(i - 1) / 4])) {
        h->e[i] = h->e[(i - 1) / 4];
        i = (i - 1) / 4;
    }
    h->e[i] = ev;
}

static struct event pop(struct heap *h)
{
    struct event top = h->e[0], last = h->e[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 4 * i + 1, best = c, end = c + 4 < h->n ? c + 4 : h->n;
        if (c >= h->n) break;
        for (size_t k = c + 1; k < end; k++)
            if (before(&h->e[k], &h->e[best])) best = k;
        if (!before(&h->e[best], &last)) break;
        h->e[i] = h->e[best];
        i = best;
    }
    h->e[i] = last;
    return top;
}

/* ---- the customers waiting (a ring of arrival times) ---- */

struct ring {
    int64_t *t;
    size_t head, count, cap;
};

static void enqueue(struct ring *q, int64_t t)
{
    if (q->count == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 1024;
        int64_t *bigger = malloc(cap * sizeof *bigger);
        if (!bigger) abort();
        for (size_t i = 0; i < q->count; i++) bigger[i] = q->t[(q->head + i) % q->cap];
        free(q->t);
        q->t = bigger;
        q->head = 0;
        q->cap = cap;
    }
    q->t[(q->head + q->count) % q->cap] = t;
    q->count++;
}

static int64_t dequeue(struct ring *q)
{
    int64_t t = q->t[q->head];
    q->head = (q->head + 1) % q->cap;
    q->count--;
    return t;
}

/* archsim's workload: the gap in seconds, rounded to the nearest nanosecond. */
static int64_t interarrival(uint64_t g[4])
{
    return llround((1.0 / RATE) * sim__exp_ziggurat(g) * (double)1000000000);
}

/* archsim's sim_dist_draw_time for exp(mean). */
static int64_t service_time(uint64_t g[4])
{
    double ns = MEAN_SERVICE * sim__exp_ziggurat(g) * 1e9;
    if (!(ns > 0)) return 0;
    if (ns >= 1e18) return 1000000000000000000;
    return (int64_t)(ns + 0.5);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: mm1_ref SECONDS [SEED]\n");
        return 2;
    }
    int64_t end = (int64_t)llround(strtod(argv[1], NULL) * 1e9);
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    uint64_t arrivals[4], service[4];
    stream(arrivals, seed, "@workload", "arrivals");
    stream(service, seed, "server", "service");

    struct heap cal = {0};
    struct ring waiting = {0};
    uint64_t seq = 0, done = 0;
    double latency_sum = 0;
    int busy = 0;
    int64_t serving_since = 0; /* arrival time of the customer in service */
    push(&cal, (struct event){interarrival(arrivals), seq++, ARRIVAL});
    while (cal.n && cal.e[0].time <= end) {
        struct event ev = pop(&cal);
        int64_t now = ev.time;
        if (ev.kind == ARRIVAL) {
            push(&cal, (struct event){now + interarrival(arrivals), seq++, ARRIVAL});
            if (busy) {
                enqueue(&waiting, now);
                continue;
            }
            busy = 1;
            serving_since = now;
            push(&cal, (struct event){now + service_time(service), seq++, DEPARTURE});
            continue;
        }
        done++;
        latency_sum += (double)(now - serving_since);
        if (!waiting.count) {
            busy = 0;
            continue;
        }
        serving_since = dequeue(&waiting);
        push(&cal, (struct event){now + service_time(service), seq++, DEPARTURE});
    }
    printf("%llu %.17g\n", (unsigned long long)done, done ? latency_sum / (double)done / 1e9 : 0.0);
    free(cal.e);
    free(waiting.t);
    return 0;
}
