/* estimate.c: `archsim estimate`, the guide's back-of-the-envelope calculator: QPS,
 * storage, bandwidth and server count from a few inputs given as flags or JSON fields of
 * the same names, and a starting scenario sized from them. Units are decimal (1 TB =
 * 10^12 bytes), a day is 86,400 s and a year 365 days, as in the guide. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "cli.h"
#include "estimate.h"

#define DAY 86400.0
#define YEAR (365 * DAY)
#define DEFAULT_PEAK_FACTOR 3
#define DEFAULT_REPLICATION 3
#define DEFAULT_HEADROOM 1.5
#define DEFAULT_SERVICE_TIME 0.02 /* s: --scenario's per-request time on a server */
#define DB_READ_TIME 0.002        /* s: the scenario's database, exponential */
#define DB_WRITE_TIME 0.005
#define DB_UTILISATION 0.5        /* the database's workers are sized to be this busy */

enum kind { COUNT, FACTOR, COPIES, SHARE, READ_WRITE, SIZE, PERIOD, TIME };

/* One input: its JSON name (the flag is -- and the name with '-' for '_'). */
static const struct field {
    const char *name;
    enum kind kind;
    size_t offset;
} fields[] = {
    {"dau", COUNT, offsetof(struct sim__estimate_input, dau)},
    {"requests_per_user", COUNT, offsetof(struct sim__estimate_input, requests_per_user)},
    {"qps", COUNT, offsetof(struct sim__estimate_input, qps)},
    {"peak_qps", COUNT, offsetof(struct sim__estimate_input, peak_qps)},
    {"peak_factor", FACTOR, offsetof(struct sim__estimate_input, peak_factor)},
    {"read_share", SHARE, offsetof(struct sim__estimate_input, read_share)},
    {"read_write", READ_WRITE, offsetof(struct sim__estimate_input, read_share)},
    {"writes_per_day", COUNT, offsetof(struct sim__estimate_input, writes_per_day)},
    {"record_size", SIZE, offsetof(struct sim__estimate_input, record_size)},
    {"response_size", SIZE, offsetof(struct sim__estimate_input, response_size)},
    {"retention", PERIOD, offsetof(struct sim__estimate_input, retention)},
    {"replication", COPIES, offsetof(struct sim__estimate_input, replication)},
    {"server_qps", COUNT, offsetof(struct sim__estimate_input, server_qps)},
    {"headroom", FACTOR, offsetof(struct sim__estimate_input, headroom)},
    {"service_time", TIME, offsetof(struct sim__estimate_input, service_time)},
};
#define NFIELDS (sizeof fields / sizeof *fields)

static const char *const expected_what[] = {
    [COUNT] = "a positive number such as 1000000, 1e6 or 1M (K, M, B)",
    [FACTOR] = "a number of at least 1",
    [COPIES] = "an integer from 1 to 65",
    [SHARE] = "a share from 0 to 1 or a percentage such as 90%",
    [READ_WRITE] = "reads:writes such as 10:1",
    [SIZE] = "a size such as 500B, 2KB or 1.5MB (decimal; KiB, MiB, GiB binary)",
    [PERIOD] = "a period such as 30d, 6w or 5y (a year is 365 days)",
    [TIME] = "a duration such as 20ms",
};

void sim__estimate_input_init(struct sim__estimate_input *in)
{
    for (size_t i = 0; i < NFIELDS; i++) *(double *)((char *)in + fields[i].offset) = NAN;
}

/* A number and the rest of the text after it; false when none starts the text. */
static bool number_prefix(const char *text, double *x, const char **rest)
{
    char *end;
    errno = 0;
    *x = strtod(text, &end);
    *rest = end;
    return end != text && errno == 0 && isfinite(*x) && !isspace((unsigned char)*text);
}

static bool suffixed(const char *text, const char *const *units, const double *scale, double *out)
{
    double x;
    const char *rest;
    if (!number_prefix(text, &x, &rest)) return false;
    for (int i = 0; units[i]; i++)
        if (!strcmp(rest, units[i])) {
            *out = x * scale[i];
            return true;
        }
    return false;
}

static bool parse(enum kind kind, const char *text, double *out)
{
    static const char *const counts[] = {"", "K", "k", "M", "B", "G", NULL};
    static const double count_scale[] = {1, 1e3, 1e3, 1e6, 1e9, 1e9};
    static const char *const sizes[] = {"", "B", "KB", "MB", "GB", "TB", "PB", "KiB", "MiB", "GiB", "TiB", NULL};
    static const double size_scale[] = {1, 1, 1e3, 1e6, 1e9, 1e12, 1e15, 1024.0, 1048576.0,
                                        1073741824.0, 1099511627776.0};
    static const char *const periods[] = {"h", "d", "w", "mo", "y", NULL};
    static const double period_scale[] = {3600, DAY, 7 * DAY, YEAR / 12, YEAR};
    double x;
    const char *rest;
    switch (kind) {
    case COUNT:
        return suffixed(text, counts, count_scale, out) && *out > 0;
    case FACTOR:
        return number_prefix(text, &x, &rest) && !*rest && x >= 1 && (*out = x, true);
    case COPIES:
        return number_prefix(text, &x, &rest) && !*rest && x >= 1 && x <= 65 && x == floor(x) &&
               (*out = x, true);
    case SHARE:
        if (!number_prefix(text, &x, &rest)) return false;
        if (!strcmp(rest, "%")) x /= 100;
        else if (*rest) return false;
        return x >= 0 && x <= 1 && (*out = x, true);
    case READ_WRITE: {
        double w;
        if (!number_prefix(text, &x, &rest) || *rest != ':' || x < 0) return false;
        if (!number_prefix(rest + 1, &w, &rest) || *rest || w < 0 || x + w <= 0) return false;
        *out = x / (x + w);
        return true;
    }
    case SIZE:
        return suffixed(text, sizes, size_scale, out) && *out > 0;
    case PERIOD:
        return suffixed(text, periods, period_scale, out) && *out > 0;
    case TIME: {
        sim_time t;
        return sim__parse_duration(text, &t) && t > 0 && (*out = (double)t / SIM_S, true);
    }
    }
    return false;
}

bool sim__estimate_set(struct sim__estimate_input *in, const char *name, const char *text,
                       char *err, size_t errn)
{
    for (size_t i = 0; i < NFIELDS; i++) {
        if (strcmp(fields[i].name, name)) continue;
        double x;
        if (parse(fields[i].kind, text, &x)) {
            *(double *)((char *)in + fields[i].offset) = x;
            return true;
        }
        snprintf(err, errn, "expected %s, got %s", expected_what[fields[i].kind], text);
        return false;
    }
    if (errn) err[0] = 0;
    return false;
}

bool sim__estimate_read(struct sim__estimate_input *in, const char *file, char *err, size_t errn)
{
    struct sim_loader *ld = sim__loader_open(file, err, errn);
    if (!ld) return false;
    struct sim_cfg *root = sim__loader_root(ld);
    for (size_t i = 0; i < NFIELDS; i++) {
        const char *key = fields[i].name;
        enum sim_cfg_type type = sim_cfg_type(root, key);
        if (type == SIM_CFG_ABSENT) continue;
        char text[64], why[256];
        if (type == SIM_CFG_NUMBER) {
            snprintf(text, sizeof text, "%.17g", sim_cfg_number(root, key, NAN, -INFINITY, INFINITY));
        } else if (type == SIM_CFG_STRING) {
            snprintf(text, sizeof text, "%s", sim_cfg_string(root, key, NULL));
        } else {
            sim__cfg_expected(root, key, expected_what[fields[i].kind]);
            continue;
        }
        if (!sim__estimate_set(in, key, text, why, sizeof why))
            sim_cfg_error(root, key, "%s", why);
    }
    sim_cfg_end(root);
    bool ok = !sim__loader_error(ld);
    if (!ok) snprintf(err, errn, "%s", sim__loader_error(ld));
    sim__loader_destroy(ld);
    return ok;
}

bool sim__estimate_compute(const struct sim__estimate_input *in, struct sim__estimate *e,
                           char *err, size_t errn)
{
    *e = (struct sim__estimate){.in = *in};
    struct sim__estimate_input *p = &e->in;
    if (isnan(p->peak_factor)) p->peak_factor = DEFAULT_PEAK_FACTOR;
    if (isnan(p->replication)) p->replication = DEFAULT_REPLICATION;
    if (isnan(p->headroom)) p->headroom = DEFAULT_HEADROOM;
    if (isnan(p->service_time)) p->service_time = DEFAULT_SERVICE_TIME;
    if (isnan(p->response_size)) p->response_size = p->record_size;
    int sources = !isnan(p->dau) + !isnan(p->qps) + !isnan(p->peak_qps);
    if (sources > 1) {
        snprintf(err, errn, "give the traffic once: --dau (with --requests-per-user), --qps or --peak-qps");
        return false;
    }
    if (!isnan(p->dau) != !isnan(p->requests_per_user)) {
        snprintf(err, errn, "--dau and --requests-per-user go together");
        return false;
    }
    if (!sources && isnan(p->writes_per_day)) {
        snprintf(err, errn, "no traffic: give --dau and --requests-per-user, --qps, --peak-qps "
                            "or --writes-per-day");
        return false;
    }
    e->average_qps = !isnan(p->dau)   ? p->dau * p->requests_per_user / DAY
                     : !isnan(p->qps) ? p->qps
                                      : p->peak_qps / p->peak_factor;
    e->peak_qps = !isnan(p->peak_qps) ? p->peak_qps : e->average_qps * p->peak_factor;
    e->peak_read_qps = e->peak_qps * p->read_share;
    e->writes_per_day = !isnan(p->writes_per_day) ? p->writes_per_day
                                                  : e->average_qps * (1 - p->read_share) * DAY;
    e->peak_write_qps = e->writes_per_day / DAY * p->peak_factor;
    e->storage = e->writes_per_day * (p->retention / DAY) * p->record_size * p->replication;
    e->bandwidth_in = e->peak_write_qps * p->record_size;
    e->bandwidth_out = e->peak_read_qps * p->response_size;
    /* 6.000000000000001 servers are 6: a product of decimal inputs is not exact. */
    e->servers = ceil(e->peak_qps * p->headroom / p->server_qps * (1 - 1e-12));
    if (e->servers < 1) e->servers = 1;
    e->planned_utilisation = e->peak_qps / (e->servers * p->server_qps);
    return true;
}

/* 1M, 100M, 57.87: a count in a few significant figures. */
static const char *count(double x, char *buf, size_t n)
{
    static const char *const suffix[] = {"", "K", "M", "B"};
    int k = 0;
    if (fabs(x) >= 1e4) k = (int)fmin(3, floor(log10(fabs(x)) / 3));
    snprintf(buf, n, "%.4g%s", x / pow(1e3, k), suffix[k]);
    return buf;
}

static const char *bytes(double x, char *buf, size_t n)
{
    static const char *const unit[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
    int k = 0;
    while (k < 6 && fabs(x) >= pow(1e3, k + 1)) k++;
    snprintf(buf, n, "%.5g %s", x / pow(1e3, k), unit[k]);
    return buf;
}

static const char *period(double s, char *buf, size_t n)
{
    if (fmod(s, YEAR) == 0) snprintf(buf, n, "%g y", s / YEAR);
    else snprintf(buf, n, "%g d", s / DAY);
    return buf;
}

static void row(FILE *f, const char *figure, const char *value, const char *formula)
{
    fprintf(f, "  %-18s %-20s %s\n", figure, value, formula);
}

static void missing(FILE *f, const char *figure, const char *needs)
{
    fprintf(f, "  %-18s %-20s needs %s\n", figure, "-", needs);
}

/* Bytes per second from a rate of operations of a size, in MB/s with Mbit/s beside. */
static void bandwidth_row(FILE *f, const char *label, double bandwidth, double rate,
                          const char *what, double size, const char *needs)
{
    if (isnan(bandwidth)) {
        missing(f, label, needs);
        return;
    }
    char v[64], formula[256], a[32];
    snprintf(v, sizeof v, "%.4g MB/s", bandwidth / 1e6);
    snprintf(formula, sizeof formula, "%.4g %s/s x %s (%.4g Mbit/s)", rate, what,
             bytes(size, a, sizeof a), bandwidth * 8 / 1e6);
    row(f, label, v, formula);
}

void sim__estimate_print(FILE *f, const struct sim__estimate *e)
{
    const struct sim__estimate_input *p = &e->in;
    char v[64], a[64], b[64], c[64], d[64], formula[320];
    fprintf(f, "archsim estimate: the guide's back-of-the-envelope figures\n"
               "units: decimal (1 KB = 10^3 B, 1 TB = 10^12 B), MB/s = 10^6 bytes per second,\n"
               "       Mbit/s = 10^6 bits per second, a day = 86,400 s, a year = 365 days\n\n");
    fprintf(f, "  %-18s %-20s %s\n", "figure", "value", "formula");
    if (!isnan(p->dau))
        snprintf(formula, sizeof formula, "%s DAU x %s requests / 86,400 s", count(p->dau, a, sizeof a),
                 count(p->requests_per_user, b, sizeof b));
    else if (!isnan(p->qps)) snprintf(formula, sizeof formula, "given (--qps)");
    else if (!isnan(p->peak_qps))
        snprintf(formula, sizeof formula, "%s QPS peak / peak factor %g", count(p->peak_qps, a, sizeof a),
                 p->peak_factor);
    else snprintf(formula, sizeof formula, "writes only (no read traffic given)");
    bool have_requests = !isnan(e->average_qps);
    if (have_requests) {
        snprintf(v, sizeof v, "%.4g QPS", e->average_qps);
        row(f, "average QPS", v, formula);
        snprintf(v, sizeof v, "%.4g QPS", e->peak_qps);
        if (!isnan(p->peak_qps)) snprintf(formula, sizeof formula, "given (--peak-qps)");
        else snprintf(formula, sizeof formula, "%.4g QPS x peak factor %g", e->average_qps, p->peak_factor);
        row(f, "peak QPS", v, formula);
    }
    if (!isnan(e->peak_read_qps)) {
        snprintf(v, sizeof v, "%.4g QPS", e->peak_read_qps);
        snprintf(formula, sizeof formula, "%.4g QPS x read share %.4g", e->peak_qps, p->read_share);
        row(f, "peak reads", v, formula);
    }
    if (!isnan(e->writes_per_day)) {
        snprintf(v, sizeof v, "%s", count(e->writes_per_day, a, sizeof a));
        if (!isnan(p->writes_per_day)) snprintf(formula, sizeof formula, "given (--writes-per-day)");
        else snprintf(formula, sizeof formula, "%.4g QPS x write share %.4g x 86,400 s", e->average_qps,
                      1 - p->read_share);
        row(f, "writes per day", v, formula);
        snprintf(v, sizeof v, "%.4g QPS", e->peak_write_qps);
        snprintf(formula, sizeof formula, "%s / 86,400 s x peak factor %g", count(e->writes_per_day, a, sizeof a),
                 p->peak_factor);
        row(f, "peak writes", v, formula);
    } else {
        missing(f, "writes per day", "--writes-per-day, or --read-share / --read-write");
    }
    if (!isnan(e->storage)) {
        snprintf(formula, sizeof formula, "%s/day x %s x %s x %g copies",
                 count(e->writes_per_day, a, sizeof a), bytes(p->record_size, b, sizeof b),
                 period(p->retention, c, sizeof c), p->replication);
        snprintf(v, sizeof v, "%s", bytes(e->storage, d, sizeof d));
        row(f, "storage", v, formula);
    } else {
        missing(f, "storage", "writes per day, --record-size and --retention");
    }
    bandwidth_row(f, "bandwidth in", e->bandwidth_in, e->peak_write_qps, "writes", p->record_size,
                  "peak writes and --record-size");
    bandwidth_row(f, "bandwidth out", e->bandwidth_out, e->peak_read_qps, "reads", p->response_size,
                  "peak reads and --response-size (or --record-size)");
    if (!isnan(e->servers)) {
        snprintf(v, sizeof v, "%g", e->servers);
        snprintf(formula, sizeof formula, "ceil(%.4g QPS / %s QPS per server x headroom %g)",
                 e->peak_qps, count(p->server_qps, a, sizeof a), p->headroom);
        row(f, "servers", v, formula);
        snprintf(v, sizeof v, "%.4g%%", 100 * e->planned_utilisation);
        snprintf(formula, sizeof formula, "%.4g QPS / (%g servers x %s QPS)", e->peak_qps, e->servers,
                 count(p->server_qps, a, sizeof a));
        row(f, "utilisation", v, formula);
    } else {
        missing(f, "servers", "peak QPS and --server-qps");
    }
}

static void add_number(cJSON *o, const char *key, double x)
{
    if (!isnan(x)) cJSON_AddNumberToObject(o, key, x);
}

char *sim__estimate_json(const struct sim__estimate *e)
{
    cJSON *root = cJSON_CreateObject(), *in = cJSON_AddObjectToObject(root, "inputs");
    for (size_t i = 0; i < NFIELDS; i++)
        if (fields[i].kind != READ_WRITE)
            add_number(in, fields[i].name, *(const double *)((const char *)&e->in + fields[i].offset));
    cJSON *f = cJSON_AddObjectToObject(root, "figures");
    add_number(f, "average_qps", e->average_qps);
    add_number(f, "peak_qps", e->peak_qps);
    add_number(f, "peak_read_qps", e->peak_read_qps);
    add_number(f, "peak_write_qps", e->peak_write_qps);
    add_number(f, "writes_per_day", e->writes_per_day);
    add_number(f, "storage_bytes", e->storage);
    add_number(f, "bandwidth_in_bytes_per_second", e->bandwidth_in);
    add_number(f, "bandwidth_out_bytes_per_second", e->bandwidth_out);
    add_number(f, "servers", e->servers);
    add_number(f, "utilisation", e->planned_utilisation);
    char *text = cJSON_Print(root), *out = sim_strdup(text);
    cJSON_free(text);
    cJSON_Delete(root);
    return out;
}

static cJSON *exp_dist(double mean_seconds)
{
    char buf[32];
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "dist", "exp");
    sim__format_duration((sim_time)llround(mean_seconds * SIM_S), buf, sizeof buf);
    cJSON_AddStringToObject(d, "mean", buf);
    return d;
}

/* The application tier: servers x workers, each server saturating at server_qps (workers
 * / service time = server_qps), so at the peak its utilisation is the planned one; async
 * io keeps the database's time out of it. The database's nodes are sized to be about
 * half busy, so the application tier is the one the scenario tests. */
char *sim__estimate_scenario(const struct sim__estimate *e, char *err, size_t errn)
{
    const struct sim__estimate_input *p = &e->in;
    if (isnan(e->peak_qps) || isnan(e->servers)) {
        snprintf(err, errn, "--scenario needs the peak QPS and --server-qps");
        return NULL;
    }
    double workers = fmax(1, round(p->server_qps * p->service_time));
    sim_time service = (sim_time)llround(workers / p->server_qps * SIM_S);
    double planned = e->peak_qps * ((double)service / SIM_S) / (e->servers * workers);
    double reads = isnan(p->read_share) ? 1 : p->read_share;
    int replicas = (int)fmin(p->replication - 1, 64);
    double read_load = e->peak_qps * reads * DB_READ_TIME, write_load = e->peak_qps * (1 - reads) * DB_WRITE_TIME;
    double node_load = replicas ? fmax(write_load, read_load / replicas) : read_load + write_load;
    double db_workers = fmax(1, ceil(node_load / DB_UTILISATION));
    char buf[512], a[64], mean[32];
    sim__format_duration(service, mean, sizeof mean);

    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "name", "estimate");
    snprintf(buf, sizeof buf, "Sized by archsim estimate: %.4g peak QPS on %g servers of %s QPS each "
             "(%g workers x %s exp), planned utilisation %.4g%% at the peak.",
             e->peak_qps, e->servers, count(p->server_qps, a, sizeof a), workers, mean, 100 * planned);
    cJSON_AddStringToObject(s, "description", buf);
    cJSON_AddNumberToObject(s, "seed", 1);
    cJSON_AddStringToObject(s, "duration", "60s");
    cJSON_AddStringToObject(s, "warmup", "5s");
    cJSON_AddNumberToObject(s, "replications", 5);
    cJSON *wl = cJSON_AddObjectToObject(s, "workload");
    cJSON_AddStringToObject(wl, "entry", "app");
    cJSON *arr = cJSON_AddObjectToObject(wl, "arrivals");
    cJSON_AddStringToObject(arr, "process", "poisson");
    cJSON_AddNumberToObject(arr, "rate", e->peak_qps);
    cJSON *mix = cJSON_AddObjectToObject(wl, "mix");
    if (reads > 0) cJSON_AddNumberToObject(mix, "read", reads);
    if (reads < 1) cJSON_AddNumberToObject(mix, "write", 1 - reads);
    cJSON *keys = cJSON_AddObjectToObject(wl, "keys");
    cJSON_AddNumberToObject(keys, "count", 1000000);
    cJSON_AddStringToObject(keys, "popularity", "uniform");

    cJSON *nodes = cJSON_AddObjectToObject(s, "nodes");
    cJSON *app = cJSON_AddObjectToObject(nodes, "app");
    cJSON_AddStringToObject(app, "type", "service");
    cJSON_AddNumberToObject(app, "instances", e->servers);
    cJSON_AddNumberToObject(app, "workers", workers);
    cJSON_AddStringToObject(app, "io", "async");
    sim__format_duration(service, a, sizeof a);
    cJSON *st = cJSON_AddObjectToObject(app, "service_time");
    cJSON_AddStringToObject(st, "dist", "exp");
    cJSON_AddStringToObject(st, "mean", a);
    cJSON *calls = cJSON_AddArrayToObject(app, "calls"), *call = cJSON_CreateObject();
    cJSON_AddStringToObject(call, "to", "db");
    cJSON_AddItemToArray(calls, call);
    cJSON *db = cJSON_AddObjectToObject(nodes, "db");
    cJSON_AddStringToObject(db, "type", "database");
    cJSON_AddNumberToObject(db, "replicas", replicas);
    if (replicas) {
        cJSON_AddStringToObject(db, "replication", "async");
        cJSON_AddItemToObject(db, "lag", exp_dist(0.001));
        cJSON_AddStringToObject(db, "read_from", "replicas");
    }
    cJSON_AddNumberToObject(db, "workers", db_workers);
    cJSON_AddItemToObject(db, "service_time", exp_dist(DB_READ_TIME));
    cJSON *by_op = cJSON_AddObjectToObject(db, "service_time_by_op");
    cJSON_AddItemToObject(by_op, "write", exp_dist(DB_WRITE_TIME));

    /* The planned utilisation, plus 5 points for the run's noise; the p99 bound is a loose
     * guard (10 x the mean times on the path) to tighten after a first run. */
    cJSON *expect = cJSON_AddArrayToObject(s, "expect"), *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "metric", "nodes.app.utilisation");
    cJSON_AddNumberToObject(c, "at_most", round((planned + 0.05) * 1000) / 1000);
    cJSON_AddItemToArray(expect, c);
    c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "metric", "latency.p99");
    sim__format_duration((sim_time)llround(10 * ((double)service / SIM_S + DB_WRITE_TIME) * 1e3) * SIM_MS,
                         a, sizeof a);
    cJSON_AddStringToObject(c, "below", a);
    cJSON_AddItemToArray(expect, c);
    c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "metric", "errors.ratio");
    cJSON_AddStringToObject(c, "below", "1%");
    cJSON_AddItemToArray(expect, c);

    char *text = cJSON_Print(s), *out = sim_alloc(strlen(text) + 2);
    snprintf(out, strlen(text) + 2, "%s\n", text);
    cJSON_free(text);
    cJSON_Delete(s);
    return out;
}

static int usage_error(const char *flag, const char *why)
{
    fprintf(stderr, "archsim: %s: %s\n(archsim --help for usage)\n", flag, why);
    return 2;
}

static bool write_out(const char *path, const char *text)
{
    if (sim__write_file(path, text)) return true;
    fprintf(stderr, "archsim: cannot write %s: %s\n", path, strerror(errno));
    return false;
}

int sim__cmd_estimate(int argc, char **argv)
{
    struct sim__estimate_input in;
    sim__estimate_input_init(&in);
    const char *file = NULL, *json = NULL, *scenario = NULL;
    bool quiet = false;
    char err[1024];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            if (file) return sim__cli_usage_error("estimate takes one FILE.json, got '%s' too", a);
            file = a;
            continue;
        }
        if (!strcmp(a, "--quiet")) {
            quiet = true;
            continue;
        }
        if (i + 1 >= argc) return sim__cli_usage_error("%s needs a value", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--json")) json = v;
        else if (!strcmp(a, "--scenario")) scenario = v;
        else {
            char name[64];
            snprintf(name, sizeof name, "%s", a + (a[1] == '-' ? 2 : 1));
            for (char *c = name; *c; c++)
                if (*c == '-') *c = '_';
            if (!sim__estimate_set(&in, name, v, err, sizeof err)) {
                if (err[0]) return usage_error(a, err);
                const char *names[NFIELDS];
                for (size_t k = 0; k < NFIELDS; k++) names[k] = fields[k].name;
                const char *near = sim__closest(name, names, NFIELDS);
                if (!near) return sim__cli_usage_error("estimate: unknown option '%s'", a);
                char flag[64];
                snprintf(flag, sizeof flag, "--%s", near);
                for (char *c = flag + 2; *c; c++)
                    if (*c == '_') *c = '-';
                fprintf(stderr, "archsim: estimate: unknown option '%s' (did you mean '%s'?)\n"
                                "(archsim --help for usage)\n", a, flag);
                return 2;
            }
        }
    }
    if (json && scenario && !strcmp(json, "-") && !strcmp(scenario, "-")) {
        fprintf(stderr, "archsim: --json - and --scenario -: only one output can go to stdout\n"
                        "(archsim --help for usage)\n");
        return 2;
    }
    /* a machine format on stdout leaves no room for the text */
    bool report = !quiet && !(json && !strcmp(json, "-")) && !(scenario && !strcmp(scenario, "-"));
    /* The file first, then the flags over it. */
    if (file) {
        struct sim__estimate_input from_file;
        sim__estimate_input_init(&from_file);
        if (!sim__estimate_read(&from_file, file, err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            return 2;
        }
        for (size_t k = 0; k < NFIELDS; k++) {
            double *dst = (double *)((char *)&in + fields[k].offset);
            double src = *(double *)((char *)&from_file + fields[k].offset);
            if (isnan(*dst)) *dst = src;
        }
    }
    struct sim__estimate e;
    if (!sim__estimate_compute(&in, &e, err, sizeof err)) return sim__cli_usage_error("estimate: %s", err);
    if (report) sim__estimate_print(stdout, &e);
    int code = 0;
    if (json) {
        char *text = sim__estimate_json(&e);
        if (!write_out(json, text)) code = 2;
        sim_free(text);
    }
    if (scenario) {
        char *text = sim__estimate_scenario(&e, err, sizeof err);
        if (!text) return sim__cli_usage_error("estimate: %s", err);
        if (!write_out(scenario, text)) code = 2;
        else if (!quiet && strcmp(scenario, "-"))
            fprintf(stderr, "archsim: wrote %s: simulate it with archsim run %s\n", scenario, scenario);
        sim_free(text);
    }
    return code;
}
