/* registry.c: the component models by type name, from models.def. */
#include <string.h>

#include "kernel/internal.h"

#define MODEL(type, var) extern const struct sim_model var;
#include "models.def"
#undef MODEL

static const struct sim_model *const models[] = {
#define MODEL(type, var) &var,
#include "models.def"
#undef MODEL
};

static const char *const names[] = {
#define MODEL(type, var) type,
#include "models.def"
#undef MODEL
};

const struct sim_model *sim__model_find(const char *type)
{
    for (size_t i = 0; i < sizeof models / sizeof *models; i++)
        if (!strcmp(names[i], type)) {
            sim__model_check(models[i], true);
            return models[i];
        }
    return NULL;
}

const char *const *sim__model_names(size_t *n)
{
    *n = sizeof names / sizeof *names;
    return names;
}
