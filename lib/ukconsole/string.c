/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory and string functions.
 *
 * GCC emits calls to memcpy(), memmove(), memset() and memcmp() on its own
 * even in freestanding code (struct copies, large initializers), so these
 * four must exist.  This file is built with
 * -fno-tree-loop-distribute-patterns: otherwise GCC would recognize the
 * loops below as memset() and memcpy() and compile them into calls to
 * themselves.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Word-sized steps once the pointers are 8-byte aligned.  may_alias: the
 * words overlay objects of any type.
 */
typedef uint64_t __attribute__((may_alias)) word_t;

#define WORD		sizeof(word_t)
#define ALIGNED(p)	(((uintptr_t)(p) & (WORD - 1)) == 0)

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (ALIGNED(d) && ALIGNED(s)) {
		for (; n >= WORD; n -= WORD, d += WORD, s += WORD)
			*(word_t *)d = *(const word_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Copy backwards when dst overlaps the tail of src. */
	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	word_t word = (unsigned char)c * 0x0101010101010101ULL;

	while (n && !ALIGNED(d)) {
		*d++ = (unsigned char)c;
		n--;
	}
	for (; n >= WORD; n -= WORD, d += WORD)
		*(word_t *)d = word;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	}
	return 0;
}
