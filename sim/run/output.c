/* output.c: writing files safely (see output.h), and stopping on a signal. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/internal.h"
#include "output.h"
#include "kernel/text.h"

struct sim__output {
    char *path;             /* where the text lands: a symlink's final target */
    char *tmp;              /* the temporary beside it; NULL when written directly */
    FILE *f;                /* stdout for "-": flushed, never closed */
    struct sim__output *next; /* the open outputs, for sim__stop_exit */
};

static struct sim__output *open_outputs; /* touched by the main thread only */

#define MAX_LINKS 40 /* as the kernel's own limit on a chain of symlinks */

/* The path a chain of symlinks ends at (the path itself when it is none); NULL with errno
 * set on a loop or an unreadable link. A missing final target is fine: it is created. */
static char *follow_links(const char *path)
{
    char *cur = sim_strdup(path);
    for (int hops = 0;; hops++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) return cur;
        if (hops == MAX_LINKS) {
            sim_free(cur);
            errno = ELOOP;
            return NULL;
        }
        size_t cap = (size_t)st.st_size + 1 > 256 ? (size_t)st.st_size + 1 : 256;
        char *target = NULL;
        ssize_t n;
        for (;;) { /* st_size may be 0 (procfs) or stale: grow until the text fits */
            target = sim_realloc(target, cap);
            n = readlink(cur, target, cap);
            if (n < 0 || (size_t)n < cap) break;
            cap *= 2;
        }
        if (n < 0) {
            int saved = errno;
            sim_free(target);
            sim_free(cur);
            errno = saved;
            return NULL;
        }
        target[n] = 0;
        char *slash = strrchr(cur, '/');
        if (target[0] == '/' || !slash) {
            sim_free(cur);
            cur = target;
            continue;
        }
        /* relative to the link's own directory */
        struct sim__text joined = {0};
        sim__text_add(&joined, "%.*s/%s", (int)(slash - cur), cur, target);
        sim_free(target);
        sim_free(cur);
        cur = joined.text;
    }
}

static mode_t default_mode(void)
{
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

static void forget(struct sim__output *out)
{
    for (struct sim__output **p = &open_outputs; *p; p = &(*p)->next)
        if (*p == out) {
            *p = out->next;
            return;
        }
}

static void release(struct sim__output *out)
{
    forget(out);
    sim_free(out->path);
    sim_free(out->tmp);
    sim_free(out);
}

struct sim__output *sim__output_open(const char *path)
{
    if (!strcmp(path, "-")) { /* straight to stdout: nothing to rename, nothing to take back */
        struct sim__output *out = sim_alloc(sizeof *out);
        out->path = sim_strdup(path);
        out->f = stdout;
        out->next = open_outputs;
        open_outputs = out;
        return out;
    }
    char *target = follow_links(path);
    if (!target) return NULL;
    struct sim__output *out = sim_alloc(sizeof *out);
    out->path = target;
    struct stat st;
    bool exists = stat(target, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        goto fail;
    }
    if (exists && !S_ISREG(st.st_mode)) {
        if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
            errno = EINVAL; /* a socket or a block device: not somewhere to put a report */
            goto fail;
        }
        out->f = fopen(target, "w");
        if (!out->f) goto fail;
    } else {
        struct sim__text tmp = {0};
        sim__text_add(&tmp, "%s.tmp.XXXXXX", target);
        out->tmp = tmp.text;
        int fd = mkstemp(out->tmp);
        if (fd < 0) goto fail;
        /* mkstemp makes it 0600: give it the mode the file had, or a new file's */
        if (fchmod(fd, exists ? st.st_mode & 07777 : default_mode()) != 0 ||
            !(out->f = fdopen(fd, "w"))) {
            int saved = errno;
            close(fd);
            unlink(out->tmp);
            errno = saved;
            goto fail;
        }
    }
    out->next = open_outputs;
    open_outputs = out;
    return out;
fail:;
    int saved = errno;
    sim_free(out->tmp);
    sim_free(out->path);
    sim_free(out);
    errno = saved;
    return NULL;
}

FILE *sim__output_file(struct sim__output *out)
{
    return out->f;
}

/* The directory entry of a rename is durable only once its directory is synced. */
static void sync_directory(const char *path)
{
    const char *slash = strrchr(path, '/');
    struct sim__text dir = {0};
    if (!slash) sim__text_add(&dir, ".");
    else if (slash == path) sim__text_add(&dir, "/");
    else sim__text_add(&dir, "%.*s", (int)(slash - path), path);
    int fd = open(dir.text, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd); /* best effort: some file systems refuse to sync a directory */
        close(fd);
    }
    sim_free(dir.text);
}

bool sim__output_commit(struct sim__output *out)
{
    if (sim__stop_requested()) {
        sim__output_abort(out);
        sim__stop_exit();
    }
    bool ok = fflush(out->f) == 0 && !ferror(out->f);
    if (ok && out->tmp) ok = fsync(fileno(out->f)) == 0;
    int saved = errno;
    if (out->f != stdout) ok = fclose(out->f) == 0 && ok;
    if (!ok && !saved) saved = errno;
    if (ok && out->tmp) {
        ok = rename(out->tmp, out->path) == 0;
        saved = errno;
        if (ok) sync_directory(out->path);
        else unlink(out->tmp);
    } else if (!ok && out->tmp) {
        unlink(out->tmp);
    }
    release(out);
    errno = ok ? 0 : saved;
    return ok;
}

void sim__output_abort(struct sim__output *out)
{
    if (!out) return;
    if (out->f != stdout) fclose(out->f);
    if (out->tmp) unlink(out->tmp);
    release(out);
}

static void on_signal(int sig)
{
    sim__stop_request(sig);
}

void sim__signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND; /* a second signal ends the program at once */
    static const int sigs[] = {SIGINT, SIGTERM};
    for (int i = 0; i < 2; i++) {
        /* an ignored signal stays ignored: a shell runs `archsim ... &` with SIGINT ignored
         * so that Ctrl-C at the prompt leaves background jobs alone */
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

void sim__stop_exit(void)
{
    int sig = sim__stop_requested();
    while (open_outputs) sim__output_abort(open_outputs);
    fflush(stdout);
    fprintf(stderr, "archsim: stopped by %s: the run did not finish; files not yet written are "
                    "left as they were\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    exit(128 + sig);
}
