/* test_output.c: the one writer (sim/run/output.c): a new file, a replaced file keeping its
 * mode, symlinks followed (relative, chained, dangling, looping), a FIFO written in place, a
 * directory refused, an aborted write leaving the old file, no temporary left behind. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "harness.h"
#include "run/output.h"

static char dir[] = "/tmp/archsim-test-output.XXXXXX";

static char *in_dir(const char *name)
{
    static char path[4][256];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", dir, name);
    return p;
}

static char *slurp(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void put(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

/* No "NAME.tmp.XXXXXX" left in the directory. */
static void no_temporaries(void)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".tmp.")) fail_msg("a temporary was left: %s", e->d_name);
    closedir(d);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_new_and_replaced_files(void **state)
{
    (void)state;
    mode_t mask = umask(022);
    assert_true(sim__write_file(in_dir("new.json"), "one\n"));
    assert_string_equal(slurp(in_dir("new.json")), "one\n");
    struct stat st;
    assert_int_equal(stat(in_dir("new.json"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    put(in_dir("old.json"), "old\n", 0640);
    assert_true(sim__write_file(in_dir("old.json"), "new\n"));
    assert_string_equal(slurp(in_dir("old.json")), "new\n");
    assert_int_equal(stat(in_dir("old.json"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640); /* the old mode, not mkstemp's 0600 */
    umask(mask);
    no_temporaries();
}

static void test_symlinks_followed(void **state)
{
    (void)state;
    assert_int_equal(mkdir(in_dir("sub"), 0755), 0);
    put(in_dir("sub/target.json"), "old\n", 0600);
    assert_int_equal(symlink("sub/target.json", in_dir("link1")), 0); /* relative to dir */
    assert_int_equal(symlink("link1", in_dir("link2")), 0);           /* a chain */
    assert_true(sim__write_file(in_dir("link2"), "through two links\n"));
    struct stat st;
    assert_int_equal(lstat(in_dir("link2"), &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(lstat(in_dir("link1"), &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_string_equal(slurp(in_dir("sub/target.json")), "through two links\n");
    assert_int_equal(stat(in_dir("sub/target.json"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    /* dangling: the target is created */
    assert_int_equal(symlink("sub/made.json", in_dir("dangling")), 0);
    assert_true(sim__write_file(in_dir("dangling"), "made\n"));
    assert_string_equal(slurp(in_dir("sub/made.json")), "made\n");
    /* a loop is refused */
    assert_int_equal(symlink("loop-b", in_dir("loop-a")), 0);
    assert_int_equal(symlink("loop-a", in_dir("loop-b")), 0);
    errno = 0;
    assert_false(sim__write_file(in_dir("loop-a"), "x"));
    assert_int_equal(errno, ELOOP);
    no_temporaries();
}

static void test_fifo_written_in_place(void **state)
{
    (void)state;
    const char *fifo = in_dir("fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    int rd = open(fifo, O_RDONLY | O_NONBLOCK); /* a reader, so the writer's open returns */
    assert_true(rd >= 0);
    assert_true(sim__write_file(fifo, "down the pipe\n"));
    char buf[64] = {0};
    assert_int_equal(read(rd, buf, sizeof buf - 1), 14);
    assert_string_equal(buf, "down the pipe\n");
    close(rd);
    struct stat st;
    assert_int_equal(lstat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode)); /* still a FIFO, not a regular file */
    /* A character device: as root a null device made here (a writer that replaced the path
     * must not replace the system's /dev/null), otherwise /dev/null itself. */
    const char *dev = "/dev/null";
    if (geteuid() == 0) {
        dev = in_dir("null");
        if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) != 0) return; /* no CAP_MKNOD here */
    }
    assert_true(sim__write_file(dev, "into the device\n"));
    assert_int_equal(stat(dev, &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    no_temporaries();
}

static void test_refusals_and_abort(void **state)
{
    (void)state;
    errno = 0;
    assert_false(sim__write_file(dir, "x"));
    assert_int_equal(errno, EISDIR);
    put(in_dir("kept.json"), "kept\n", 0644);
    struct sim__output *out = sim__output_open(in_dir("kept.json"));
    assert_non_null(out);
    fputs("half a report", sim__output_file(out));
    sim__output_abort(out);
    assert_string_equal(slurp(in_dir("kept.json")), "kept\n");
    errno = 0;
    assert_false(sim__write_file(in_dir("no/such/dir/x.json"), "x"));
    assert_int_equal(errno, ENOENT);
    no_temporaries();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_and_replaced_files),
        cmocka_unit_test(test_symlinks_followed),
        cmocka_unit_test(test_fifo_written_in_place),
        cmocka_unit_test(test_refusals_and_abort),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
