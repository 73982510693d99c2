/* text.c: printf into a buffer that grows by doubling. */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"
#include "text.h"

void sim__text_vadd(struct sim__text *t, const char *fmt, va_list ap)
{
    for (;;) {
        size_t room = t->cap - t->len;
        va_list copy;
        va_copy(copy, ap);
        int n = vsnprintf(t->text ? t->text + t->len : NULL, t->text ? room : 0, fmt, copy);
        va_end(copy);
        if (n < 0) return;
        if (t->text && (size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        t->cap = (t->cap + (size_t)n + 1) * 2;
        t->text = sim_realloc(t->text, t->cap);
    }
}

void sim__text_add(struct sim__text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sim__text_vadd(t, fmt, ap);
    va_end(ap);
}

char *sim__text_read(FILE *f, size_t *len)
{
    struct sim__text t = {0};
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) sim__text_put(&t, buf, got); /* NUL bytes too */
    if (len) *len = t.len;
    return t.text ? t.text : sim_strdup("");
}

void sim__text_put(struct sim__text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->text = sim_realloc(t->text, t->cap);
    }
    memcpy(t->text + t->len, s, n);
    t->len += n;
    t->text[t->len] = 0;
}
