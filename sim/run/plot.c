/* plot.c: runs gnuplot on the scripts in plots/. The scripts take their inputs as -e
 * variables (datafile, outfile, terminal, titles), so archsim never writes gnuplot code. */
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot.h"

extern char **environ;

void sim__plot_var(struct sim__plot *p, const char *name, const char *value)
{
    /* gnuplot's single-quoted strings take '' for a quote and nothing else is special. */
    sim__text_add(&p->vars, "%s='", name);
    for (const char *c = value; *c; c++) sim__text_add(&p->vars, *c == '\'' ? "''" : "%c", *c);
    sim__text_add(&p->vars, "'; ");
}

void sim__plot_num(struct sim__plot *p, const char *name, double value)
{
    sim__text_add(&p->vars, "%s=%.17g; ", name, value);
}

/* $ARCHSIM_PLOTS; else found from the binary itself, so a copied or installed archsim
 * draws without a variable: PREFIX/share/archsim/plots (installed in PREFIX/bin),
 * plots/ beside it (./archsim), two levels up (build/MODE/archsim); last, ./plots. */
static bool find_script(const char *script, char *out, size_t n)
{
    const char *env = getenv("ARCHSIM_PLOTS");
    if (env && *env) { /* an override is the only place looked at: no silent fallback */
        snprintf(out, n, "%s/%s", env, script);
        return access(out, R_OK) == 0;
    }
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[len > 0 ? len : 0] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) *slash = 0;
    const char *fmts[] = {"%s/../share/archsim/plots/%s", "%s/plots/%s", "%s/../../plots/%s",
                          "plots/%s"};
    for (int i = 0; i < 4; i++) {
        if (i == 3) snprintf(out, n, fmts[i], script);
        else snprintf(out, n, fmts[i], exe, script);
        if (access(out, R_OK) == 0) return true;
    }
    return false;
}

static bool gnuplot_missing;
static bool announce = true; /* print "wrote FILE" (not for --html's temporary pictures) */

void sim__plot_announce(bool on)
{
    announce = on;
}

bool sim__plot_run(struct sim__plot *p)
{
    char script[PATH_MAX + 64]; /* a path under plots/ or $ARCHSIM_PLOTS: checked by access() */
    bool ok = false;
    struct sim__text out_path = {0};
    sim__text_add(&out_path, "%s/%s.%s", p->dir, p->name, p->svg ? "svg" : "png");
    const char *out = out_path.text;
    if (!find_script(p->script, script, sizeof script)) {
        if (getenv("ARCHSIM_PLOTS") && *getenv("ARCHSIM_PLOTS"))
            fprintf(stderr, "archsim: %s not found (ARCHSIM_PLOTS names the plots folder)\n", script);
        else
            fprintf(stderr, "archsim: plots/%s not found beside the program (set ARCHSIM_PLOTS "
                            "to the plots folder)\n", p->script);
        goto done;
    }
    if (gnuplot_missing) goto done;
    sim__plot_var(p, "outfile", out);
    char *slash = strrchr(script, '/');
    if (slash) { /* where the scripts are, for those that load a shared piece */
        *slash = 0;
        sim__plot_var(p, "plotdir", script);
        *slash = '/';
    } else {
        sim__plot_var(p, "plotdir", ".");
    }
    sim__plot_var(p, "term", p->svg ? "svg" : "pngcairo");
    char *argv[] = {"gnuplot", "-e", p->vars.text, script, NULL};
    pid_t pid;
    /* gnuplot's chatter is not a result: its stdout joins its stderr on ours */
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
    fflush(stdout); /* what is buffered goes out before the child writes */
    int spawned = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (spawned != 0) {
        gnuplot_missing = true;
        if (announce)
            fprintf(stderr, "archsim: gnuplot is not installed (Debian: gnuplot-nox); the data is in "
                            "%s, without pictures\n", p->dir);
        else
            fprintf(stderr, "archsim: gnuplot is not installed (Debian: gnuplot-nox): the HTML page "
                            "has no pictures\n");
        goto done;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (ok && announce) fprintf(stderr, "archsim: wrote %s\n", out);
    else if (!ok) fprintf(stderr, "archsim: gnuplot failed on plots/%s for %s\n", p->script, out);
done:
    sim_free(out_path.text);
    sim_free(p->vars.text);
    p->vars = (struct sim__text){0};
    return ok;
}

bool sim__plot_dir(const char *dir)
{
    if (!*dir) {
        fprintf(stderr, "archsim: --plot: expected a directory, got an empty path\n");
        return false;
    }
    char *path = sim_strdup(dir); /* any length: mkdir says when it is too long */
    bool ok = true;
    for (char *c = path + 1; ok; c++) {
        if (*c == '/' || !*c) {
            char saved = *c;
            *c = 0;
            if (mkdir(path, 0777) && errno != EEXIST) {
                fprintf(stderr, "archsim: cannot create %s: %s\n", path, strerror(errno));
                ok = false;
            }
            *c = saved;
            if (!saved) break;
        }
    }
    sim_free(path);
    return ok;
}

const char *sim__plot_unit(enum sim_unit unit, double *scale)
{
    *scale = 1;
    switch (unit) {
    case SIM_UNIT_SECONDS: *scale = 1e3; return " (ms)";
    case SIM_UNIT_RATE: return " (per second)";
    case SIM_UNIT_RATIO: *scale = 100; return " (%)";
    default: return "";
    }
}

/* The latency CDF as (latency in ms, fraction) pairs from the merged histogram: a point
 * every 0.1% and more in the tail. */
static char *cdf_text(const struct sim_hist *h)
{
    struct sim__text t = {0};
    sim__text_add(&t, "# latency_ms fraction\n");
    static const double tail[] = {0.9995, 0.9999, 0.99995, 0.99999, 1.0};
    for (int i = 1; i <= 999 + 5; i++) {
        double q = i <= 999 ? i / 1000.0 : tail[i - 1000];
        sim__text_add(&t, "%.9g %.6g\n", (double)sim_hist_quantile(h, q) / SIM_MS, q);
    }
    return t.text;
}

#define MAX_SHADED 40 /* fault occurrences drawn on a timeline; more would be a grey wall */

/* The first occurrences of replication 0's faults as four word lists for the scripts:
 * begin, end, detected and restored times (seconds; -1: never). */
static void fault_vars(struct sim__plot *p, const struct sim__results *res)
{
    struct sim__text lists[4] = {{0}};
    int n = 0;
    const char *line = res->fault_marks ? res->fault_marks : "";
    for (; *line && n < MAX_SHADED; n++) {
        int id;
        double v[4];
        if (sscanf(line, "%d %lf %lf %lf %lf", &id, &v[0], &v[1], &v[2], &v[3]) != 5) break;
        for (int k = 0; k < 4; k++) sim__text_add(&lists[k], "%s%.9g", n ? " " : "", v[k]);
        line = strchr(line, '\n');
        if (!line) break;
        line++;
    }
    static const char *const names[] = {"fault_begin", "fault_end", "fault_detect", "fault_back"};
    for (int k = 0; k < 4; k++) {
        sim__plot_var(p, names[k], lists[k].text ? lists[k].text : "");
        sim_free(lists[k].text);
    }
}

/* The timeline columns that count calls waiting or in service ("db.queue", "api.busy",
 * "broker.lag.billing"): a node column with one of these words after the node's name.
 * Node names have no dots and columns no spaces, so the lists split on spaces. */
static void queue_columns(const char *header, struct sim__text *columns, struct sim__text *scaled)
{
    static const char *const words[] = {"queue", "busy", "depth", "lag", "pool_waiting",
                                        "pool_in_use", "unreplicated_writes", "in_doubt",
                                        "held", "locked"};
    for (const char *c = header; *c;) {
        size_t len = strcspn(c, ",\n");
        const char *dot = memchr(c, '.', len);
        for (const char *w = dot; w && w < c + len;) {
            const char *end = memchr(w + 1, '.', (size_t)(c + len - w - 1));
            size_t wlen = (size_t)((end ? end : c + len) - w - 1);
            for (size_t k = 0; k < sizeof words / sizeof *words; k++)
                if (strlen(words[k]) == wlen && !strncmp(w + 1, words[k], wlen)) {
                    sim__text_add(columns, "%s%.*s", columns->len ? " " : "", (int)len, c);
                    end = NULL; /* once per column */
                    break;
                }
            if (wlen == strlen("instances") && !strncmp(w + 1, "instances", wlen) && w == dot)
                sim__text_add(scaled, "%s%.*s", scaled->len ? " " : "", (int)(dot - c), c);
            w = end;
        }
        c += len;
        if (*c) c++;
    }
}

/* A field of a node's JSON as a number, or 0 when it is absent or not a number. */
static double node_number(const cJSON *node, const char *field)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(node, field);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* The capacity lines of the queues picture, "column value" pairs: a service's workers and
 * queue limit times its instances (both per instance), where the scenario gives them as
 * numbers; an autoscaled service's capacity moves, so it has none. */
static char *capacities(struct sim_loader *ld, const struct sim__results *res, const char *scaled)
{
    struct sim__text caps = {0};
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(sim__loader_json(ld), "nodes");
    for (int i = 0; i < res->nnodes; i++) {
        const char *name = res->nodes[i].name;
        const cJSON *node = cJSON_GetObjectItemCaseSensitive(nodes, name);
        if (strcmp(res->nodes[i].type, "service") || !node) continue;
        size_t len = strlen(name);
        bool autoscaled = false;
        for (const char *w = strstr(scaled, name); w && !autoscaled; w = strstr(w + 1, name))
            autoscaled = (w == scaled || w[-1] == ' ') && (!w[len] || w[len] == ' ');
        double instances = cJSON_HasObjectItem(node, "instances") ? node_number(node, "instances") : 1;
        if (autoscaled || instances <= 0) continue;
        double workers = node_number(node, "workers"), queue = node_number(node, "queue");
        if (workers > 0) sim__text_add(&caps, "%s%s.busy %.17g", caps.len ? " " : "", name, workers * instances);
        if (queue > 0) sim__text_add(&caps, "%s%s.queue %.17g", caps.len ? " " : "", name, queue * instances);
    }
    return caps.text ? caps.text : sim_strdup("");
}

int sim__plot_run_pictures(const char *dir, struct sim_loader *ld, const struct sim__scenario *sc,
                           const struct sim__results *res, bool svg)
{
    if (!sim__plot_dir(dir)) return 2;
    struct sim__text csv_path = {0}, cdf_path = {0};
    sim__text_add(&csv_path, "%s/timeline.csv", dir);
    sim__text_add(&cdf_path, "%s/latency-cdf.dat", dir);
    const char *csv = csv_path.text, *cdf = cdf_path.text;
    /* a streamed timeline is there already, written while the run went on */
    if ((!res->timeline->nsinks && sim__write_text(csv, sim__timeline_csv(res->timeline))) ||
        (res->latency.count && sim__write_text(cdf, cdf_text(&res->latency)))) {
        sim_free(csv_path.text);
        sim_free(cdf_path.text);
        return 2;
    }
    /* Every node's waiting and in-service counts draw in the queues picture, whatever its
     * type; autoscaled services (an instances column) their instance count too. */
    struct sim__text columns = {0}, scaled = {0};
    const char *header = res->timeline->header.text ? res->timeline->header.text : "";
    queue_columns(header, &columns, &scaled);
    char *caps = capacities(ld, res, scaled.text ? scaled.text : "");
    static const char *const pictures[][2] = {
        {"timeline-latency.gp", "latency-timeline"},
        {"timeline-throughput.gp", "throughput-timeline"},
        {"timeline-queues.gp", "queues-timeline"},
        {"latency-cdf.gp", "latency-cdf"},
        {"timeline-availability.gp", "availability-timeline"},
    };
    for (size_t i = 0; i < sizeof pictures / sizeof *pictures; i++) {
        if (i == 2 && !columns.len) continue;
        if (i == 3 && !res->latency.count) continue;
        if (i == 4 && !strstr(header, ",slo.window_availability")) continue;
        struct sim__plot p = {.script = pictures[i][0], .dir = dir, .name = pictures[i][1], .svg = svg};
        sim__plot_var(&p, "datafile", i == 3 ? cdf : csv);
        sim__plot_var(&p, "scenario", sc->name);
        sim__plot_var(&p, "columns", columns.text ? columns.text : "");
        sim__plot_var(&p, "scaled", scaled.text ? scaled.text : "");
        sim__plot_var(&p, "caps", caps);
        sim__plot_num(&p, "warmup", (double)sc->warmup / SIM_S);
        fault_vars(&p, res);
        const struct sim__metric *slo = sim__results_find(res, "slo.availability_objective");
        sim__plot_num(&p, "slo", slo ? slo->ci.mean : 0.99);
        if (!sim__plot_run(&p) && gnuplot_missing) break;
    }
    sim_free(columns.text);
    sim_free(scaled.text);
    sim_free(caps);
    sim_free(csv_path.text);
    sim_free(cdf_path.text);
    return 0;
}
