/* dr.c: disaster recovery across two regions. The node is the global front door (DNS and
 * a health check) over two regional entry points. Active-passive strategies send every
 * request to the primary region; when the health check declares it down, the standby is
 * readied as the strategy says (restore a backup, start the app tier beside a replicated
 * database, scale out a small copy, or nothing for a hot standby), then DNS points at it and
 * clients follow as their cached record expires over the TTL. Writes acknowledged by the
 * primary and not yet at the standby are lost: those since the last backup, or those within
 * the replication lag, or none (hot: synchronous). Active-active sends each client to its
 * own region and checks both: when one is declared down, DNS sends its clients to the other
 * (nothing to prepare), and the writes it acknowledged within the lag are lost. While a
 * partition splits the regions both keep accepting writes, and a write to a key the other
 * side also wrote during the split is a conflict (split brain), unless fencing makes the
 * side without the witness refuse writes. Cost is instance-hours of each
 * region's footprint at a price per instance type. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

enum strategy { BACKUP_AND_RESTORE, PILOT_LIGHT, WARM_STANDBY, HOT_STANDBY, ACTIVE_ACTIVE };
static const char *const strategy_names[] = {"backup_and_restore", "pilot_light", "warm_standby",
                                             "hot_standby", "active_active", NULL};
static const char *const side_names[] = {"primary", "standby", NULL};

enum phase { NORMAL, PREPARING, SWITCHING, SWITCHED };

#define MAX_TYPES 16

/* A ring of acknowledgement times: the primary's writes within the replication lag. */
struct ring {
    sim_time *t;
    size_t head, count, cap;
};

struct dr {
    struct sim_component base;
    struct sim_component *entry[2]; /* 0: primary region, 1: standby */
    enum strategy strategy;
    sim_time interval, lag, ttl, backup_every, restore, scale_up, scale_out;
    int unhealthy_after;
    bool fencing;
    int witness; /* active-active with fencing: the side that keeps writing (0 or 1) */
    /* cost */
    int ntypes;
    const char *type_name[MAX_TYPES];
    double price[MAX_TYPES], count[MAX_TYPES];
    double warm_share;
    bool pilot[MAX_TYPES];
    /* state */
    enum phase phase;
    int down;                          /* the side declared down: 0, or 1 in active-active */
    int fails[2];                      /* failed checks in a row, per side */
    sim_time failed_at, detected_at, switch_at, done_at; /* -1: not yet */
    struct ring acked[2];              /* async: writes each side acked within the lag */
    uint64_t since_backup;             /* backup: writes acked since the last backup */
    sim_time first_since_backup, last_backup;
    sim_time last_ack[2];
    struct sim_rng *rng;
    struct sim_keymap side_keys[2];    /* keys written on each side during the current split */
    bool split;
    /* measurement */
    uint64_t routed[2], lost, conflicts, fenced, splits;
};

/* ---- configuration ---- */

static void read_cost(struct dr *d, struct sim_cfg *cfg)
{
    struct sim_cfg *c = sim_cfg_object(cfg, "cost", false);
    if (!c) return;
    struct sim_cfg *prices = sim_cfg_object(c, "prices", true);
    struct sim_cfg *region = sim_cfg_object(c, "region", true);
    int np = prices ? sim_cfg_size(prices) : 0;
    if (np > MAX_TYPES) sim_cfg_error(c, "prices", "expected at most %d instance types", MAX_TYPES);
    for (int i = 0; i < np && i < MAX_TYPES; i++) {
        d->type_name[i] = sim_cfg_key_at(prices, i);
        d->price[i] = sim_cfg_number(prices, d->type_name[i], NAN, 0, 1e6);
        d->count[i] = region ? (double)sim_cfg_int(region, d->type_name[i], 0, 0, 1000000) : 0;
    }
    d->ntypes = np < MAX_TYPES ? np : MAX_TYPES;
    int n = sim_cfg_array(c, "pilot");
    for (int i = 0; i < n; i++) {
        const char *name = sim_cfg_string_item(c, "pilot", i);
        int k = 0;
        while (name && k < d->ntypes && strcmp(d->type_name[k], name)) k++;
        if (name && k == d->ntypes) sim_cfg_error(c, "pilot", "'%s' has no price in cost.prices", name);
        else if (name) d->pilot[k] = true;
    }
    if (region) sim_cfg_end(region);
}

/* Each strategy's own settings live in an object named after it, so one file holds all
 * of them and `strategy` (or --vary nodes.NAME.strategy=...) picks one; every one present
 * is checked. Defaults apply to a strategy without its object. */
static void configure(struct sim_component *self, struct sim_cfg *cfg)
{
    struct dr *d = (struct dr *)self;
    sim_cfg_peer(cfg, "primary", &d->entry[0], true);
    sim_cfg_peer(cfg, "standby", &d->entry[1], true);
    d->strategy = (enum strategy)sim_cfg_choice(cfg, "strategy", -1, strategy_names);
    struct sim_cfg *hc = sim_cfg_object(cfg, "health_check", false);
    d->interval = 10 * SIM_S;
    d->unhealthy_after = 3;
    if (hc) {
        d->interval = sim_cfg_duration(hc, "interval", 10 * SIM_S, SIM_MS, 3600 * SIM_S);
        d->unhealthy_after = (int)sim_cfg_int(hc, "unhealthy_after", 3, 1, 1000);
    }
    d->ttl = sim_cfg_duration(cfg, "dns_ttl", 60 * SIM_S, 0, 86400 * SIM_S);
    d->warm_share = 0.25;
    d->lag = d->strategy == BACKUP_AND_RESTORE || d->strategy == HOT_STANDBY ? 0 : SIM_S;
    d->backup_every = 3600 * SIM_S;
    d->restore = 4 * 3600 * SIM_S;
    d->scale_up = 20 * 60 * SIM_S;
    d->scale_out = 5 * 60 * SIM_S;
    for (int k = 0; k < 5; k++) {
        struct sim_cfg *c = sim_cfg_object(cfg, strategy_names[k], false);
        if (!c) continue;
        sim_time lag = 0, b = 0, r = 0, up = 0, out = 0;
        bool fencing = false;
        int witness = 0;
        switch ((enum strategy)k) {
        case BACKUP_AND_RESTORE:
            b = sim_cfg_duration(c, "backup_interval", 3600 * SIM_S, SIM_S, 30 * 86400 * SIM_S);
            r = sim_cfg_duration(c, "restore", 4 * 3600 * SIM_S, 0, 30 * 86400 * SIM_S);
            break;
        case PILOT_LIGHT:
            lag = sim_cfg_duration(c, "replication_lag", SIM_S, 0, 86400 * SIM_S);
            up = sim_cfg_duration(c, "scale_up", 20 * 60 * SIM_S, 0, 86400 * SIM_S);
            break;
        case WARM_STANDBY:
            lag = sim_cfg_duration(c, "replication_lag", SIM_S, 0, 86400 * SIM_S);
            out = sim_cfg_duration(c, "scale_out", 5 * 60 * SIM_S, 0, 86400 * SIM_S);
            d->warm_share = sim_cfg_number(c, "share", 0.25, 0, 1);
            break;
        case HOT_STANDBY: break;
        case ACTIVE_ACTIVE:
            lag = sim_cfg_duration(c, "replication_lag", SIM_S, 0, 86400 * SIM_S);
            fencing = sim_cfg_bool(c, "fencing", false);
            witness = sim_cfg_choice(c, "witness", 0, side_names);
            if (!fencing && sim_cfg_has(c, "witness"))
                sim_cfg_error(c, "witness", "a witness only matters with \"fencing\": true");
            break;
        }
        if (k != (int)d->strategy) continue;
        d->lag = lag;
        d->backup_every = b;
        d->restore = r;
        d->scale_up = up;
        d->scale_out = out;
        d->fencing = fencing;
        d->witness = witness;
    }
    read_cost(d, cfg);
    d->rng = sim_rng(self, "health");
}

/* ---- the ring of recent acknowledgements ---- */

static void ring_push(struct ring *r, sim_time t)
{
    if (r->count == r->cap) { /* grows to the writes of one lag, then stays */
        size_t cap = r->cap ? 2 * r->cap : 256;
        sim_time *n = sim_alloc(cap * sizeof *n);
        sim_memory_charge((cap - r->cap) * sizeof *n);
        for (size_t i = 0; i < r->count; i++) n[i] = r->t[(r->head + i) % r->cap];
        sim_free(r->t);
        r->t = n;
        r->cap = cap;
        r->head = 0;
    }
    r->t[(r->head + r->count++) % r->cap] = t;
}

static void ring_trim(struct ring *r, sim_time before)
{
    while (r->count && r->t[r->head] < before) {
        r->head = (r->head + 1) % r->cap;
        r->count--;
    }
}

/* ---- failover ---- */

static const char *strategy_action(const struct dr *d)
{
    switch (d->strategy) {
    case BACKUP_AND_RESTORE: return "restoring the latest backup into the standby region";
    case PILOT_LIGHT: return "starting the app tier beside the replicated database";
    case WARM_STANDBY: return "scaling the standby copy out to full size";
    case ACTIVE_ACTIVE: return "pointing its clients' DNS at the other region";
    default: return "pointing DNS at the standby";
    }
}

static void switched(struct sim_component *self, void *arg)
{
    struct dr *d = (struct dr *)self;
    (void)arg;
    d->phase = SWITCHED;
    d->done_at = sim_now(self);
    sim_fault_restored(self, d->entry[d->down], -1);
    sim_story(self, "every client follows the new record (TTL %.0fs): %s serves all",
              (double)d->ttl / SIM_S, d->strategy == ACTIVE_ACTIVE ? "the surviving region" : "the standby region");
}

static void standby_ready(struct sim_component *self, void *arg)
{
    struct dr *d = (struct dr *)self;
    (void)arg;
    d->phase = SWITCHING;
    d->switch_at = sim_now(self);
    if (d->strategy == ACTIVE_ACTIVE)
        sim_story(self, "DNS now sends %s's clients to %s", d->entry[d->down]->name, d->entry[1 - d->down]->name);
    else
        sim_story(self, "the standby region is ready: DNS now points at %s", d->entry[1]->name);
    if (d->ttl == 0) switched(self, NULL);
    else sim_schedule(self, d->ttl, switched, NULL);
}

/* The acknowledged writes the other region never got from the side declared down. */
static void count_loss(struct dr *d)
{
    int s = d->down;
    uint64_t n = 0;
    sim_time oldest = d->last_ack[s];
    if (d->strategy == BACKUP_AND_RESTORE) {
        n = d->since_backup;
        oldest = d->first_since_backup;
    } else if (d->strategy != HOT_STANDBY && d->lag > 0) {
        /* The replication stream stopped when the region failed: what it had shipped by
         * then, acknowledged more than one lag earlier, is at the standby. */
        sim_time failed = sim_fault_since(d->entry[s], -1);
        if (failed < 0) failed = d->last_ack[s]; /* cut off by a partition: the last we heard */
        ring_trim(&d->acked[s], failed - d->lag + 1);
        n = d->acked[s].count;
        if (n) oldest = d->acked[s].t[d->acked[s].head];
    }
    d->lost += n;
    sim_fault_lost_writes(d->entry[s], -1, n, oldest);
}

static void declare_down(struct dr *d, int side)
{
    struct sim_component *self = &d->base;
    d->detected_at = sim_now(self);
    d->phase = PREPARING;
    d->down = side;
    sim_fault_detected(self, d->entry[side], -1);
    sim_story(self, "health check: %s failed %d checks in a row: the %s region is down; %s",
              d->entry[side]->name, d->unhealthy_after, side_names[side], strategy_action(d));
    count_loss(d);
    sim_time wait = d->strategy == BACKUP_AND_RESTORE ? d->restore
                    : d->strategy == PILOT_LIGHT     ? d->scale_up
                    : d->strategy == WARM_STANDBY    ? d->scale_out
                                                     : 0;
    if (wait == 0) standby_ready(self, NULL);
    else sim_schedule(self, wait, standby_ready, NULL);
}

static sim_time health_check(struct sim_component *self, void *arg)
{
    struct dr *d = (struct dr *)self;
    (void)arg;
    if (d->phase != NORMAL) return SIM_NO_MORE; /* no automatic fail-back */
    int sides = d->strategy == ACTIVE_ACTIVE ? 2 : 1; /* active-passive: only the primary serves */
    for (int s = 0; s < sides; s++) {
        bool ok = sim_fault_check_passes(d->entry[s], -1, true, d->rng) && sim_reachable(self, d->entry[s]);
        d->fails[s] = ok ? 0 : d->fails[s] + 1;
        if (d->fails[s] == 1) d->failed_at = sim_now(self);
        if (d->fails[s] >= d->unhealthy_after) {
            declare_down(d, s);
            return SIM_NO_MORE;
        }
    }
    return d->interval;
}

static sim_time backup(struct sim_component *self, void *arg)
{
    struct dr *d = (struct dr *)self;
    (void)arg;
    if (d->phase != NORMAL) return SIM_NO_MORE;
    if (sim_fault_down(d->entry[0], -1)) return d->backup_every; /* nothing to back up from */
    d->since_backup = 0;
    d->last_backup = sim_now(self);
    return d->backup_every;
}

static void start(struct sim_component *self)
{
    struct dr *d = (struct dr *)self;
    d->failed_at = d->detected_at = d->switch_at = d->done_at = d->last_ack[0] = d->last_ack[1] = -1;
    d->first_since_backup = d->last_backup = 0;
    sim_keymap_init(&d->side_keys[0], 64);
    sim_keymap_init(&d->side_keys[1], 64);
    /* Checks and backups at a random phase, so replications see every alignment. */
    sim_time phase = (sim_time)(sim_uniform(d->rng) * (double)d->interval);
    sim_every(self, phase > 0 ? phase : 1, health_check, NULL);
    if (d->strategy == BACKUP_AND_RESTORE) {
        sim_time b = (sim_time)(sim_uniform(d->rng) * (double)d->backup_every);
        sim_every(self, b > 0 ? b : 1, backup, NULL);
    }
}

/* ---- requests ---- */

/* The side a request goes to: its home side (the primary; active-active: the client's own
 * region, the standby's region, else the primary's) until that side is declared down, then
 * the other, for a share of clients that grows linearly over the TTL as their cached
 * records expire. */
static int side_for(struct dr *d, const struct sim_call *call)
{
    int home = 0;
    if (d->strategy == ACTIVE_ACTIVE) {
        int z = sim_call_client_zone(call), z1 = sim_zone_of(d->entry[1], -1);
        if (z >= 0 && z1 >= 0 && sim_zone_region(&d->base, z) == sim_zone_region(&d->base, z1)) home = 1;
    }
    if (home != d->down) return home;
    switch (d->phase) {
    case SWITCHED: return 1 - home;
    case SWITCHING: {
        double moved = (double)(sim_now(&d->base) - d->switch_at) / (double)d->ttl;
        return sim_uniform(d->rng) < moved ? 1 - home : home;
    }
    default: return home;
    }
}

/* Active-active: a write while the regions cannot reach each other. */
static bool split_write(struct dr *d, int side, uint64_t key)
{
    struct sim_component *self = &d->base;
    bool apart = !sim_reachable(d->entry[0], d->entry[1]) || !sim_reachable(d->entry[1], d->entry[0]);
    if (!apart) {
        if (d->split) { /* healed: the next split starts clean */
            sim_story(self, "the regions reach each other again; %llu conflicting writes so far",
                      (unsigned long long)d->conflicts);
            for (int s = 0; s < 2; s++) {
                sim_keymap_fini(&d->side_keys[s]);
                sim_keymap_init(&d->side_keys[s], 64);
            }
            d->split = false;
        }
        return true;
    }
    if (!d->split) {
        d->split = true;
        if (sim_measuring(self)) d->splits++;
        sim_story(self, "the regions cannot reach each other: %s", d->fencing
                  ? "fencing: only the side with the witness accepts writes"
                  : "both sides keep accepting writes (split brain)");
    }
    if (d->fencing && side != d->witness) {
        if (sim_measuring(self)) d->fenced++;
        return false;
    }
    if (!sim_keymap_get(&d->side_keys[side], key)) sim_keymap_put(&d->side_keys[side], key, 1);
    if (sim_keymap_get(&d->side_keys[1 - side], key) && sim_measuring(self)) d->conflicts++;
    return true;
}

static void receive(struct sim_component *self, struct sim_call *call)
{
    struct dr *d = (struct dr *)self;
    int side = side_for(d, call);
    if (d->strategy == ACTIVE_ACTIVE && call->op == SIM_OP_WRITE && !split_write(d, side, call->key)) {
        sim_respond(call, SIM_REJECTED);
        return;
    }
    if (sim_measuring(self)) d->routed[side]++;
    struct sim_call *c = sim_call_new(self, d->entry[side], call, call->op, call->key, call->deadline);
    c->caller_data = call;
    sim_call_send(c);
}

static void respond(struct sim_component *self, struct sim_call *call)
{
    struct dr *d = (struct dr *)self;
    /* The writes a side acknowledged, while a failure could still lose them: the primary's,
     * and in active-active either side's (each replicates to the other within the lag). */
    int s = call->callee == d->entry[0] ? 0 : 1;
    if (call->status == SIM_OK && call->op == SIM_OP_WRITE && d->phase == NORMAL &&
        (s == 0 || d->strategy == ACTIVE_ACTIVE)) {
        sim_time now = sim_now(self);
        d->last_ack[s] = now;
        if (d->strategy == BACKUP_AND_RESTORE) {
            if (d->since_backup++ == 0) d->first_since_backup = now;
        } else if (d->lag > 0 && d->strategy != HOT_STANDBY) {
            ring_trim(&d->acked[s], now - d->lag);
            ring_push(&d->acked[s], now);
        }
    }
    sim_respond(call->caller_data, call->status);
}

/* ---- cost and report ---- */

/* Instances of type k the standby region runs before a failover. */
static double standby_count(const struct dr *d, int k)
{
    switch (d->strategy) {
    case BACKUP_AND_RESTORE: return 0;
    case PILOT_LIGHT: return d->pilot[k] ? d->count[k] : 0;
    case WARM_STANDBY: return ceil(d->count[k] * d->warm_share);
    default: return d->count[k];
    }
}

static void clear_stats(struct sim_component *self)
{
    struct dr *d = (struct dr *)self;
    d->routed[0] = d->routed[1] = 0;
    d->conflicts = d->fenced = d->splits = 0;
}

static void report(struct sim_component *self, struct sim_report *rep)
{
    struct dr *d = (struct dr *)self;
    sim_time now = sim_now(self);
    double hours = sim_window_seconds(self) / 3600;
    sim_report(rep, "routed.primary", (double)d->routed[0], SIM_UNIT_COUNT);
    sim_report(rep, "routed.standby", (double)d->routed[1], SIM_UNIT_COUNT);
    sim_report(rep, "failed_over", d->detected_at >= 0, SIM_UNIT_RATIO);
    sim_report(rep, "lost_writes", (double)d->lost, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    if (d->strategy == ACTIVE_ACTIVE) {
        sim_report(rep, "splits", (double)d->splits, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
        sim_report(rep, "conflicting_writes", (double)d->conflicts, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
        sim_report(rep, "fenced_writes", (double)d->fenced, SIM_UNIT_COUNT);
    }
    if (!d->ntypes) return;
    /* Per hour in steady state, and over the measured window with the failover as it went:
     * once the standby is readied it runs the full footprint. */
    double primary = 0, standby = 0, full = 0;
    for (int k = 0; k < d->ntypes; k++) {
        primary += d->count[k] * d->price[k];
        standby += standby_count(d, k) * d->price[k];
        full += d->count[k] * d->price[k];
    }
    sim_report(rep, "cost.primary_per_hour", primary, SIM_UNIT_NUMBER | SIM_LOWER_BETTER);
    sim_report(rep, "cost.standby_per_hour", standby, SIM_UNIT_NUMBER | SIM_LOWER_BETTER);
    sim_report(rep, "cost.per_hour", primary + standby, SIM_UNIT_NUMBER | SIM_LOWER_BETTER);
    double ready = d->switch_at >= 0 ? (double)(now - d->switch_at) / SIM_S / 3600 : 0;
    if (ready > hours) ready = hours;
    sim_report(rep, "cost.run", (primary + standby) * hours + (full - standby) * ready,
               SIM_UNIT_NUMBER | SIM_LOWER_BETTER);
}

static void sample(struct sim_component *self, struct sim_sampler *s)
{
    struct dr *d = (struct dr *)self;
    sim_sample(s, "phase", (double)d->phase);
}

static void describe(struct sim_component *self, char *buf, size_t n)
{
    struct dr *d = (struct dr *)self;
    snprintf(buf, n, "%s, %s -> %s, health check every %.3gs x %d, DNS TTL %.3gs",
             strategy_names[d->strategy], d->entry[0] ? d->entry[0]->name : "?",
             d->entry[1] ? d->entry[1]->name : "?", (double)d->interval / SIM_S,
             d->unhealthy_after, (double)d->ttl / SIM_S);
}

static void fini(struct sim_component *self)
{
    struct dr *d = (struct dr *)self;
    sim_free(d->acked[0].t);
    sim_free(d->acked[1].t);
    sim_keymap_fini(&d->side_keys[0]);
    sim_keymap_fini(&d->side_keys[1]);
}

const struct sim_model dr_model = {
    .name = "dr",
    .summary = "disaster recovery over two regions: health check, DNS failover, a DR strategy",
    .size = sizeof(struct dr),
    .configure = configure,
    .start = start,
    .receive = receive,
    .respond = respond,
    .clear_stats = clear_stats,
    .report = report,
    .sample = sample,
    .describe = describe,
    .fini = fini,
};
