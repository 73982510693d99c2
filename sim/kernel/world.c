/* world.c: one replication's world: its components (allocated here at model->size),
 * its random streams and everything else it owns. A world is built, run once and
 * destroyed; nothing in it outlives it. */
#include <stdlib.h>

#include "internal.h"

struct sim_world *sim__world_create(uint64_t seed, int replication)
{
    struct sim_world *w = sim_alloc(sizeof *w);
    w->seed = seed;
    w->replication = replication;
    w->end = SIM_NEVER;
    sim__calendar_init(&w->calendar);
    sim_pool_init(&w->event_pool, sizeof(struct sim_event));
    sim_pool_init(&w->call_pool, sizeof(struct sim__call));
    w->engine.name = "@engine";
    w->engine.world = w;
    w->engine.index = -1;
    return w;
}

/* Room for one more in an array that doubles (10^5 nodes: no quadratic copying). */
static void *room(void *p, size_t n, size_t *cap, size_t size)
{
    if (n < *cap) return p;
    *cap = *cap ? 2 * *cap : 16;
    return sim_realloc(p, *cap * size);
}

void sim__own(struct sim_world *w, void *p, void (*destroy)(void *))
{
    w->owned = room(w->owned, w->nowned, &w->capowned, sizeof *w->owned);
    w->owned[w->nowned++] = (struct sim__owned){p, destroy};
}

void sim__world_destroy(struct sim_world *w)
{
    if (!w) return;
    for (int i = w->ncomponents; i-- > 0;) {
        struct sim_component *c = w->components[i];
        if (c->model->fini) c->model->fini(c);
        sim_free((char *)c->name);
        sim_free(c);
    }
    sim_free(w->components);
    sim__namemap_fini(&w->by_name);
    for (size_t i = w->nowned; i-- > 0;) w->owned[i].destroy(w->owned[i].p);
    sim_free(w->owned);
    for (size_t i = 0; i < w->nrngs; i++) sim__rng_destroy(w->rngs[i]);
    sim_free(w->rngs);
    sim_free(w->link_rng);
    sim_free(w->received);
    for (int i = 0; i < w->ncomponents; i++) sim_free(w->placement[i].spread);
    sim_free(w->placement);
    sim_free(w->hops);
    sim_free(w->zone_names);
    sim_free(w->region_names);
    sim_free(w->zone_region);
    sim_free(w->links);
    sim_free(w->link_kind);
    sim__calendar_fini(&w->calendar);
    sim_pool_fini(&w->event_pool);
    sim_pool_fini(&w->call_pool);
    sim_free(w);
}

const char *sim__model_missing(const struct sim_model *m, bool from_json)
{
    if (!m->name) return "name";
    if (m->size < sizeof(struct sim_component)) return "size";
    if (from_json && !m->configure) return "configure";
    if (!m->clear_stats) return "clear_stats";
    if (!m->report) return "report";
    /* a slow fault only stretches drawn times (sim_fault_slowed); other kinds need fault() */
    if ((m->fault_kinds & ~SIM_FAULT_BIT(SIM_FAULT_SLOW)) && !m->fault) return "fault";
    return NULL;
}

/* A model without a slot it must have is a bug: the message names the slot. */
void sim__model_check(const struct sim_model *m, bool from_json)
{
    const char *missing = sim__model_missing(m, from_json);
    if (!missing) return;
    char what[128];
    snprintf(what, sizeof what, "model '%s' lacks its required slot '%s'",
             m->name ? m->name : "?", missing);
    sim_assert_fail(NULL, what, __FILE__, __LINE__);
}

struct sim_component *sim__world_add(struct sim_world *w, const struct sim_model *m,
                                     const char *name)
{
    sim__model_check(m, false);
    struct sim_component *c = sim_alloc(m->size);
    c->model = m;
    c->name = sim_strdup(name);
    c->world = w;
    c->index = w->ncomponents;
    if (w->ncomponents == w->capcomponents) { /* the per-component arrays grow together */
        w->capcomponents = w->capcomponents ? 2 * w->capcomponents : 16;
        size_t cap = (size_t)w->capcomponents;
        w->components = sim_realloc(w->components, cap * sizeof *w->components);
        w->link_rng = sim_realloc(w->link_rng, cap * sizeof *w->link_rng);
        w->placement = sim_realloc(w->placement, cap * sizeof *w->placement);
        w->received = sim_realloc(w->received, cap * sizeof *w->received);
    }
    w->components[w->ncomponents++] = c;
    w->link_rng[c->index] = NULL;
    w->placement[c->index] = (struct sim__placement){.zone = SIM_NO_ZONE};
    if (!sim__namemap_get(&w->by_name, c->name))
        sim__namemap_put(&w->by_name, c->name, (uint32_t)w->ncomponents);
    w->received[c->index] = 0;
    return c;
}

struct sim_component *sim__world_find(struct sim_world *w, const char *name)
{
    uint32_t at = sim__namemap_get(&w->by_name, name);
    return at ? w->components[at - 1] : NULL;
}

struct sim_rng *sim_rng(struct sim_component *self, const char *purpose)
{
    struct sim_world *w = self->world;
    struct sim_rng *r = sim__rng_create(sim__stream_seed(w->seed, w->replication, self->name, purpose));
    w->rngs = room(w->rngs, w->nrngs, &w->caprngs, sizeof *w->rngs);
    w->rngs[w->nrngs++] = r;
    return r;
}

sim_time sim_now(const struct sim_component *self)
{
    return self->world->now;
}

bool sim_measuring(const struct sim_component *self)
{
    return self->world->measuring;
}

double sim_window_seconds(const struct sim_component *self)
{
    const struct sim_world *w = self->world;
    sim_time t = w->now > w->warmup ? w->now - w->warmup : 0;
    return (double)t / SIM_S;
}

int sim_zone_of(struct sim_component *node, int instance)
{
    if (node->index < 0) return SIM_NO_ZONE;
    const struct sim__placement *p = &node->world->placement[node->index];
    if (p->nspread && instance >= 0) return p->spread[instance % p->nspread];
    return p->zone;
}

int sim_zone_count(const struct sim_component *any)
{
    return any->world->nzones;
}

const char *sim_zone_name(const struct sim_component *any, int zone)
{
    const struct sim_world *w = any->world;
    return zone >= 0 && zone < w->nzones ? w->zone_names[zone] : "?";
}

int sim_zone_region(const struct sim_component *any, int zone)
{
    const struct sim_world *w = any->world;
    return zone >= 0 && zone < w->nzones ? w->zone_region[zone] : -1;
}

const char *sim_region_name(const struct sim_component *any, int region)
{
    const struct sim_world *w = any->world;
    return region >= 0 && region < w->nregions ? w->region_names[region] : "?";
}

void sim__placement_describe(struct sim_component *c, char *buf, size_t n)
{
    const struct sim_world *w = c->world;
    const struct sim__placement *p = &w->placement[c->index];
    size_t len = strlen(buf);
    if (p->zone != SIM_NO_ZONE && len + 1 < n) {
        snprintf(buf + len, n - len, "; zone %s, region %s", w->zone_names[p->zone],
                 w->region_names[w->zone_region[p->zone]]);
        return;
    }
    for (int i = 0; i < p->nspread && (len = strlen(buf)) + 1 < n; i++)
        snprintf(buf + len, n - len, "%s%s (%s)", i ? ", " : "; instances in turn in zones ",
                 w->zone_names[p->spread[i]], w->region_names[w->zone_region[p->spread[i]]]);
}

int sim_op_count(const struct sim_component *self)
{
    return self->world->nops;
}

const char *sim_op_name(const struct sim_component *self, int op)
{
    const struct sim_world *w = self->world;
    return op >= 0 && op < w->nops ? w->ops[op] : "?";
}

const char *sim_status_name(enum sim_status s)
{
    static const char *const names[SIM_STATUS_COUNT] = {"ok", "timeout", "rejected",
                                                         "unavailable", "failed"};
    return (unsigned)s < SIM_STATUS_COUNT ? names[s] : "?";
}

void sim_assert_fail(const struct sim_component *self, const char *what, const char *file,
                     int line)
{
    double t = self && self->world ? (double)self->world->now / SIM_S : 0.0;
    fprintf(stderr, "archsim: internal error at t=%.9fs in %s: %s (%s:%d)\n", t,
            self && self->name ? self->name : "?", what, file, line);
    /* Exit code 3 is the contract; ARCHSIM_ABORT=1 asks for a core dump instead. */
    const char *dump = getenv("ARCHSIM_ABORT");
    if (dump && *dump == '1') abort();
    exit(3);
}
