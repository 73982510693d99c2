/* output.h: the one way archsim writes a file, and how a signal stops a run (engine files
 * only). A regular file (or a new one) is written to a temporary beside it, synced and
 * renamed into place with the old file's mode; a symlink is followed to its target; a FIFO
 * or a character device (/dev/stdout, /dev/null) is written directly; a directory or a
 * socket is refused; "-" is standard output, written directly. So a killed run never
 * leaves a half-written result, and a special file is never replaced by a regular one. */
#ifndef ARCHSIM_OUTPUT_H
#define ARCHSIM_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

struct sim__output;

/* Opens path for writing; NULL with errno set (EISDIR, ELOOP...) when it cannot. */
struct sim__output *sim__output_open(const char *path);
FILE *sim__output_file(struct sim__output *out);
/* Flushes, syncs and renames into place (a direct write: flushes and closes); false with
 * errno set, the temporary removed. Either way out is freed. A stop request (SIGINT,
 * SIGTERM) makes it abort instead: earlier outputs stay as they were. */
bool sim__output_commit(struct sim__output *out);
/* Removes the temporary and frees out; the file at path is left as it was. */
void sim__output_abort(struct sim__output *out);

/* SIGINT and SIGTERM set a flag (a second one kills at once); the run loops read it. */
void sim__signals_install(void);
/* Aborts every open output, says on stderr that the run was stopped and exits 128 + the
 * signal (130 for SIGINT, 143 for SIGTERM). Main thread only, with no other thread running. */
void sim__stop_exit(void) __attribute__((noreturn));

#endif
