/* test_report_json.c: the JSON report is written without a cJSON tree of its figures, and
 * must be byte for byte what cJSON_Print makes of that tree: checked here against a tree
 * built the old way, on a real run plus figures with awkward paths and values (a leaf
 * and an object of one name, keys to escape, a node's figures apart, -0, NaN, 0.1). */
#include "harness.h"

/* The oracle: the figures as a cJSON tree by dotted path (objects found by path). */
static cJSON *object_at(cJSON *root, const char *path, size_t len, cJSON **objs, char **paths,
                        int *n)
{
    if (!len) return root;
    for (int i = 0; i < *n; i++)
        if (strlen(paths[i]) == len && !memcmp(paths[i], path, len)) return objs[i];
    size_t up = len;
    while (up > 0 && path[up - 1] != '.') up--;
    cJSON *parent = object_at(root, path, up ? up - 1 : 0, objs, paths, n);
    char *key = sim_alloc(len + 1);
    memcpy(key, path, len);
    cJSON *obj = cJSON_AddObjectToObject(parent, key + up);
    paths[*n] = key;
    objs[(*n)++] = obj;
    return obj;
}

static void add(cJSON *root, const char *path, cJSON *item, cJSON **objs, char **paths, int *n)
{
    const char *leaf = strrchr(path, '.');
    cJSON *parent = object_at(root, path, leaf ? (size_t)(leaf - path) : 0, objs, paths, n);
    cJSON_AddItemToObject(parent, leaf ? leaf + 1 : path, item);
}

static cJSON *num(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static void figures_as_a_tree(cJSON *root, const struct sim__results *res, int what)
{
    int cap = (int)res->n * 4 + 8, n = 0;
    cJSON **objs = sim_alloc((size_t)cap * sizeof *objs);
    char **paths = sim_alloc((size_t)cap * sizeof *paths);
    for (size_t i = 0; i < res->n; i++) {
        const struct sim__metric *m = &res->metrics[i];
        if (what == 0) {
            add(root, m->path, num(m->ci.mean), objs, paths, &n);
        } else if (what == 1) {
            cJSON *pair = cJSON_CreateArray();
            cJSON_AddItemToArray(pair, num(m->ci.low));
            cJSON_AddItemToArray(pair, num(m->ci.high));
            add(root, m->path, pair, objs, paths, &n);
        } else if (sim__headline_figure(m->path)) {
            cJSON *list = cJSON_CreateArray();
            for (int r = 0; r < res->replications; r++) cJSON_AddItemToArray(list, num(m->values[r]));
            add(root, m->path, list, objs, paths, &n);
        }
    }
    for (int i = 0; i < n; i++) sim_free(paths[i]);
    sim_free(paths);
    sim_free(objs);
}

static void check(int replications)
{
    char reps[32];
    snprintf(reps, sizeof reps, "replications=%d", replications);
    const char *sets[] = {"duration=2s", "warmup=0s", reps};
    struct harness_run h = harness_run("scenarios/validation/mm1-rho80.json", sets, 3);
    static const char *const odd[] = {"x.y", "x.y.z", "nodes.server.late", "k\"e\\y.t\tab", "top"};
    double values[] = {-0.0, NAN, 0.1, 1e300, 3e9, -7, 1.0 / 3};
    for (size_t k = 0; k < sizeof odd / sizeof *odd; k++)
        for (int r = 0; r < replications; r++) {
            struct sim_report rep = {h.res, "", r, NULL};
            sim_report(&rep, odd[k], values[(k + (size_t)r) % 7], SIM_UNIT_NUMBER);
        }
    for (size_t i = 0; i < h.res->n; i++) sim__metric_interval(&h.res->metrics[i], replications);

    char *got = sim__report_json(h.ld, &h.sc, h.res, NULL, false);
    cJSON *root = cJSON_CreateObject();
    cJSON *repro = cJSON_AddObjectToObject(root, "reproducibility");
    char hash[32];
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)sim__loader_hash(h.ld));
    cJSON_AddStringToObject(repro, "archsim", SIM_VERSION);
    cJSON_AddStringToObject(repro, "scenario_hash", hash);
    sim__json_add_u64(repro, "seed", h.sc.seed);
    cJSON_AddStringToObject(repro, "generator", sim__rng_generator_name());
    cJSON_AddNumberToObject(repro, "events", (double)h.res->events);
    cJSON *scen = cJSON_AddObjectToObject(root, "scenario");
    cJSON_AddStringToObject(scen, "name", h.sc.name);
    cJSON_AddNumberToObject(scen, "duration", (double)h.sc.duration / SIM_S);
    cJSON_AddNumberToObject(scen, "warmup", (double)h.sc.warmup / SIM_S);
    cJSON_AddNumberToObject(scen, "replications", h.res->replications);
    figures_as_a_tree(root, h.res, 0);
    if (replications > 1) {
        figures_as_a_tree(cJSON_AddObjectToObject(root, "ci95"), h.res, 1);
        figures_as_a_tree(cJSON_AddObjectToObject(root, "replication_values"), h.res, 2);
    }
    char *want = sim__json_text(root);
    cJSON_Delete(root);
    assert_non_null(strstr(want, ",\n\t\t\"y\":\t{\n\t\t\t\"z\":\t")); /* leaf y, then object y */
    assert_string_equal(got, want);
    sim_free(got);
    sim_free(want);
    harness_done(&h);
}

static void one_replication_prints_as_cjson_would(void **state)
{
    (void)state;
    check(1);
}

static void intervals_and_replications_print_as_cjson_would(void **state)
{
    (void)state;
    check(3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_replication_prints_as_cjson_would),
        cmocka_unit_test(intervals_and_replications_print_as_cjson_would),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
