/* failover.c: a failover detector any model can put behind a role that moves between
 * nodes (a database shard's primary, a broker's leader). A monitor per target pings it
 * every heartbeat; `missed` misses in a row declare it dead, and the owner plans a
 * takeover, called off if the target answers before it falls due. After the endpoint
 * moves, callers follow within the endpoint TTL. The owner decides who takes over and
 * what is lost; this file only keeps the timing and the counts. */
#include <math.h>
#include <stdio.h>

#include "sim.h"

struct sim_cfg *sim_failover_configure(struct sim_failover *fo, struct sim_cfg *cfg,
                                       const char *key)
{
    struct sim_cfg *f = sim_cfg_object(cfg, key, false);
    if (!f) return NULL;
    fo->on = true;
    fo->heartbeat = sim_cfg_duration(f, "heartbeat", SIM_S, SIM_US, SIM_MAX_DURATION);
    fo->missed = (int)sim_cfg_int(f, "missed", 3, 1, 1000);
    fo->promote = sim_cfg_dist(f, "promote", SIM_QTY_DURATION, "\"30s\"");
    fo->endpoint_ttl = sim_cfg_duration(f, "endpoint_ttl", 0, 0, SIM_MAX_DURATION);
    return f;
}

void sim_failover_init(struct sim_failover *fo, struct sim_component *owner, int count,
                       const struct sim_failover_ops *ops)
{
    fo->owner = owner;
    fo->ops = ops;
    fo->last_promotion = -1;
    if (!fo->on) return;
    fo->count = count;
    fo->targets = sim_alloc((size_t)count * sizeof *fo->targets);
    for (int i = 0; i < count; i++) {
        fo->targets[i].fo = fo;
        fo->targets[i].old = -1;
    }
    fo->rng = sim_rng(owner, "failover");
    fo->endpoint_rng = sim_rng(owner, "endpoint");
}

static int index_of(const struct sim_failover_target *t)
{
    return (int)(t - t->fo->targets);
}

/* A beat is missed when no answer came within the interval, so the k-th miss is known one
 * interval after its beat. A target declared dead that answers again before any takeover
 * was planned is simply alive. */
static sim_time beat(struct sim_component *self, void *arg)
{
    struct sim_failover_target *t = arg;
    struct sim_failover *fo = t->fo;
    int i = index_of(t);
    if (t->beat_sent) t->misses = t->beat_ok ? 0 : t->misses + 1;
    t->beat_sent = true;
    t->beat_ok = fo->ops->answers(self, i);
    if (!t->declared && t->misses >= fo->missed) {
        t->declared = true;
        fo->declared_dead++;
        fo->ops->dead(self, i);
    } else if (t->declared && !t->takeover && !t->misses) {
        t->declared = false;
        fo->called_off++;
        fo->ops->back(self, i, false);
    }
    return fo->heartbeat;
}

void sim_failover_start(struct sim_failover *fo)
{
    for (int i = 0; fo->on && i < fo->count; i++)
        sim_every(fo->owner, (sim_time)(sim_uniform(fo->rng) * (double)fo->heartbeat), beat,
                  &fo->targets[i]);
}

static void takeover_due(struct sim_component *self, void *arg)
{
    struct sim_failover_target *t = arg;
    struct sim_failover *fo = t->fo;
    int i = index_of(t);
    t->takeover = NULL;
    if (fo->ops->answers(self, i)) {
        fo->called_off++;
        t->declared = false;
        t->misses = 0;
        fo->ops->back(self, i, true);
        return;
    }
    fo->ops->take_over(self, i);
}

void sim_failover_plan(struct sim_failover *fo, int target, sim_time delay)
{
    struct sim_failover_target *t = &fo->targets[target];
    SIM_ASSERT(fo->owner, !t->takeover);
    t->takeover = sim_schedule(fo->owner, delay, takeover_due, t);
}

void sim_failover_reset(struct sim_failover *fo, int target)
{
    struct sim_failover_target *t = &fo->targets[target];
    t->declared = false;
    t->misses = 0;
    t->beat_sent = false;
}

void sim_failover_moved(struct sim_failover *fo, int target, int old)
{
    struct sim_failover_target *t = &fo->targets[target];
    t->old = old;
    t->moved_at = sim_now(fo->owner);
    t->ttl_end = t->moved_at + fo->endpoint_ttl;
    fo->promotions++;
    fo->last_promotion = t->moved_at;
}

/* The TTL ran out, unless a later move took over the target's endpoint meanwhile. */
static void ttl_over(struct sim_component *self, void *arg)
{
    struct sim_failover_target *t = arg;
    int old = t->old;
    if (old < 0 || sim_now(self) < t->ttl_end) return;
    t->old = -1;
    t->fo->ops->followed(self, index_of(t), old);
}

void sim_failover_follow(struct sim_failover *fo, int target)
{
    struct sim_failover_target *t = &fo->targets[target];
    if (fo->endpoint_ttl) sim_schedule(fo->owner, fo->endpoint_ttl, ttl_over, t);
    else ttl_over(fo->owner, t);
}

int sim_failover_old_endpoint(const struct sim_failover *fo, int target)
{
    if (!fo->on) return -1;
    const struct sim_failover_target *t = &fo->targets[target];
    return t->old >= 0 && sim_now(fo->owner) < t->ttl_end ? t->old : -1;
}

int sim_failover_endpoint(struct sim_failover *fo, int target, int current)
{
    int old = sim_failover_old_endpoint(fo, target);
    if (old < 0) return current;
    const struct sim_failover_target *t = &fo->targets[target];
    double age = (double)(sim_now(fo->owner) - t->moved_at) / (double)(t->ttl_end - t->moved_at);
    return sim_uniform(fo->endpoint_rng) >= age ? old : current;
}

void sim_failover_report(const struct sim_failover *fo, struct sim_report *rep)
{
    if (!fo->on) return;
    sim_report(rep, "failover.declared_dead", (double)fo->declared_dead, SIM_UNIT_COUNT);
    sim_report(rep, "failover.promotions", (double)fo->promotions, SIM_UNIT_COUNT);
    sim_report(rep, "failover.called_off", (double)fo->called_off, SIM_UNIT_COUNT);
    sim_report(rep, "failover.last_promotion",
               fo->last_promotion < 0 ? NAN : (double)fo->last_promotion / SIM_S, SIM_UNIT_SECONDS);
}

void sim_failover_describe(const struct sim_failover *fo, char *buf, size_t n)
{
    if (!n) return;
    buf[0] = 0;
    if (!fo->on) return;
    char promote[96];
    sim_dist_describe(fo->promote, promote, sizeof promote);
    snprintf(buf, n, "; failover after %d missed %.3gs heartbeats, promote %s, endpoint ttl %.3gs",
             fo->missed, (double)fo->heartbeat / SIM_S, promote, (double)fo->endpoint_ttl / SIM_S);
}

void sim_failover_fini(struct sim_failover *fo)
{
    sim_free(fo->targets);
    fo->targets = NULL;
}
