/* fault.c: reading `faults` into the "@faults" component and turning each fault on and
 * off: at a time for a duration, or per target alternating between an up time drawn from
 * the MTBF and a repair time drawn from the MTTR. A target is a node, one of its instances
 * (by number or by the model's name for it: "db.primary"), or every node and instance in a
 * zone or region; a partition names two groups instead. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

#include "fault.h"
#include "load/scenario.h"

static const char *const kind_names[] = {"crash", "hang", "slow", "error", "partition",
                                         "flush", "disk_full", "replication_paused", NULL};

const char *sim__fault_kind_name(enum sim_fault_kind k)
{
    return kind_names[k];
}

static void add_target(struct sim__fault_spec *f, int comp, int instance)
{
    if (f->ntargets == f->targets_cap) { /* doubling: a region of 10^5 nodes is linear */
        f->targets_cap = f->targets_cap ? 2 * f->targets_cap : 4;
        f->targets = sim_realloc(f->targets, (size_t)f->targets_cap * sizeof *f->targets);
    }
    f->targets[f->ntargets++] = (struct sim__target){
        .spec = f, .comp = comp, .instance = instance, .detected = -1, .restored = -1, .watch_at = -1};
}

/* Every node placed in the zone (region >= 0: every zone of that region), and every
 * instance of a spread node that sits there. */
static void add_place(struct sim_world *w, struct sim__fault_spec *f, int zone, int region)
{
    for (int c = 1; c < w->ncomponents; c++) {
        if (w->components[c]->name[0] == '@') continue;
        const struct sim__placement *p = &w->placement[c];
        if (!p->nspread) {
            int z = p->zone;
            if (z != SIM_NO_ZONE && (region >= 0 ? w->zone_region[z] == region : z == zone))
                add_target(f, c, -1);
            continue;
        }
        int n = sim_instances(w->components[c]);
        for (int i = 0; i < n; i++) {
            int z = sim_zone_of(w->components[c], i);
            if (region >= 0 ? w->zone_region[z] == region : z == zone) add_target(f, c, i);
        }
    }
}

static int find(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name)) return i;
    return -1;
}

/* "zone:NAME" or "region:NAME": its index in *zone or *region; false when it is neither
 * (the error is recorded when it names an unknown place). */
static bool read_place(struct sim_world *w, struct sim_cfg *cfg, const char *key,
                       const char *text, int *zone, int *region)
{
    *zone = *region = -1;
    bool is_zone = !strncmp(text, "zone:", 5), is_region = !strncmp(text, "region:", 7);
    if (!is_zone && !is_region) return false;
    if (is_zone) *zone = sim__zone_lookup(cfg, key, text + 5);
    else if ((*region = find(w->region_names, w->nregions, text + 7)) < 0)
        sim_cfg_error(cfg, key, "unknown region '%s'%s", text + 7,
                      w->nregions ? "" : " (no regions are declared)");
    return true;
}

/* A node by name, or NULL with an error naming the nodes there are. */
static struct sim_component *read_node(struct sim_world *w, struct sim_cfg *cfg, const char *key,
                                       const char *name)
{
    struct sim_component *c = sim__world_find(w, name);
    if (c && name[0] != '@') return c;
    const char **names = sim_alloc((size_t)w->ncomponents * sizeof *names);
    size_t n = 0;
    for (int i = 0; i < w->ncomponents; i++)
        if (w->components[i]->name[0] != '@') names[n++] = w->components[i]->name;
    const char *close = sim__closest(name, names, n);
    if (close) sim_cfg_error(cfg, key, "no node named '%s' (did you mean '%s'?)", name, close);
    else sim_cfg_error(cfg, key, "no node named '%s'", name);
    sim_free(names);
    return NULL;
}

/* "node", "node.N" or "node.NAME" (the model's name for an instance). */
static void read_node_target(struct sim_world *w, struct sim_cfg *cfg, struct sim__fault_spec *f,
                             const char *text)
{
    char *name = sim_strdup(text); /* any length; the loader frees it */
    sim__loader_own(sim__cfg_loader(cfg), name, sim_free);
    char *sub = strchr(name, '.');
    if (sub) *sub++ = 0;
    struct sim_component *c = read_node(w, cfg, "target", name);
    if (!c) return;
    if (!sub) {
        add_target(f, c->index, -1);
        return;
    }
    int n = sim__fault_instances(c), i = -1;
    char *end;
    long v = strtol(sub, &end, 10);
    if (*sub && !*end) i = v >= 0 && v < n ? (int)v : -2;
    else if (c->model->instance_named) i = c->model->instance_named(c, sub);
    SIM_ASSERT(c, i < n); /* a model names only instances it has */
    if (i == -2)
        sim_cfg_error(cfg, "target", "'%s' has instances 0 to %d, not %s", c->name, n - 1, sub);
    else if (i < 0)
        sim_cfg_error(cfg, "target", "'%s' (a %s) has no instance called '%s'%s", c->name,
                      c->model->name, sub,
                      c->model->instance_named ? "" : ": name an instance by its number");
    else {
        add_target(f, c->index, i);
        f->targets[f->ntargets - 1].named = text;
    }
}

/* One side of a partition (key "from" or "to"): node names, "zone:Z" and "region:R". */
static void read_side(struct sim_world *w, struct sim_cfg *cfg, struct sim__fault_spec *f,
                      const char *key, uint8_t bit)
{
    int n = sim_cfg_array(cfg, key);
    if (n < 1 && !sim_cfg_failed(cfg))
        sim_cfg_error(cfg, key, "expected a non-empty array of node names, \"zone:Z\" or "
                                "\"region:R\"");
    for (int i = 0; i < n && !sim_cfg_failed(cfg); i++) {
        const char *name = sim_cfg_string_item(cfg, key, i);
        if (!name) return;
        char ikey[48];
        snprintf(ikey, sizeof ikey, "%s.%d", key, i);
        int zone, region;
        if (read_place(w, cfg, ikey, name, &zone, &region)) {
            for (int z = 0; z < w->nzones; z++)
                if (z == zone || (region >= 0 && w->zone_region[z] == region)) f->zone_side[z] |= bit;
            continue;
        }
        struct sim_component *c = read_node(w, cfg, ikey, name);
        if (c) f->comp_side[c->index] |= bit;
    }
}

/* A node, zone or region on both sides would be cut from itself: surely a typo. */
static void side_overlap(struct sim_world *w, struct sim_cfg *cfg, struct sim__fault_spec *f)
{
    for (int c = 0; c < w->ncomponents && !sim_cfg_failed(cfg); c++)
        if (f->comp_side[c] == 3)
            sim_cfg_error(cfg, "to", "'%s' is on both sides of the partition (in \"from\" and "
                          "in \"to\")", w->components[c]->name);
    for (int z = 0; z < w->nzones && !sim_cfg_failed(cfg); z++)
        if (f->zone_side[z] == 3)
            sim_cfg_error(cfg, "to", "zone '%s' is on both sides of the partition (in \"from\" "
                          "and in \"to\", by name or by its region)", w->zone_names[z]);
}

static char *label_of(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *label_of(const char *fmt, ...)
{
    struct sim__text t = {0};
    va_list ap;
    va_start(ap, fmt);
    sim__text_vadd(&t, fmt, ap);
    va_end(ap);
    return t.text;
}

static void read_kind_settings(struct sim_cfg *cfg, struct sim__fault_spec *f)
{
    struct sim_fault *x = &f->fault;
    x->factor = 1;
    if (f->kind == SIM_FAULT_CRASH) {
        x->silent = sim_cfg_bool(cfg, "silent", false);
    } else if (f->kind == SIM_FAULT_SLOW) {
        x->factor = sim_cfg_number(cfg, "factor", 1, 1e-3, 1e6);
        x->add = sim_cfg_duration(cfg, "add", 0, 0, SIM_MAX_DURATION);
        if (x->factor == 1 && x->add == 0 && !sim_cfg_failed(cfg))
            sim_cfg_error(cfg, NULL, "a slow fault needs \"factor\" (service time x k) or "
                                     "\"add\" (a delay added)");
    } else if (f->kind == SIM_FAULT_ERROR) {
        x->ratio = sim_cfg_number(cfg, "ratio", NAN, 0, 1);
    }
}

/* Whether every target's model implements the kind; an error names the first that does not. */
static void check_kind(struct sim_world *w, struct sim_cfg *cfg, struct sim__fault_spec *f)
{
    unsigned bit = SIM_FAULT_BIT(f->kind);
    for (int i = 0; i < f->ntargets && !sim_cfg_failed(cfg); i++) {
        struct sim_component *c = w->components[f->targets[i].comp];
        if ((SIM_FAULT_GENERIC | c->model->fault_kinds) & bit) continue;
        char kinds[160] = "";
        for (int k = 0; k < SIM_FAULT_KINDS; k++)
            if ((SIM_FAULT_GENERIC | c->model->fault_kinds) & SIM_FAULT_BIT(k))
                snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds), "%s%s",
                         kinds[0] ? ", " : "", kind_names[k]);
        sim_cfg_error(cfg, "kind", "'%s' (a %s) cannot take a %s fault (it takes: %s)", c->name,
                      c->model->name, kind_names[f->kind], kinds);
    }
}

static void read_fault(struct sim__faults *fs, struct sim_cfg *cfg, struct sim__fault_spec *f)
{
    struct sim_world *w = fs->base.world;
    f->kind = (enum sim_fault_kind)sim_cfg_choice(cfg, "kind", -1, kind_names);
    f->fault.id = f->id;
    f->fault.kind = f->kind;
    f->last_end = SIM_NEVER;
    f->span_begin = -1;
    if (sim_cfg_failed(cfg)) return;
    read_kind_settings(cfg, f);
    if (f->kind == SIM_FAULT_PARTITION) {
        if (sim_cfg_has(cfg, "target"))
            sim_cfg_error(cfg, "target", "a partition names its two sides in \"from\" and "
                                         "\"to\", not a target");
        f->comp_side = sim_alloc((size_t)w->ncomponents);
        f->zone_side = sim_alloc((size_t)(w->nzones ? w->nzones : 1));
        read_side(w, cfg, f, "from", 1);
        read_side(w, cfg, f, "to", 2);
        f->one_way = sim_cfg_bool(cfg, "one_way", false);
        add_target(f, -1, -1);
        f->label = label_of("partition %d", f->id);
        side_overlap(w, cfg, f);
    } else {
        const char *target = sim_cfg_string(cfg, "target", NULL);
        if (!target) return;
        int zone, region;
        if (read_place(w, cfg, "target", target, &zone, &region)) {
            if (!sim_cfg_failed(cfg)) add_place(w, f, zone, region);
            if (!sim_cfg_failed(cfg) && !f->ntargets)
                sim_cfg_error(cfg, "target", "no node is placed in %s", target);
        } else {
            read_node_target(w, cfg, f, target);
        }
        f->label = label_of("%s:%s", target, kind_names[f->kind]);
        check_kind(w, cfg, f);
    }
    if (sim_cfg_failed(cfg)) return;
    bool random = sim_cfg_has(cfg, "mtbf") || sim_cfg_has(cfg, "mttr");
    if (random) {
        f->mtbf = sim_cfg_dist(cfg, "mtbf", SIM_QTY_DURATION, NULL);
        f->mttr = sim_cfg_dist(cfg, "mttr", SIM_QTY_DURATION, NULL);
        if (sim_cfg_has(cfg, "at") || sim_cfg_has(cfg, "for"))
            sim_cfg_error(cfg, sim_cfg_has(cfg, "at") ? "at" : "for",
                          "a fault drawn from mtbf and mttr takes no \"at\" or \"for\"");
        if (f->mtbf && sim_dist_mean(f->mtbf) <= 0)
            sim_cfg_error(cfg, "mtbf", "expected a mean time between failures above zero");
        /* Each instance fails on its own: a node target is its instances. */
        int n = f->ntargets;
        for (int i = 0; i < n && !sim_cfg_failed(cfg); i++) {
            struct sim__target t = f->targets[i];
            int k = t.comp >= 0 && t.instance < 0 ? sim_instances(w->components[t.comp]) : 1;
            if (k <= 1) continue;
            f->targets[i].instance = 0;
            for (int j = 1; j < k; j++) add_target(f, t.comp, j);
        }
        f->rng = sim_rng(&fs->base, f->label);
    } else {
        f->at = sim_cfg_duration(cfg, "at", SIM_REQUIRED, 0, SIM_NEVER);
        f->duration = sim_cfg_duration(cfg, "for", SIM_NEVER, 1, SIM_NEVER);
    }
    f->rto_objective = sim_cfg_duration(cfg, "rto_objective", -1, 0, SIM_NEVER);
    f->rpo_objective = sim_cfg_duration(cfg, "rpo_objective", -1, 0, SIM_NEVER);
    const char *name = sim_cfg_has(cfg, "name") ? sim_cfg_string(cfg, "name", NULL) : NULL;
    if (name) {
        sim_free(f->label);
        f->label = sim_strdup(name);
    }
}

static void fault_on(struct sim_component *self, void *arg)
{
    struct sim__fault_spec *f = arg;
    for (int i = 0; i < f->ntargets; i++)
        sim__fault_apply((struct sim__faults *)self, f, &f->targets[i], true);
}

static void fault_off(struct sim_component *self, void *arg)
{
    struct sim__fault_spec *f = arg;
    for (int i = 0; i < f->ntargets; i++)
        sim__fault_apply((struct sim__faults *)self, f, &f->targets[i], false);
}

/* mtbf: a target alternates; the next change is drawn when this one happens. */
static void target_flip(struct sim_component *self, void *arg)
{
    struct sim__target *t = arg;
    struct sim__fault_spec *f = t->spec;
    bool begins = !t->on;
    sim__fault_apply((struct sim__faults *)self, f, t, begins);
    sim_time next = sim_dist_draw_time(begins ? f->mttr : f->mtbf, f->rng);
    t->next = sim_schedule(self, next > 0 ? next : 1, target_flip, t);
}

static void start(struct sim_component *self)
{
    struct sim__faults *fs = (struct sim__faults *)self;
    for (int i = 0; i < fs->nspecs; i++) {
        struct sim__fault_spec *f = &fs->specs[i];
        if (f->mtbf) {
            for (int k = 0; k < f->ntargets; k++) {
                sim_time first = sim_dist_draw_time(f->mtbf, f->rng);
                f->targets[k].next = sim_schedule(self, first > 0 ? first : 1, target_flip,
                                                  &f->targets[k]);
            }
            continue;
        }
        sim_schedule(self, f->at, fault_on, f);
        if (f->at == SIM_NEVER) continue;
        if (f->duration != SIM_NEVER && f->at < SIM_NEVER - f->duration)
            sim_schedule(self, f->at + f->duration, fault_off, f);
    }
    sim__faults_slo_start(fs);
}

static void clear_stats(struct sim_component *self)
{
    (void)self; /* faults are measured over the whole run: they are placed in time */
}

static void fini(struct sim_component *self)
{
    struct sim__faults *fs = (struct sim__faults *)self;
    for (int i = 0; i < fs->nspecs; i++) {
        sim_free(fs->specs[i].targets);
        sim_free(fs->specs[i].label);
        sim_free(fs->specs[i].comp_side);
        sim_free(fs->specs[i].zone_side);
        sim_free(fs->specs[i].snap);
        sim_free(fs->specs[i].during_calls);
    }
    sim_free(fs->specs);
    sim_free(fs->watch);
    for (int c = 0; fs->health && c < fs->ncomponents; c++) {
        for (int k = 0; k < fs->health[c].nslots; k++) sim_fifo_fini(&fs->health[c].slot[k].held);
        sim_free(fs->health[c].slot);
    }
    sim_free(fs->health);
    sim_free(fs->received);
    sim_free(fs->marks.text);
    self->world->faults = NULL;
}

static void configure(struct sim_component *self, struct sim_cfg *root)
{
    struct sim__faults *fs = (struct sim__faults *)self;
    struct sim_world *w = self->world;
    fs->ncomponents = w->ncomponents;
    fs->health = sim_alloc((size_t)w->ncomponents * sizeof *fs->health);
    fs->received = sim_alloc((size_t)w->ncomponents * sizeof *fs->received);
    int n = sim_cfg_array(root, "faults");
    fs->specs = sim_alloc((size_t)(n ? n : 1) * sizeof *fs->specs);
    for (int i = 0; i < n && !sim_cfg_failed(root); i++) {
        struct sim_cfg *cfg = sim_cfg_item(root, "faults", i);
        if (!cfg) return;
        struct sim__fault_spec *f = &fs->specs[fs->nspecs++];
        f->id = i;
        f->snap = sim_alloc((size_t)w->ncomponents * sizeof *f->snap);
        f->during_calls = sim_alloc((size_t)w->ncomponents * sizeof *f->during_calls);
        read_fault(fs, cfg, f);
    }
    fs->slo_target = 0.99;
    fs->slo_window = 10 * SIM_S;
    struct sim_cfg *slo = sim_cfg_object(root, "slo", false);
    if (slo) {
        if (sim_cfg_type(slo, "availability") == SIM_CFG_STRING) {
            const char *text = sim_cfg_string(slo, "availability", NULL);
            if (!sim__parse_limit(text, &fs->slo_target) || !(fs->slo_target >= 0 && fs->slo_target <= 1))
                sim_cfg_error(slo, "availability", "expected a share from 0 to 1 or a percentage "
                                                   "such as \"99.9%%\", got \"%s\"", text);
        } else {
            fs->slo_target = sim_cfg_number(slo, "availability", 0.99, 0, 1);
        }
        fs->slo_window = sim_cfg_duration(slo, "window", 10 * SIM_S, 10 * SIM_US, SIM_NEVER / 2);
    }
    fs->bucket_width = fs->slo_window / SLO_BUCKETS;
    fs->error_rng = sim_rng(self, "errors");
}

const struct sim_model sim__faults_model = {
    .name = "faults",
    .summary = "the scenario's injected faults",
    .size = sizeof(struct sim__faults),
    .configure = configure,
    .start = start,
    .clear_stats = clear_stats,
    .report = sim__faults_report,
    .sample = sim__faults_sample,
    .fini = fini,
};

void sim__faults_build(struct sim_world *w, struct sim_cfg *root)
{
    if (!sim_cfg_has(root, "faults") && !sim_cfg_has(root, "slo")) return;
    struct sim_component *c = sim__world_add(w, &sim__faults_model, "@faults");
    static const struct sim__fault_hooks hooks = {sim__fault_intercept, sim__faults_outcome,
                                                  sim__partitioned};
    w->faults = (struct sim__faults *)c;
    w->fault_hooks = &hooks;
    /* Every other component's health slots exist before the first fault begins. */
    sim__faults_model.configure(c, root);
}
