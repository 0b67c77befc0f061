/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * printf() and friends, on top of the platform console.
 *
 * One formatter serves both directions: snprintf() fills the caller's
 * buffer and counts what did not fit, printf() stages output in a small
 * buffer on the stack and writes it out whenever it fills, so that a long
 * line costs a few console writes rather than one per character.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <uk/plat/console.h>

#define PRINTF_STAGE_SIZE	128

struct out {
	char *buf;
	size_t size;		/* capacity of buf */
	size_t len;		/* bytes in buf */
	size_t total;		/* bytes produced, whether stored or not */
	int console;		/* flush buf to the console when full */
};

struct spec {
	int left;		/* '-': pad on the right */
	int zero;		/* '0': pad numbers with zeros */
	int plus;		/* '+': sign on positive numbers */
	int space;		/* ' ': space on positive numbers */
	int alt;		/* '#': 0x prefix for %x */
	int width;
	int prec;		/* -1: none */
};

static void out_flush(struct out *o)
{
	if (o->console && o->len) {
		ukplat_console_write(o->buf, o->len);
		o->len = 0;
	}
}

static void out_putc(struct out *o, char c)
{
	if (o->console) {
		if (o->len == o->size)
			out_flush(o);
		o->buf[o->len++] = c;
	} else if (o->len + 1 < o->size) {
		/* Keep room for the terminating NUL. */
		o->buf[o->len++] = c;
	}
	o->total++;
}

static void out_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_putc(o, c);
}

static void fmt_str(struct out *o, const struct spec *sp, const char *s)
{
	int len = 0;

	if (!s)
		s = "(null)";
	while (s[len] && (sp->prec < 0 || len < sp->prec))
		len++;

	if (!sp->left)
		out_pad(o, ' ', sp->width - len);
	for (int i = 0; i < len; i++)
		out_putc(o, s[i]);
	if (sp->left)
		out_pad(o, ' ', sp->width - len);
}

static void fmt_int(struct out *o, const struct spec *sp,
		    unsigned long long v, int negative, unsigned int base,
		    int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];		/* 2^64 in octal needs 22 */
	const char *prefix = "";
	int n = 0, prefix_len, zeros, pad;

	/* C11 7.21.6.1: precision 0 and value 0 give no digits at all. */
	while (v || (n == 0 && sp->prec != 0)) {
		buf[n++] = digits[v % base];
		v /= base;
	}

	if (negative)
		prefix = "-";
	else if (sp->plus)
		prefix = "+";
	else if (sp->space)
		prefix = " ";
	else if (sp->alt && base == 16)
		prefix = upper ? "0X" : "0x";
	prefix_len = prefix[0] ? (prefix[1] ? 2 : 1) : 0;

	zeros = sp->prec > n ? sp->prec - n : 0;
	pad = sp->width - prefix_len - zeros - n;
	if (sp->zero && !sp->left && sp->prec < 0 && pad > 0) {
		zeros += pad;
		pad = 0;
	}

	if (!sp->left)
		out_pad(o, ' ', pad);
	while (*prefix)
		out_putc(o, *prefix++);
	out_pad(o, '0', zeros);
	while (n)
		out_putc(o, buf[--n]);
	if (sp->left)
		out_pad(o, ' ', pad);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	sp->left = sp->zero = sp->plus = sp->space = sp->alt = 0;
	sp->width = 0;
	sp->prec = -1;

	for (;; f++) {
		if (*f == '-')
			sp->left = 1;
		else if (*f == '0')
			sp->zero = 1;
		else if (*f == '+')
			sp->plus = 1;
		else if (*f == ' ')
			sp->space = 1;
		else if (*f == '#')
			sp->alt = 1;
		else
			break;
	}

	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = 1;
			sp->width = -sp->width;
		}
		f++;
	} else {
		while (*f >= '0' && *f <= '9')
			sp->width = sp->width * 10 + (*f++ - '0');
	}

	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		} else {
			while (*f >= '0' && *f <= '9')
				sp->prec = sp->prec * 10 + (*f++ - '0');
		}
	}
	return f;
}

static const char *parse_length(const char *f, enum length *len)
{
	*len = LEN_INT;
	if (*f == 'h') {
		f++;
		*len = LEN_SHORT;
		if (*f == 'h') {
			f++;
			*len = LEN_CHAR;
		}
	} else if (*f == 'l') {
		f++;
		*len = LEN_LONG;
		if (*f == 'l') {
			f++;
			*len = LEN_LLONG;
		}
	} else if (*f == 'z' || *f == 'j' || *f == 't') {
		f++;
		*len = LEN_SIZE;
	}
	return f;
}

static long long arg_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:
		return (signed char)va_arg(*ap, int);
	case LEN_SHORT:
		return (short)va_arg(*ap, int);
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE:
		return va_arg(*ap, long);
	default:
		return va_arg(*ap, int);
	}
}

static unsigned long long arg_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static void format(struct out *o, const char *f, va_list *ap)
{
	struct spec sp;
	enum length len;
	long long sv;
	char c;

	while (*f) {
		if (*f != '%') {
			out_putc(o, *f++);
			continue;
		}

		f = parse_spec(f + 1, &sp, ap);
		f = parse_length(f, &len);
		switch (*f) {
		case 'd':
		case 'i':
			sv = arg_signed(ap, len);
			fmt_int(o, &sp, sv < 0 ? -(unsigned long long)sv
					       : (unsigned long long)sv,
				sv < 0, 10, 0);
			break;
		case 'u':
			fmt_int(o, &sp, arg_unsigned(ap, len), 0, 10, 0);
			break;
		case 'x':
		case 'X':
			fmt_int(o, &sp, arg_unsigned(ap, len), 0, 16,
				*f == 'X');
			break;
		case 'p':
			sp.alt = 1;
			fmt_int(o, &sp, (unsigned long)va_arg(*ap, void *), 0,
				16, 0);
			break;
		case 's':
			fmt_str(o, &sp, va_arg(*ap, const char *));
			break;
		case 'c':
			c = (char)va_arg(*ap, int);
			sp.prec = -1;
			if (!sp.left)
				out_pad(o, ' ', sp.width - 1);
			out_putc(o, c);
			if (sp.left)
				out_pad(o, ' ', sp.width - 1);
			break;
		case '%':
			out_putc(o, '%');
			break;
		case '\0':
			/* A lone '%' at the end: print it, and stop. */
			out_putc(o, '%');
			return;
		default:
			/* Unknown conversion: show it as written. */
			out_putc(o, '%');
			out_putc(o, *f);
			break;
		}
		f++;
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size };
	va_list aq;

	va_copy(aq, ap);
	format(&o, fmt, &aq);
	va_end(aq);
	if (size)
		buf[o.len] = '\0';
	return (int)o.total;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}

int vprintf(const char *fmt, va_list ap)
{
	char stage[PRINTF_STAGE_SIZE];
	struct out o = { .buf = stage, .size = sizeof(stage), .console = 1 };
	va_list aq;

	va_copy(aq, ap);
	format(&o, fmt, &aq);
	va_end(aq);
	out_flush(&o);
	return (int)o.total;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vprintf(fmt, ap);
	va_end(ap);
	return ret;
}

int puts(const char *s)
{
	size_t len = 0;

	while (s[len])
		len++;
	ukplat_console_write(s, len);
	ukplat_console_write("\n", 1);
	return (int)len + 1;
}

int putchar(int c)
{
	char ch = (char)c;

	ukplat_console_write(&ch, 1);
	return (unsigned char)ch;
}
