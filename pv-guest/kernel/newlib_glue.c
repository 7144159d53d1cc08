/*
 * The system calls newlib's x86_64-elf configuration calls by their plain
 * POSIX names (it was built with --disable-newlib-supplied-syscalls).
 *
 * There is no file system: descriptors 0, 1 and 2 are the console (reads
 * see end of file, writes go to console_io), everything else is EBADF and
 * open() fails with ENOENT. The heap behind malloc() is one contiguous run
 * of pages taken from the page allocator on the first sbrk() (the largest
 * of HEAP_MAX_PAGES, halved until it fits, above HEAP_MIN_PAGES); sbrk never
 * moves below its start nor past its end. exit() flushes stdio and ends the
 * domain: poweroff for status 0, crash otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "guest/console.h"
#include "guest/kernel.h"
#include "guest/mm.h"
#include "guest/time.h"

#define HEAP_MAX_PAGES 4096     /* 16 MiB */
#define HEAP_MIN_PAGES 16

static char *heap_start, *heap_brk, *heap_end;

static bool console_fd(int fd)
{
    return fd >= 0 && fd <= 2;
}

static int heap_reserve(void)
{
    uint64_t n = MIN((uint64_t)HEAP_MAX_PAGES, mm_free_count() / 2);
    for (; n >= HEAP_MIN_PAGES; n /= 2) {
        heap_start = mm_alloc_pages(n);
        if (heap_start != NULL) {
            heap_brk = heap_start;
            heap_end = heap_start + n * PAGE_SIZE;
            return 0;
        }
    }
    return -1;
}

void *sbrk(ptrdiff_t incr)
{
    if (heap_start == NULL && heap_reserve() < 0) {
        errno = ENOMEM;
        return (void *)-1;
    }
    if ((incr > 0 && incr > heap_end - heap_brk) || (incr < 0 && -incr > heap_brk - heap_start)) {
        errno = ENOMEM;
        return (void *)-1;
    }
    char *old = heap_brk;
    heap_brk += incr;
    return old;
}

_READ_WRITE_RETURN_TYPE write(int fd, const void *buf, size_t len)
{
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    console_write(buf, len);
    return (_READ_WRITE_RETURN_TYPE)len;
}

_READ_WRITE_RETURN_TYPE read(int fd, void *buf, size_t len)
{
    (void)buf;
    (void)len;
    if (fd != 0) {
        errno = EBADF;
        return -1;
    }
    return 0;
}

int open(const char *path, int flags, ...)
{
    (void)path;
    (void)flags;
    errno = ENOENT;
    return -1;
}

int close(int fd)
{
    if (console_fd(fd))
        return 0;
    errno = EBADF;
    return -1;
}

int fstat(int fd, struct stat *st)
{
    if (!console_fd(fd)) {
        errno = EBADF;
        return -1;
    }
    memset(st, 0, sizeof(*st));
    st->st_mode = S_IFCHR;
    return 0;
}

int isatty(int fd)
{
    if (console_fd(fd))
        return 1;
    errno = EBADF;
    return 0;
}

off_t lseek(int fd, off_t off, int whence)
{
    (void)off;
    (void)whence;
    errno = console_fd(fd) ? ESPIPE : EBADF;
    return -1;
}

pid_t getpid(void)
{
    return 1;
}

int kill(pid_t pid, int sig)
{
    (void)pid;
    (void)sig;
    errno = EINVAL;
    return -1;
}

void _exit(int status)
{
    if (status == 0)
        guest_poweroff();
    printk("exit(%d)\n", status);
    guest_crash("exit with a non-zero status");
}

int gettimeofday(struct timeval *tv, void *tz)
{
    uint64_t sec;
    uint32_t nsec;

    (void)tz;
    if (!time_wallclock(&sec, &nsec)) {
        errno = EAGAIN;
        return -1;
    }
    tv->tv_sec = (time_t)sec;
    tv->tv_usec = (suseconds_t)(nsec / 1000);
    return 0;
}

/* Everything counts as system time of the one process; units are
 * CLOCKS_PER_SEC, which newlib's clock() expects. */
clock_t times(struct tms *t)
{
    clock_t now = (clock_t)(time_now_ns() / (NSEC_PER_SEC / CLOCKS_PER_SEC));
    t->tms_utime = 0;
    t->tms_stime = now;
    t->tms_cutime = 0;
    t->tms_cstime = 0;
    return now;
}
