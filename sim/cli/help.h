/* help.h: per-command help and the man page, from one table (help.c). */
#ifndef ARCHSIM_HELP_H
#define ARCHSIM_HELP_H

#include <stdbool.h>
#include <stdio.h>

bool sim__help_is_command(const char *name);
/* A command's usage, options and two examples; 2 (with a message) for an unknown command. */
int sim__help_print(FILE *f, const char *command);
/* The man page (roff) for every command. */
void sim__help_man(FILE *f, const char *version);

#endif
