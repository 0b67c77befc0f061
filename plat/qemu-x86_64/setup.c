/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * C entry of the platform: from boot.S to main() and back to QEMU.
 *
 * boot.S has zeroed .bss and .ukplat.sup and runs us on the boot stack.
 * We bring up the console, the exception vectors and the final page
 * tables, split the multiboot command line into argv, run the functions
 * registered with UK_INIT_REGISTER() and call main().  Its return value is
 * the exit status of the image.
 */

#include <uk/arch/types.h>
#include <uk/essentials.h>
#include <uk/init.h>
#include <uk/plat/bootstrap.h>
#ifdef CONFIG_UKCOMPART
#include <uk/compart/gate.h>
#endif

#include "qemuplat.h"

#define MULTIBOOT_BOOTLOADER_MAGIC	0x2badb002
#define MULTIBOOT_INFO_CMDLINE		(1U << 2)

#define ISA_DEBUG_EXIT_PORT		0xf4

#define APP_NAME			"app"
#define CMDLINE_SIZE			2048
#define ARGV_MAX			64

/* The part of the multiboot information we read (Multiboot 0.6.96, 3.3). */
struct multiboot_info {
	__u32 flags;
	__u32 mem_lower;
	__u32 mem_upper;
	__u32 boot_device;
	__u32 cmdline;
};

/*
 * The arguments live in .ukc.shared, because main() usually runs in the
 * app's compartment, which may read only its own pages and the shared
 * section.
 */
static char args_buf[CMDLINE_SIZE] __section(".ukc.shared");
static char *args_argv[ARGV_MAX + 1] __section(".ukc.shared");

int main(int argc, char *argv[]);

void __noreturn qemuplat_entry(__u32 magic, __u32 mbi_addr);

void __noreturn ukplat_exit(int status)
{
	/*
	 * isa-debug-exit makes QEMU exit with (value << 1) | 1; without the
	 * device the write goes nowhere and we halt.
	 */
	outl(ISA_DEBUG_EXIT_PORT, (__u32)status);
	halt_forever();
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Skip to the start of the next word; return 0 at the end of the line. */
static int word_start(const char **src)
{
	while (is_space(**src))
		(*src)++;
	return **src != '\0';
}

/*
 * argv[0] is the app name; then come the words of the command line.  QEMU,
 * like GRUB, puts the kernel's path first in the multiboot command line;
 * we drop it, so that `-append "a b"` gives argv = { "app", "a", "b" }.
 */
static int args_parse(__u32 magic, __u32 mbi_addr)
{
	const struct multiboot_info *mbi;
	const char *src = "";
	const char *name = APP_NAME;
	__sz used = 0, start;
	int argc = 0;

	if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
		qemuplat_print("ukplat: warning: not started by a multiboot"
			       " loader; no command line\n");
	} else {
		mbi = (const struct multiboot_info *)(__uptr)mbi_addr;
		if ((mbi->flags & MULTIBOOT_INFO_CMDLINE) && mbi->cmdline)
			src = (const char *)(__uptr)mbi->cmdline;
	}

	/* argv[0] goes to the shared buffer like every other argument. */
	while (*name)
		args_buf[used++] = *name++;
	args_buf[used++] = '\0';
	args_argv[argc++] = args_buf;

	/* The kernel path. */
	if (word_start(&src))
		while (*src && !is_space(*src))
			src++;

	while (word_start(&src)) {
		if (argc == ARGV_MAX) {
			qemuplat_print("ukplat: warning: more than "
				       STRINGIFY(ARGV_MAX) " arguments;"
				       " the rest are dropped\n");
			break;
		}

		start = used;
		while (*src && !is_space(*src) && used < CMDLINE_SIZE - 1)
			args_buf[used++] = *src++;
		if (*src && !is_space(*src)) {
			qemuplat_print("ukplat: warning: command line longer"
				       " than " STRINGIFY(CMDLINE_SIZE)
				       " bytes; the rest is dropped\n");
			break;
		}
		args_buf[used++] = '\0';
		args_argv[argc++] = &args_buf[start];
	}
	args_argv[argc] = NULL;
	return argc;
}

static void inittab_run(void)
{
	const uk_init_func_t *fn;
	int ret;

	for (fn = __uk_inittab_start; fn < __uk_inittab_end; fn++) {
#ifdef CONFIG_UKCOMPART
		/* The function may belong to any compartment: use a gate. */
		ret = (int)ukc_call_ptr0((void *)*fn);
#else
		ret = (*fn)();
#endif
		if (ret < 0) {
			qemuplat_print("ukplat: error: init function at ");
			qemuplat_print_hex((__uptr)*fn);
			qemuplat_print(" failed (");
			qemuplat_print_dec(ret);
			qemuplat_print(")\n");
			ukplat_exit(UKPLAT_EXIT_FATAL);
		}
	}
}

void __noreturn qemuplat_entry(__u32 magic, __u32 mbi_addr)
{
	int argc;

	qemuplat_console_init();
	qemuplat_segments_init();
	qemuplat_paging_init();

	argc = args_parse(magic, mbi_addr);
	inittab_run();

	ukplat_exit(main(argc, args_argv));
}
