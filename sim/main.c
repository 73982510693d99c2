/* main.c: the command line. Exit codes: 0 every expectation holds, 1 an expectation
 * failed, 2 bad input or usage, 3 internal error. */
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <stdlib.h>

#include "run.h"

static const char usage[] =
    "usage: archsim run FILE [options]     simulate a scenario and report\n"
    "       archsim check FILE [--set ...]  validate a scenario and summarise the design\n"
    "       archsim --help | --version\n"
    "\n"
    "options of run (check takes --set, --seed, --replications, --duration):\n"
    "  --seed N             the scenario seed (same seed, same bytes)\n"
    "  --replications R     independent replications; figures get 95% intervals when R >= 2\n"
    "  --duration D         simulated time per replication, e.g. 120s\n"
    "  --set PATH=VALUE     change any field, e.g. --set nodes.app.instances=6 (repeatable)\n"
    "  --json FILE          write the report as JSON (SI units, ci95 tree beside the means)\n"
    "  --timeline FILE.csv  write per-interval series of the first replication\n"
    "  --timing             add wall-clock figures to the JSON (not reproducible)\n"
    "  -j N                 run replications on N threads (default: every core); the\n"
    "                       figures do not depend on N\n"
    "  --quiet              no text report on stdout\n"
    "\n"
    "exit codes: 0 expectations hold, 1 an expectation failed, 2 bad input or usage,\n"
    "3 internal error. See README.md and docs/scenario.md.\n";

struct options {
    const char *command, *file, *json, *timeline;
    bool quiet, timing;
    int threads;
    const char **sets;
    int nsets;
};

static int usage_error(const char *fmt, const char *arg)
{
    fputs("archsim: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(archsim --help for usage)\n", stderr);
    return 2;
}

/* --seed 7 becomes --set seed=7, so every override takes one path. */
static void add_set(struct options *o, const char *field, const char *value)
{
    size_t n = strlen(field) + strlen(value) + 2;
    char *s = sim_alloc(n);
    snprintf(s, n, "%s=%s", field, value);
    o->sets[o->nsets++] = s;
}

static int parse_args(int argc, char **argv, struct options *o)
{
    o->sets = sim_alloc((size_t)argc * sizeof *o->sets);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = !strcmp(a, "--seed") || !strcmp(a, "--replications") ||
                     !strcmp(a, "--duration") || !strcmp(a, "--set") || !strcmp(a, "--json") ||
                     !strcmp(a, "--timeline") || !strcmp(a, "-j");
        if (takes && !next) return usage_error("%s needs a value", a);
        if (!strcmp(a, "--seed")) add_set(o, "seed", argv[++i]);
        else if (!strcmp(a, "--replications")) add_set(o, "replications", argv[++i]);
        else if (!strcmp(a, "--duration")) add_set(o, "duration", argv[++i]);
        else if (!strcmp(a, "--set")) o->sets[o->nsets++] = sim_strdup(argv[++i]);
        else if (!strcmp(a, "--json")) o->json = argv[++i];
        else if (!strcmp(a, "--timeline")) o->timeline = argv[++i];
        else if (!strcmp(a, "-j")) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || n < 1 || n > 1024)
                return usage_error("-j needs a thread count from 1 to 1024, got '%s'", argv[i]);
            o->threads = (int)n;
        } else if (!strcmp(a, "--quiet")) o->quiet = true;
        else if (!strcmp(a, "--timing")) o->timing = true;
        else if (a[0] == '-') return usage_error("unknown option '%s'", a);
        else if (o->file) return usage_error("one scenario file at a time (also got '%s')", a);
        else o->file = a;
    }
    if (!o->file) return usage_error("%s needs a scenario FILE", o->command);
    if (!strcmp(o->command, "check") && (o->json || o->timeline || o->timing))
        return usage_error("%s", "check takes only --set, --seed, --replications, --duration");
    return 0;
}

static int check(struct sim_loader *ld, const struct sim__scenario *sc, const char *file)
{
    struct sim_world *w = sim__world_build(ld, sc, 0);
    if (!w) {
        fprintf(stderr, "%s\n", sim__loader_error(ld));
        return 2;
    }
    struct sim__results *res = sim_alloc(sizeof *res);
    sim__results_describe(res, w);
    char dur[32], warm[32];
    sim__format_duration(sc->duration, dur, sizeof dur);
    sim__format_duration(sc->warmup, warm, sizeof warm);
    printf("%s: ok\n", file);
    printf("scenario  %s%s%s\n", sc->name, sc->description[0] ? ": " : "", sc->description);
    printf("run       %s (warm-up %s), %d replication%s, seed %llu\n", dur, warm, sc->replications,
           sc->replications == 1 ? "" : "s", (unsigned long long)sc->seed);
    printf("workload  %s\n", res->workload_description ? res->workload_description : "");
    printf("nodes     %d\n", res->nnodes);
    for (int i = 0; i < res->nnodes; i++)
        printf("  %-12s %-8s %s\n", res->nodes[i].name, res->nodes[i].type,
               res->nodes[i].description);
    if (sc->nexpect) printf("expect    %d clause%s\n", sc->nexpect, sc->nexpect == 1 ? "" : "s");
    sim__results_destroy(res);
    sim__world_destroy(w);
    return 0;
}

static int run(struct sim_loader *ld, const struct sim__scenario *sc, const struct options *o)
{
    struct sim__results *res = sim__run(ld, sc, o->timeline != NULL);
    if (!res) {
        fprintf(stderr, "%s\n", sim__loader_error(ld));
        return 2;
    }
    struct sim__verdict *verdicts = sim_alloc((size_t)(sc->nexpect + 1) * sizeof *verdicts);
    char err[512];
    int code = 0;
    if (!sim__expect_check(sc, res, verdicts, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", o->file, err);
        code = 2;
        goto out;
    }
    for (int i = 0; i < sc->nexpect; i++)
        if (!verdicts[i].pass) code = 1;
    if (!o->quiet) sim__report_text(stdout, o->file, sc, res, verdicts);
    if (o->json) {
        char *text = sim__report_json(ld, sc, res, verdicts, o->timing);
        bool ok = sim__write_file(o->json, text);
        sim_free(text);
        if (!ok) {
            fprintf(stderr, "archsim: cannot write %s: %s\n", o->json, strerror(errno));
            code = 2;
        }
    }
    if (o->timeline) {
        char *csv = sim__timeline_csv(res->timeline);
        bool ok = sim__write_file(o->timeline, csv);
        sim_free(csv);
        if (!ok) {
            fprintf(stderr, "archsim: cannot write %s: %s\n", o->timeline, strerror(errno));
            code = 2;
        }
    }
    fflush(stdout);
    if (!o->quiet)
        fprintf(stderr, "archsim: %llu events in %.2fs of wall time (%.3g events/s)\n",
                (unsigned long long)res->events, res->wall_seconds,
                res->wall_seconds > 0 ? (double)res->events / res->wall_seconds : 0.0);
out:
    sim_free(verdicts);
    sim__results_destroy(res);
    return code;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("archsim %s\n", SIM_VERSION);
        return 0;
    }
    struct options o = {.command = argv[1]};
    if (strcmp(o.command, "run") && strcmp(o.command, "check"))
        return usage_error("unknown command '%s'", o.command);
    int code = parse_args(argc, argv, &o);
    struct sim_loader *ld = NULL;
    struct sim__scenario sc = {0};
    char err[1024];
    if (code) goto out;
    ld = sim__loader_open(o.file, err, sizeof err);
    if (!ld) {
        fprintf(stderr, "%s\n", err);
        code = 2;
        goto out;
    }
    for (int i = 0; i < o.nsets; i++) {
        if (!sim__loader_set(ld, o.sets[i], err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            code = 2;
            goto out;
        }
    }
    if (!sim__scenario_read(ld, &sc)) {
        fprintf(stderr, "%s\n", sim__loader_error(ld));
        code = 2;
        goto out;
    }
    sc.threads = o.threads;
    code = !strcmp(o.command, "check") ? check(ld, &sc, o.file) : run(ld, &sc, &o);
out:
    sim__scenario_fini(&sc);
    sim__loader_destroy(ld);
    for (int i = 0; i < o.nsets; i++) sim_free((char *)o.sets[i]);
    sim_free(o.sets);
    return code;
}
