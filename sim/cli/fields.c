/* fields.c: `archsim fields FILE [--paths]` loads and builds a scenario as `check` does,
 * then prints each object the loader read and the fields it accepts there: as JSON (the
 * source of the scenario schema, tools/schema.py), or with --paths one dotted path a line
 * (what --set takes; bash completion offers them). */
#include <stdlib.h>

#include "cli.h"
#include "load/loader.h"

/* Every "PATH.field" (and "PATH.name" of a map) of the readers in the JSON text from
 * sim__loader_fields_json. */
static int print_paths(const char *json)
{
    cJSON *all = cJSON_Parse(json);
    if (!all) return 3;
    const cJSON *r;
    cJSON_ArrayForEach(r, all)
    {
        const char *path = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));
        const cJSON *k;
        cJSON_ArrayForEach(k, cJSON_GetObjectItem(r, "asked"))
            printf("%s%s%s\n", path, *path ? "." : "", cJSON_GetStringValue(k));
        cJSON_ArrayForEach(k, cJSON_GetObjectItem(r, "named"))
            printf("%s%s%s\n", path, *path ? "." : "", cJSON_GetStringValue(k));
    }
    cJSON_Delete(all);
    return 0;
}

int sim__cmd_fields(int argc, char **argv)
{
    const char *file = NULL;
    bool paths = false;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--paths")) paths = true;
        else if (argv[i][0] == '-' && argv[i][1]) /* a lone '-' is stdin */
            return sim__cli_usage_error("fields: unknown option '%s'", argv[i]);
        else if (file) return sim__cli_usage_error("fields takes one scenario FILE, got '%s' too", argv[i]);
        else file = argv[i];
    }
    if (!file) return sim__cli_usage_error("fields needs a scenario FILE%s", "");
    struct options o = {.command = "fields", .files = {file}, .nfiles = 1};
    struct sim__scenario sc = {0};
    struct sim_loader *ld = sim__cli_load(&o, file, NULL, 0, NULL, &sc);
    if (!ld) return 2;
    int code = 0;
    struct sim_world *w = sim__world_build(ld, &sc, 0);
    if (!w) {
        fprintf(stderr, "%s\n", sim__loader_error(ld));
        code = 2;
    } else {
        char *text = sim__loader_fields_json(ld);
        if (!text) code = 3;
        else if (paths) code = print_paths(text);
        else puts(text);
        sim_free(text);
        sim__world_destroy(w);
    }
    sim__scenario_fini(&sc);
    sim__loader_destroy(ld);
    return code;
}
