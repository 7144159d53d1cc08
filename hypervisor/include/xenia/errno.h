/* Negative errno values returned to guests (Linux numbers, as Xen's). */
#ifndef XENIA_ERRNO_H
#define XENIA_ERRNO_H

#define EPERM    1
#define ENOENT   2
#define ESRCH    3
#define EINTR    4
#define E2BIG    7
#define EAGAIN   11
#define ENOMEM   12
#define EACCES   13
#define EFAULT   14
#define EBUSY    16
#define EEXIST   17
#define EINVAL   22
#define ENOSPC   28
#define ERANGE   34
#define ENOSYS   38
#define ETIME    62
#define ERESTART 85
#define EOPNOTSUPP 95

#endif
