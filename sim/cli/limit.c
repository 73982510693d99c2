/* limit.c: `archsim limit FILE --vary PATH --slo 'latency.p99<200ms' ...` finds the highest
 * value of a load field that meets every SLO, or with --minimise PATH the smallest value
 * of a capacity field that does: bracketing by doubling or halving (at most BRACKET_CAP
 * times the scenario's value either way, and never outside the field's range), then
 * bisection to the stated precision. Every evaluation runs the scenario's replications with
 * the same seed, so the search is deterministic. At each value every SLO gets a verdict
 * from its 95% interval (docs/limit.md): met, missed, uncertain (the interval straddles the
 * objective: replications are added, up to EXTRA_CAP times the scenario's, then the mean
 * decides), or not measured (too few requests: never a pass); a replication stopped by the
 * memory budget makes the value unstable, which misses. At the first failing value it
 * names the node that saturated and why. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>

#include "cli.h"

#define BRACKET_CAP 1024 /* bracketing goes at most this factor from the scenario's value */
#define EXTRA_CAP 4      /* an uncertain value runs at most this many times the replications */
#define MAX_POINTS 64    /* bracketing (11 each way) plus bisection to any precision > 0 */

enum verdict { MET, MISSED, UNCERTAIN, NOT_MEASURED };
static const char *const verdict_words[] = {"met", "MISSED", "uncertain", "not measured"};
static const char *const verdict_names[] = {"met", "missed", "uncertain", "not_measured"}; /* JSON */

struct slo {
    struct sim__expect e; /* metric allocated here */
    bool bare;            /* the value had no unit: refused for a duration figure */
    double q;             /* the percentile asked (0.99 for .p99), 0 for other figures */
    const char *text;     /* as given */
};

struct search {
    const struct options *o;
    const char *path;
    bool minimise, integer;
    struct slo slo[SIM_MAX_LIST];
    int nslo;
    int evaluations;
};

/* Copies text[0, n) without the spaces around it. */
static char *trimmed(const char *text, size_t n)
{
    while (n && isspace((unsigned char)*text)) text++, n--;
    while (n && isspace((unsigned char)text[n - 1])) n--;
    char *s = sim_alloc(n + 1);
    memcpy(s, text, n);
    return s;
}

/* The percentile a figure's last segment names: "p99" 0.99, "p999" 0.999, "p50" 0.5. */
static double percentile_of(const char *metric)
{
    const char *leaf = strrchr(metric, '.');
    leaf = leaf ? leaf + 1 : metric;
    if (leaf[0] != 'p' || !isdigit((unsigned char)leaf[1])) return 0;
    size_t n = strspn(leaf + 1, "0123456789");
    if (leaf[1 + n] || n > 6) return 0;
    char digits[16] = "0.";
    memcpy(digits + 2, leaf + 1, n);
    return strtod(digits, NULL);
}

bool sim__slo_parse(const char *text, struct sim__expect *e, bool *bare, char *err, size_t errn)
{
    static const struct {
        const char *op;
        enum sim__expect_op kind;
    } ops[] = {{"<=", EXPECT_AT_MOST}, {">=", EXPECT_AT_LEAST}, {"<", EXPECT_BELOW}, {">", EXPECT_ABOVE}};
    memset(e, 0, sizeof *e);
    snprintf(e->path, sizeof e->path, "--slo");
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        const char *at = strstr(text, ops[i].op);
        if (!at) continue;
        char *metric = trimmed(text, (size_t)(at - text));
        const char *rest = at + strlen(ops[i].op);
        char *value = trimmed(rest, strlen(rest));
        bool ok = metric[0] && !strpbrk(metric, " \t<>=") && sim__parse_limit(value, &e->a);
        if (ok) {
            char *end;
            (void)strtod(value, &end);
            *bare = !*end; /* a plain number: no unit, no % */
            e->metric = metric;
            e->op = ops[i].kind;
        } else {
            sim_free(metric);
        }
        sim_free(value);
        if (ok) return true;
        break;
    }
    snprintf(err, errn, "--slo '%s': expected METRIC<VALUE (or <=, >, >=; spaces allowed), VALUE a "
             "number, a duration such as 200ms or a percentage such as 1%%", text);
    return false;
}

/* A duration written without its unit ('latency.p99<50') is refused, with the value in
 * milliseconds as the suggestion. */
bool sim__slo_check_unit(const struct sim__expect *e, bool bare, enum sim_unit unit, const char *text,
                         char *err, size_t errn)
{
    if (!bare || unit != SIM_UNIT_SECONDS) return true;
    snprintf(err, errn, "--slo '%s': %s is a duration: give its unit, e.g. %gms (or %gs)", text,
             e->metric, e->a, e->a);
    return false;
}

/* Requests a figure needs in every replication to count as measured: 10/(1 - q) for the
 * q-th percentile (ten beyond it: 1000 for p99, 10000 for p999), 10 for any other. */
double sim__slo_min_requests(double q)
{
    return q > 0 && q < 1 ? ceil(10 / (1 - q) - 1e-9) : 10;
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
    bool pass, unstable, uncertain; /* uncertain: decided by the mean after EXTRA_CAP */
    int replications;
    enum verdict verdict[SIM_MAX_LIST];
    double requests[SIM_MAX_LIST]; /* the fewest requests a replication measured the SLO on */
    struct sim__results *res;
    struct sim__scenario sc;
    struct sim_loader *ld;
};

static void point_fini(struct point *p)
{
    sim__results_destroy(p->res);
    sim__scenario_fini(&p->sc);
    sim__loader_destroy(p->ld);
    p->res = NULL;
    p->ld = NULL;
}

static void format_value(const struct search *s, double v, char *buf, size_t n)
{
    if (s->integer) snprintf(buf, n, "%.0f", v);
    else snprintf(buf, n, "%.6g", v);
}

/* The requests a figure rests on: its histogram's count (latency.p99: latency.count), else
 * the requests finished; the fewest over the replications. */
static double requests_behind(const struct sim__results *res, const char *metric)
{
    const char *dot = strrchr(metric, '.');
    struct sim__text path = {0}; /* the figure's name as given, whatever its length */
    if (dot) sim__text_add(&path, "%.*s.count", (int)(dot - metric), metric);
    const struct sim__metric *m = dot ? sim__results_find(res, path.text) : NULL;
    sim_free(path.text);
    if (!m) m = sim__results_find(res, "requests.finished");
    if (!m) return INFINITY;
    double fewest = INFINITY;
    for (int r = 0; r < res->replications; r++)
        if (!(m->values[r] >= fewest)) fewest = m->values[r];
    return fewest;
}

static enum verdict judge(const struct slo *slo, const struct sim__metric *m, double requests, int reps)
{
    if (!(requests >= sim__slo_min_requests(slo->q))) return NOT_MEASURED;
    if (isnan(m->ci.mean)) return NOT_MEASURED;
    if (reps < 2 || !(m->ci.half > 0)) return sim__expect_holds(&slo->e, m->ci.mean) ? MET : MISSED;
    bool low = sim__expect_holds(&slo->e, m->ci.low), high = sim__expect_holds(&slo->e, m->ci.high);
    return low && high ? MET : !low && !high ? MISSED : UNCERTAIN;
}

enum outcome { EVALUATED, OUT_OF_RANGE, BAD_INPUT };

/* Runs the scenario at value v with reps replications (0: the scenario's). A value the
 * scenario refuses is outside the field's range when any was accepted before. */
static enum outcome run_point(struct search *s, double v, int reps, struct point *p)
{
    char text[64], rset[64];
    format_value(s, v, text, sizeof text);
    struct sim__text set = {0}; /* the path as given, whatever its length */
    sim__text_add(&set, "%s=%s", s->path, text);
    snprintf(rset, sizeof rset, "replications=%d", reps);
    const char *extra[2] = {set.text, rset};
    memset(p, 0, sizeof *p);
    p->value = v;
    p->ld = sim__cli_load(s->o, s->o->files[0], extra, reps ? 2 : 1,
                          s->minimise ? "--minimise" : "--vary", &p->sc);
    sim_free(set.text);
    if (!p->ld) return s->evaluations ? OUT_OF_RANGE : BAD_INPUT;
    p->res = sim__run(p->ld, &p->sc, false);
    if (!p->res) {
        fprintf(stderr, "%s\n", sim__loader_error(p->ld));
        return s->evaluations ? OUT_OF_RANGE : BAD_INPUT;
    }
    s->evaluations++;
    p->replications = p->sc.replications;
    p->unstable = p->res->unstable.on;
    p->pass = !p->unstable;
    for (int i = 0; i < s->nslo; i++) {
        const struct sim__metric *m = sim__results_find(p->res, s->slo[i].e.metric);
        if (!m) {
            fprintf(stderr, "archsim: --slo %s: no such figure in %s\n", s->slo[i].e.metric,
                    sim__input_label(s->o->files[0]));
            return BAD_INPUT;
        }
        char err[512];
        if (!sim__slo_check_unit(&s->slo[i].e, s->slo[i].bare, m->unit, s->slo[i].text, err, sizeof err)) {
            fprintf(stderr, "archsim: %s\n", err);
            return BAD_INPUT;
        }
        p->requests[i] = requests_behind(p->res, s->slo[i].e.metric);
        p->verdict[i] = p->unstable ? NOT_MEASURED : judge(&s->slo[i], m, p->requests[i], p->replications);
        if (p->verdict[i] == MISSED || p->verdict[i] == NOT_MEASURED) p->pass = false;
    }
    return EVALUATED;
}

/* One value's verdict. While an SLO is uncertain and none is missed, the value runs again
 * with twice the replications (the first ones are the same: same seed), up to EXTRA_CAP
 * times the scenario's; then the mean decides and the value is marked uncertain. */
static enum outcome evaluate(struct search *s, double v, struct point *p)
{
    enum outcome out = run_point(s, v, 0, p);
    int base = p->replications;
    while (out == EVALUATED) {
        bool uncertain = false;
        for (int i = 0; i < s->nslo; i++) uncertain |= p->verdict[i] == UNCERTAIN;
        if (!uncertain || !p->pass) break;
        if (p->replications >= EXTRA_CAP * base || p->replications * 2 > 10000) {
            p->uncertain = true;
            for (int i = 0; i < s->nslo; i++) {
                const struct sim__metric *m = sim__results_find(p->res, s->slo[i].e.metric);
                if (p->verdict[i] == UNCERTAIN && !sim__expect_holds(&s->slo[i].e, m->ci.mean))
                    p->pass = false;
            }
            break;
        }
        int more = p->replications * 2;
        if (!s->o->quiet)
            fprintf(stderr, "  %s = %g: uncertain with %d replications, running %d\n", s->path, v,
                    p->replications, more);
        point_fini(p);
        out = run_point(s, v, more, p);
    }
    if (out != EVALUATED || s->o->quiet) return out;
    char text[64];
    format_value(s, v, text, sizeof text);
    if (p->unstable) {
        fprintf(stderr, "  %s = %s: misses (%s)\n", s->path, text, p->res->unstable.message);
        return out;
    }
    const char *word = p->pass ? (p->uncertain ? "meets every SLO (uncertain: by the mean)" : "meets every SLO")
                               : (p->uncertain ? "misses an SLO (uncertain: by the mean)" : "misses an SLO");
    for (int i = 0; i < s->nslo && !p->pass; i++)
        if (p->verdict[i] == NOT_MEASURED) word = "misses: an SLO is not measured (too few requests)";
    fprintf(stderr, "  %s = %s: %s\n", s->path, text, word);
    return out;
}

/* The value failed only because an SLO was not measured (too few requests). */
static bool unmeasured_only(const struct search *s, const struct point *p)
{
    bool unmeasured = false;
    for (int i = 0; i < s->nslo; i++) {
        if (p->verdict[i] == MISSED) return false;
        unmeasured |= p->verdict[i] == NOT_MEASURED;
    }
    return unmeasured && !p->unstable;
}

/* Good points meet the SLOs: for load, low values; for capacity, high values. */
static bool good_side_is_low(const struct search *s) { return !s->minimise; }

static void print_point(const struct search *s, const struct point *p, const char *label)
{
    FILE *out = s->o->text;
    char v[64];
    format_value(s, p->value, v, sizeof v);
    fprintf(out, "  %s %s = %s (%d replication%s):\n", label, s->path, v, p->replications,
           p->replications == 1 ? "" : "s");
    if (p->unstable) {
        fprintf(out, "    %s\n", p->res->unstable.message);
        return;
    }
    for (int i = 0; i < s->nslo; i++) {
        const struct sim__metric *m = sim__results_find(p->res, s->slo[i].e.metric);
        char a[32], lo[32], hi[32], lim[32], note[96] = "";
        sim__format_value(m->ci.mean, m->unit, a, sizeof a);
        sim__format_value(m->ci.low, m->unit, lo, sizeof lo);
        sim__format_value(m->ci.high, m->unit, hi, sizeof hi);
        sim__format_value(s->slo[i].e.a, m->unit, lim, sizeof lim);
        if (p->verdict[i] == NOT_MEASURED)
            snprintf(note, sizeof note, " (%.0f requests in a replication, it needs %.0f)", p->requests[i],
                     sim__slo_min_requests(s->slo[i].q));
        else if (p->verdict[i] == UNCERTAIN)
            snprintf(note, sizeof note, " (the mean %s)",
                     sim__expect_holds(&s->slo[i].e, m->ci.mean) ? "meets it" : "misses it");
        static const char *const words[] = {"<", ">", "<=", ">=", "between"};
        fprintf(out, "    %-22s %10s [%s, %s]  %s %s %s%s\n", s->slo[i].e.metric, a, lo, hi,
               words[s->slo[i].e.op], lim, verdict_words[p->verdict[i]], note);
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
static void name_bottleneck(FILE *out, const struct point *good, const struct point *bad,
                            cJSON *json)
{
    const struct sim__results *r = bad->res;
    if (bad->unstable && r->unstable.node) {
        const struct sim__unstable *u = &r->unstable;
        fprintf(out, "saturates first: %s; %s\n", u->node, u->message);
        cJSON *b = cJSON_AddObjectToObject(json, "bottleneck");
        cJSON_AddStringToObject(b, "node", u->node);
        cJSON_AddStringToObject(b, "why", u->message);
        return;
    }
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
    fprintf(out, "saturates first: %s, utilisation %.1f%% at %s -> %.1f%% at %s; %s\n", name, u0 * 100, at0,
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
    cJSON_AddBoolToObject(j, "uncertain", p->uncertain);
    cJSON_AddBoolToObject(j, "unstable", p->unstable);
    cJSON_AddNumberToObject(j, "replications", p->replications);
    for (int i = 0; i < s->nslo; i++) {
        const struct sim__metric *m = sim__results_find(p->res, s->slo[i].e.metric);
        cJSON *f = cJSON_AddObjectToObject(j, s->slo[i].e.metric);
        cJSON_AddNumberToObject(f, "mean", m->ci.mean);
        cJSON *ci = cJSON_AddArrayToObject(f, "ci95");
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(m->ci.low));
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(m->ci.high));
        cJSON_AddStringToObject(f, "verdict", p->unstable ? "unstable" : verdict_names[p->verdict[i]]);
        cJSON_AddNumberToObject(f, "requests", p->requests[i]);
    }
    return j;
}

/* Each SLO's figure exists and, when it is a duration, was given with a unit: checked on a
 * run of one millisecond before the search. 0, or 2 with the message printed. */
static int check_figures(const struct search *s)
{
    const char *extra[] = {"warmup=\"0s\"", "duration=\"1ms\"", "replications=1"};
    struct sim__scenario sc;
    struct sim_loader *ld = sim__cli_load(s->o, s->o->files[0], extra, 3, NULL, &sc);
    if (!ld) return 2;
    int code = 0;
    struct sim__results *res = sim__run(ld, &sc, false);
    if (!res) {
        fprintf(stderr, "%s\n", sim__loader_error(ld));
        code = 2;
    }
    for (int i = 0; res && i < s->nslo; i++) {
        const struct sim__metric *m = sim__results_find(res, s->slo[i].e.metric);
        char err[512];
        if (!m) {
            fprintf(stderr, "archsim: --slo '%s': %s is no figure of %s\n", s->slo[i].text,
                    s->slo[i].e.metric, sim__input_label(s->o->files[0]));
            code = 2;
        } else if (!sim__slo_check_unit(&s->slo[i].e, s->slo[i].bare, m->unit, s->slo[i].text, err,
                                        sizeof err)) {
            fprintf(stderr, "archsim: %s\n", err);
            code = 2;
        }
    }
    sim__results_destroy(res);
    sim__scenario_fini(&sc);
    sim__loader_destroy(ld);
    return code;
}

/* No value both met and missed the SLOs inside the bracket: say which way and how far it
 * looked. Returns the exit code: 1 when no value meets the SLOs, 0 when all did. */
static int report_unbracketed(const struct search *s, const struct point *pts, int npts, int good,
                              double refused, double unmeasured_at, cJSON *json)
{
    FILE *out = s->o->text;
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < npts; i++) lo = fmin(lo, pts[i].value), hi = fmax(hi, pts[i].value);
    char a[64], b[64], edge[160];
    format_value(s, lo, a, sizeof a);
    format_value(s, hi, b, sizeof b);
    if (!isnan(refused)) {
        char r[64];
        format_value(s, refused, r, sizeof r);
        snprintf(edge, sizeof edge, "the field refuses %s", r);
    } else if (good < 0 && !s->minimise && unmeasured_at >= lo) {
        char u[64];
        format_value(s, unmeasured_at, u, sizeof u);
        snprintf(edge, sizeof edge, "too few requests are measured at %s, and fewer below it: "
                 "a longer run measures more", u);
    } else if (good >= 0 && s->integer && lo <= 1 && s->minimise) {
        snprintf(edge, sizeof edge, "1 is the field's smallest value");
    } else {
        snprintf(edge, sizeof edge, "the search stops at %d times the scenario's value", BRACKET_CAP);
    }
    cJSON_AddNullToObject(json, "limit");
    cJSON *tried = cJSON_AddArrayToObject(json, "tried");
    cJSON_AddItemToArray(tried, cJSON_CreateNumber(lo));
    cJSON_AddItemToArray(tried, cJSON_CreateNumber(hi));
    if (good < 0) {
        fprintf(out, "no value meets the SLOs: %s tried from %s to %s (%s)\n", s->path, a, b, edge);
        print_point(s, &pts[npts - 1], "last tried");
        cJSON_AddStringToObject(json, "result", "no value meets the SLOs");
        return 1;
    }
    if (s->minimise && s->integer && lo <= 1) {
        fprintf(out, "limit: %s = 1, the smallest value the field takes, meets every SLO (%d runs)\n", s->path,
               s->evaluations);
        print_point(s, &pts[good], "at");
        cJSON_ReplaceItemInObject(json, "limit", cJSON_CreateNumber(1));
        cJSON_AddItemToObject(json, "at_limit", point_json(s, &pts[good]));
        return 0;
    }
    fprintf(out, "no limit found %s %s: every value of %s from %s to %s meets the SLOs (%s)\n",
           s->minimise ? "above" : "below", s->minimise ? a : b, s->path, a, b, edge);
    cJSON_AddStringToObject(json, "result", s->minimise ? "no limit found above" : "no limit found below");
    cJSON_AddNumberToObject(json, s->minimise ? "no_limit_above" : "no_limit_below", s->minimise ? lo : hi);
    return 0;
}

int sim__cmd_limit(const struct options *o)
{
    FILE *text = o->text;
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
    for (int i = 0; i < o->nslos; i++) {
        char err[512];
        struct slo *slo = &s.slo[s.nslo];
        if (!sim__slo_parse(o->slos[i], &slo->e, &slo->bare, err, sizeof err)) {
            fprintf(stderr, "archsim: %s\n", err);
            code = 2;
            continue;
        }
        slo->q = percentile_of(slo->e.metric);
        slo->text = o->slos[i];
        s.nslo++;
    }

    /* The starting value is the scenario's own. */
    struct sim__scenario sc0;
    struct sim_loader *ld0 = code ? NULL : sim__cli_load(o, o->files[0], NULL, 0, NULL, &sc0);
    double start = NAN;
    if (ld0) {
        const cJSON *v = json_at(sim__loader_json(ld0), s.path);
        if (cJSON_IsNumber(v) && v->valuedouble > 0) {
            start = v->valuedouble;
            s.integer = start == floor(start) && s.minimise;
        } else {
            fprintf(stderr, "%s: %s: expected a positive number to search from\n",
                    sim__input_label(o->files[0]), s.path);
            code = 2;
        }
        sim__scenario_fini(&sc0);
        sim__loader_destroy(ld0);
    } else {
        code = 2;
    }

    if (!code) code = check_figures(&s);

    /* Every evaluated point is kept until the end: the report shows the last good one, the
     * first bad one and the first good one (to show how the bottleneck grew). */
    struct point *pts = sim_alloc(MAX_POINTS * sizeof *pts);
    int npts = 0, good = -1, bad = -1, ref = -1;
    double refused = NAN;
    if (!code && !o->quiet) fprintf(stderr, "archsim limit: searching %s\n", s.path);
    /* Bracket: step away from the start until both sides are seen, the field's range ends or
     * the value is BRACKET_CAP times the start either way. */
    double v = start, unmeasured = -INFINITY; /* the highest load measured too few requests */
    while (!code && (good < 0 || bad < 0)) {
        struct point *p = &pts[npts];
        enum outcome out = evaluate(&s, v, p);
        if (out != EVALUATED) {
            point_fini(p);
            if (out == BAD_INPUT) code = 2;
            else refused = v;
            break;
        }
        npts++;
        bool go_up;
        if (!s.minimise && unmeasured_only(&s, p)) {
            /* Unknown, not failing yet: a higher load measures more requests, a lower fewer. */
            unmeasured = fmax(unmeasured, v);
            if (bad >= 0) break;
            go_up = true;
        } else {
            if (p->pass) good = npts - 1;
            else bad = npts - 1;
            if (p->pass && ref < 0) ref = npts - 1;
            go_up = p->pass == good_side_is_low(&s);
        }
        double next = go_up ? v * 2 : v / 2;
        if (s.integer) next = go_up ? ceil(next) : floor(next);
        if ((s.integer && next < 1) || next > start * BRACKET_CAP * (1 + 1e-9) ||
            next < start / BRACKET_CAP * (1 - 1e-9) || next <= unmeasured)
            break;
        v = next;
    }
    cJSON *json = cJSON_CreateObject();
    cJSON_AddStringToObject(json, "path", s.path);
    cJSON_AddStringToObject(json, "search", s.minimise ? "minimise" : "maximise");
    if (!code && (good < 0 || bad < 0)) {
        code = report_unbracketed(&s, pts, npts, good, refused, unmeasured, json);
        cJSON_AddNumberToObject(json, "evaluations", s.evaluations);
        if (o->json && sim__write_text(o->json, sim__json_text(json))) code = 2;
    }
    /* Bisect between the last good and the first bad value. */
    while (!code && good >= 0 && bad >= 0 && npts < MAX_POINTS) {
        double lo = fmin(pts[good].value, pts[bad].value), hi = fmax(pts[good].value, pts[bad].value);
        if (s.integer ? hi - lo <= 1 : hi - lo <= precision * lo) break;
        double mid = s.integer ? floor((lo + hi) / 2) : (lo + hi) / 2;
        struct point *p = &pts[npts];
        if (evaluate(&s, mid, p) != EVALUATED) {
            point_fini(p);
            code = 2;
            break;
        }
        npts++;
        if (p->pass) good = npts - 1;
        else bad = npts - 1;
    }
    if (!code && good >= 0 && bad >= 0) {
        cJSON_AddNumberToObject(json, "limit", pts[good].value);
        cJSON *bracket = cJSON_AddArrayToObject(json, "bracket");
        cJSON_AddItemToArray(bracket, cJSON_CreateNumber(pts[good].value));
        cJSON_AddItemToArray(bracket, cJSON_CreateNumber(pts[bad].value));
        cJSON_AddNumberToObject(json, "precision", s.integer ? 1 : precision);
        cJSON_AddNumberToObject(json, "evaluations", s.evaluations);
        cJSON_AddItemToObject(json, "at_limit", point_json(&s, &pts[good]));
        cJSON_AddItemToObject(json, "first_miss", point_json(&s, &pts[bad]));
        char lim[64], miss[64];
        format_value(&s, pts[good].value, lim, sizeof lim);
        format_value(&s, pts[bad].value, miss, sizeof miss);
        fprintf(text, "limit: %s = %s, the %s value that meets every SLO (to within %s; %d runs)\n", s.path,
               lim, s.minimise ? "smallest" : "highest",
               s.integer ? "1" : (precision == 0.01 ? "1%" : "the precision"), s.evaluations);
        fprintf(text, "  bracket: meets every SLO at %s, misses one at %s\n", lim, miss);
        print_point(&s, &pts[good], "at");
        print_point(&s, &pts[bad], "misses at");
        name_bottleneck(text, &pts[ref], &pts[bad], json);
        if (o->json) code = sim__write_text(o->json, sim__json_text(json));
    }
    cJSON_Delete(json);
    for (int i = 0; i < npts; i++) point_fini(&pts[i]);
    sim_free(pts);
    for (int i = 0; i < s.nslo; i++) sim_free((char *)s.slo[i].e.metric);
    return code;
}
