/* limit.c: `archsim limit FILE --vary PATH --slo 'latency.p99<200ms' ...` finds the highest
 * value of a load field that meets every SLO, or with --minimise PATH the smallest value
 * of a capacity field that does: bracketing by doubling or halving, then bisection to the
 * stated precision. Every evaluation runs the scenario's replications with the same seed,
 * so the search is deterministic; an SLO holds when the mean across replications meets it.
 * At the first failing value it names the node that saturated and why. */
#include <math.h>
#include <stdlib.h>

#include "cli.h"

#define MAX_STEPS 40

struct search {
    const struct options *o;
    const char *path;
    bool minimise, integer;
    struct sim__expect slo[SIM_MAX_LIST];
    int nslo;
    int evaluations;
};

/* 'METRIC<VALUE', with <, <=, >, >=; VALUE a number, duration or percentage. */
static bool parse_slo(const char *text, struct sim__expect *e)
{
    static const struct {
        const char *op;
        enum sim__expect_op kind;
    } ops[] = {{"<=", EXPECT_AT_MOST}, {">=", EXPECT_AT_LEAST}, {"<", EXPECT_BELOW}, {">", EXPECT_ABOVE}};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        const char *at = strstr(text, ops[i].op);
        if (!at || at == text) continue;
        size_t n = (size_t)(at - text);
        char *metric = sim_alloc(n + 1);
        memcpy(metric, text, n);
        e->metric = metric;
        e->op = ops[i].kind;
        snprintf(e->path, sizeof e->path, "--slo");
        if (sim__parse_limit(at + strlen(ops[i].op), &e->a)) return true;
        sim_free(metric);
        break;
    }
    fprintf(stderr, "archsim: --slo '%s': expected METRIC<VALUE (or <=, >, >=), VALUE a number, "
                    "a duration such as 200ms or a percentage such as 1%%\n", text);
    return false;
}

/* The JSON value at a dotted path of the scenario, or NULL. */
static const cJSON *json_at(const cJSON *node, const char *path)
{
    char *buf = sim_strdup(path); /* a path of any length */
    for (char *save = NULL, *tok = strtok_r(buf, ".", &save); tok && node; tok = strtok_r(NULL, ".", &save)) {
        if (cJSON_IsArray(node)) node = cJSON_GetArrayItem(node, atoi(tok));
        else node = cJSON_GetObjectItemCaseSensitive(node, tok);
    }
    sim_free(buf);
    return node;
}

struct point {
    double value;
    bool pass;
    struct sim__results *res;
    struct sim__scenario sc;
    struct sim_loader *ld;
};

static void point_fini(struct point *p)
{
    sim__results_destroy(p->res);
    sim__scenario_fini(&p->sc);
    sim__loader_destroy(p->ld);
    memset(p, 0, sizeof *p);
}

static void format_value(const struct search *s, double v, char *buf, size_t n)
{
    if (s->integer) snprintf(buf, n, "%.0f", v);
    else snprintf(buf, n, "%.6g", v);
}

/* Runs the scenario at value v; false on bad input (the message is printed). */
static bool evaluate(struct search *s, double v, struct point *p)
{
    char text[64];
    format_value(s, v, text, sizeof text);
    struct sim__text set = {0}; /* the path as given, whatever its length */
    sim__text_add(&set, "%s=%s", s->path, text);
    const char *extra[1] = {set.text};
    memset(p, 0, sizeof *p);
    p->value = v;
    p->ld = sim__cli_load(s->o, s->o->files[0], extra, 1, &p->sc);
    sim_free(set.text);
    if (!p->ld) return false;
    p->res = sim__run(p->ld, &p->sc, false);
    if (!p->res) {
        fprintf(stderr, "%s\n", sim__loader_error(p->ld));
        return false;
    }
    s->evaluations++;
    p->pass = true;
    for (int i = 0; i < s->nslo; i++) {
        const struct sim__metric *m = sim__results_find(p->res, s->slo[i].metric);
        if (!m) {
            fprintf(stderr, "archsim: --slo %s: no such figure in %s\n", s->slo[i].metric, s->o->files[0]);
            return false;
        }
        if (!sim__expect_holds(&s->slo[i], m->ci.mean)) p->pass = false;
    }
    if (!s->o->quiet) {
        fprintf(stderr, "  %s = %s: %s\n", s->path, text, p->pass ? "meets every SLO" : "misses an SLO");
    }
    return true;
}

/* Good points meet the SLOs: for load, low values; for capacity, high values. */
static bool good_side_is_low(const struct search *s) { return !s->minimise; }

static void print_point(const struct search *s, const struct point *p, const char *label)
{
    char v[64];
    format_value(s, p->value, v, sizeof v);
    printf("  %s %s = %s:\n", label, s->path, v);
    for (int i = 0; i < s->nslo; i++) {
        const struct sim__metric *m = sim__results_find(p->res, s->slo[i].metric);
        char a[32], lo[32], hi[32], lim[32];
        sim__format_value(m->ci.mean, m->unit, a, sizeof a);
        sim__format_value(m->ci.low, m->unit, lo, sizeof lo);
        sim__format_value(m->ci.high, m->unit, hi, sizeof hi);
        sim__format_value(s->slo[i].a, m->unit, lim, sizeof lim);
        static const char *const words[] = {"<", ">", "<=", ">=", "between"};
        printf("    %-22s %10s [%s, %s]  %s %s %s\n", s->slo[i].metric, a, lo, hi, words[s->slo[i].op],
               lim, sim__expect_holds(&s->slo[i], m->ci.mean) ? "ok" : "MISSED");
    }
}

static double figure(const struct sim__results *r, const char *node, const char *what)
{
    char path[256];
    snprintf(path, sizeof path, "nodes.%s.%s", node, what);
    const struct sim__metric *m = sim__results_find(r, path);
    return m ? m->ci.mean : NAN;
}

/* The node that saturated first: the busiest at the failing point, and why. */
static void name_bottleneck(const struct point *good, const struct point *bad, cJSON *json)
{
    const struct sim__results *r = bad->res;
    int best = -1;
    double best_u = -1;
    for (int k = 0; k < r->nnodes; k++) {
        double u = figure(r, r->nodes[k].name, "utilisation");
        if (isfinite(u) && u > best_u) {
            best_u = u;
            best = k;
        }
    }
    if (best < 0) return;
    const char *name = r->nodes[best].name;
    double u0 = figure(good->res, name, "utilisation"), q0 = figure(good->res, name, "queue.mean");
    double q1 = figure(r, name, "queue.mean"), rej = figure(r, name, "rejection_ratio");
    char why[256], at0[64], at1[64];
    snprintf(at0, sizeof at0, "%.6g", good->value);
    snprintf(at1, sizeof at1, "%.6g", bad->value);
    if (rej > 0.001)
        snprintf(why, sizeof why, "its queue is full and rejects %.2f%% of calls (pool exhaustion)", rej * 100);
    else if (q1 > 2 * q0 + 1)
        snprintf(why, sizeof why, "its queue grows from %.3g to %.3g calls on average", q0, q1);
    else
        snprintf(why, sizeof why, "it is the busiest node");
    printf("saturates first: %s, utilisation %.1f%% at %s -> %.1f%% at %s; %s\n", name, u0 * 100, at0,
           best_u * 100, at1, why);
    cJSON *b = cJSON_AddObjectToObject(json, "bottleneck");
    cJSON_AddStringToObject(b, "node", name);
    cJSON_AddNumberToObject(b, "utilisation", best_u);
    cJSON_AddNumberToObject(b, "queue_mean", q1);
    cJSON_AddNumberToObject(b, "rejection_ratio", rej);
    cJSON_AddStringToObject(b, "why", why);
}

static cJSON *point_json(const struct search *s, const struct point *p)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "value", p->value);
    cJSON_AddBoolToObject(j, "meets_slos", p->pass);
    for (int i = 0; i < s->nslo; i++) {
        const struct sim__metric *m = sim__results_find(p->res, s->slo[i].metric);
        cJSON *f = cJSON_AddObjectToObject(j, s->slo[i].metric);
        cJSON_AddNumberToObject(f, "mean", m->ci.mean);
        cJSON *ci = cJSON_AddArrayToObject(f, "ci95");
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(m->ci.low));
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(m->ci.high));
    }
    return j;
}

int sim__cmd_limit(const struct options *o)
{
    struct search s = {.o = o};
    int code = 0;
    if ((o->nvaries == 1) == (o->minimise != NULL))
        return sim__cli_usage_error("limit takes one --vary PATH (the highest load that meets the "
                                    "SLOs) or one --minimise PATH (the least capacity)%s", "");
    if (!o->nslos) return sim__cli_usage_error("limit needs at least one --slo%s", "");
    s.minimise = o->minimise != NULL;
    s.path = s.minimise ? o->minimise : o->varies[0];
    if (strchr(s.path, '=')) return sim__cli_usage_error("--vary for limit takes a PATH alone, got '%s'", s.path);
    double precision = isnan(o->precision) ? 0.01 : o->precision;
    for (int i = 0; i < o->nslos; i++)
        if (!parse_slo(o->slos[i], &s.slo[s.nslo++])) {
            s.nslo--;
            code = 2;
        }

    /* The starting value is the scenario's own. */
    struct sim__scenario sc0;
    struct sim_loader *ld0 = code ? NULL : sim__cli_load(o, o->files[0], NULL, 0, &sc0);
    double start = NAN;
    if (ld0) {
        const cJSON *v = json_at(sim__loader_json(ld0), s.path);
        if (cJSON_IsNumber(v) && v->valuedouble > 0) {
            start = v->valuedouble;
            s.integer = start == floor(start) && s.minimise;
        } else {
            fprintf(stderr, "%s: %s: expected a positive number to search from\n", o->files[0], s.path);
            code = 2;
        }
        sim__scenario_fini(&sc0);
        sim__loader_destroy(ld0);
    } else {
        code = 2;
    }

    /* Every evaluated point is kept until the end: the search returns to none of them,
     * but the report shows the last good one, the first bad one and the first good one
     * (to show how the bottleneck grew). */
    struct point *pts = sim_alloc(2 * MAX_STEPS * sizeof *pts);
    int npts = 0, good = -1, bad = -1, ref = -1;
    if (!code && !o->quiet) fprintf(stderr, "archsim limit: searching %s\n", s.path);
    /* Bracket: step away from the start until both sides are seen. */
    double v = start;
    for (int step = 0; !code && step < MAX_STEPS && (good < 0 || bad < 0); step++) {
        struct point *p = &pts[npts++];
        if (!evaluate(&s, v, p)) {
            code = 2;
            break;
        }
        if (p->pass) good = npts - 1;
        else bad = npts - 1;
        if (p->pass && ref < 0) ref = npts - 1;
        bool go_up = p->pass == good_side_is_low(&s);
        v = go_up ? v * 2 : v / 2;
        if (s.integer) v = go_up ? ceil(v) : floor(v);
        if (s.integer && v < 1) break;
    }
    if (!code && (good < 0 || bad < 0)) {
        fprintf(stderr, "archsim: limit: %s never %s within %d evaluations\n", s.path,
                good >= 0 ? "misses the SLOs" : "meets the SLOs", s.evaluations);
        code = 1;
    }
    /* Bisect between the last good and the first bad value. */
    while (!code && npts < 2 * MAX_STEPS) {
        double lo = fmin(pts[good].value, pts[bad].value), hi = fmax(pts[good].value, pts[bad].value);
        if (s.integer ? hi - lo <= 1 : hi - lo <= precision * lo) break;
        double mid = s.integer ? floor((lo + hi) / 2) : (lo + hi) / 2;
        struct point *p = &pts[npts++];
        if (!evaluate(&s, mid, p)) {
            code = 2;
            break;
        }
        if (p->pass) good = npts - 1;
        else bad = npts - 1;
    }
    if (!code) {
        cJSON *json = cJSON_CreateObject();
        cJSON_AddStringToObject(json, "path", s.path);
        cJSON_AddStringToObject(json, "search", s.minimise ? "minimise" : "maximise");
        cJSON_AddNumberToObject(json, "limit", pts[good].value);
        cJSON_AddNumberToObject(json, "precision", s.integer ? 1 : precision);
        cJSON_AddNumberToObject(json, "evaluations", s.evaluations);
        cJSON_AddItemToObject(json, "at_limit", point_json(&s, &pts[good]));
        cJSON_AddItemToObject(json, "first_miss", point_json(&s, &pts[bad]));
        char lim[64];
        format_value(&s, pts[good].value, lim, sizeof lim);
        printf("limit: %s = %s, the %s value that meets every SLO (to within %s; %d runs of %d "
               "replications)\n", s.path, lim, s.minimise ? "smallest" : "highest",
               s.integer ? "1" : (precision == 0.01 ? "1%" : "the precision"), s.evaluations,
               pts[good].sc.replications);
        print_point(&s, &pts[good], "at");
        print_point(&s, &pts[bad], "misses at");
        name_bottleneck(&pts[ref], &pts[bad], json);
        if (o->json) code = sim__write_text(o->json, sim__json_text(json));
        cJSON_Delete(json);
    }
    for (int i = 0; i < npts; i++) point_fini(&pts[i]);
    sim_free(pts);
    for (int i = 0; i < s.nslo; i++) sim_free((char *)s.slo[i].metric);
    return code;
}
