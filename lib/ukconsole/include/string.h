/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory and string functions.
 */

#ifndef __STRING_H__
#define __STRING_H__

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif /* __STRING_H__ */
