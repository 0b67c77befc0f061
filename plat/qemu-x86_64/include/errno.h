/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Error numbers for standalone builds, which have no libc: the platform and
 * the libraries return them negated, as Unikraft code does.  A Unikraft build
 * takes <errno.h> from its libc instead; the values are the Linux ones.
 */

#ifndef __ERRNO_H__
#define __ERRNO_H__

#define EPERM		1
#define ENOENT		2
#define EIO		5
#define E2BIG		7
#define ENOEXEC		8
#define ENOMEM		12
#define EFAULT		14
#define EBUSY		16
#define EEXIST		17
#define EINVAL		22
#define ENOSPC		28
#define ERANGE		34
#define ENOSYS		38
#define ENOTSUP		95

#endif /* __ERRNO_H__ */
