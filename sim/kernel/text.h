/* text.h: a growing text buffer for reports, CSV and plot data (engine files only). */
#ifndef ARCHSIM_TEXT_H
#define ARCHSIM_TEXT_H

#include <stddef.h>

/* Zero-initialise; text is NUL-terminated (or NULL while empty) and owned by the caller. */
struct sim__text {
    char *text;
    size_t len, cap;
};

#include <stdarg.h>
#include <stdio.h>

void sim__text_add(struct sim__text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sim__text_vadd(struct sim__text *t, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Appends the n bytes at s (no formatting: the cheap way for big outputs). */
void sim__text_put(struct sim__text *t, const char *s, size_t n);

/* The rest of stream f as a new text (never NULL; "" when empty); its length in *len
 * when len is not NULL. The caller frees it and closes f. */
char *sim__text_read(FILE *f, size_t *len);

#endif
