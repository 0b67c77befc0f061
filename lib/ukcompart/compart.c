/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compartment runtime: bring the layout the build describes to life.
 *
 * The build links every compartment into its own page-aligned sections and
 * describes them in the table at __ukc_desc_start (uk/compart/desc.h).
 * Before any other init function, and so before any compartment code runs,
 * this file checks that table (when it says UKC_DESC_XCR0_NO_PKRU, also
 * that the platform took PKRU out of XCR0), zeroes each compartment's bss,
 * tags each compartment's pages with its protection key (MPK), unmaps
 * the guard page below each compartment stack and installs the page-fault
 * hook that reports violations (fault.c).  It also gives each
 * compartment built with a stack protector its canary and installs the
 * invalid-opcode hook that reports failed hardening checks (hardening.c).
 */

#include <errno.h>
#include <uk/arch/types.h>
#include <uk/essentials.h>
#include <uk/init.h>
#include <uk/compart/desc.h>
#include <uk/compart/plat.h>

#include "ukcompart.h"

#ifdef CONFIG_UKCOMPART_MPK
#define UKC_MECH_CONFIGURED	UKC_MECH_MPK
#else
#define UKC_MECH_CONFIGURED	UKC_MECH_FCALL
#endif

/* Keys 1..14: 0 is the core's, 15 the shared section's. */
#define UKC_KEY_COMP_MAX	14

static int ukc_desc_error(const char *what, __u64 got, __u64 want)
{
	struct ukc_line l;

	ukc_line_init(&l, "ukcompart: error: descriptor table: ");
	ukc_line_str(&l, what);
	ukc_line_str(&l, " is ");
	ukc_line_hex(&l, got);
	ukc_line_str(&l, ", expected ");
	ukc_line_hex(&l, want);
	ukc_line_emit(&l);
	return -EINVAL;
}

static int ukc_desc_check(const struct ukc_desc_table *t)
{
	__u32 i;

	if (t->magic != UKC_DESC_MAGIC)
		return ukc_desc_error("magic", t->magic, UKC_DESC_MAGIC);
	if (t->version != UKC_DESC_VERSION)
		return ukc_desc_error("version", t->version,
				      UKC_DESC_VERSION);
	if (t->entry_size != sizeof(struct ukc_comp_desc))
		return ukc_desc_error("entry size", t->entry_size,
				      sizeof(struct ukc_comp_desc));
	if (t->mechanism != UKC_MECH_CONFIGURED)
		return ukc_desc_error("mechanism", t->mechanism,
				      UKC_MECH_CONFIGURED);
	if (t->flags & ~UKC_DESC_XCR0_NO_PKRU)
		return ukc_desc_error("flags", t->flags,
				      t->flags & UKC_DESC_XCR0_NO_PKRU);
	if (t->count < 1 || t->count > UKC_KEY_COMP_MAX + 1)
		return ukc_desc_error("count", t->count, UKC_KEY_COMP_MAX + 1);
	if (t->comp[0].key != UKC_KEY_CORE)
		return ukc_desc_error("key of the core", t->comp[0].key,
				      UKC_KEY_CORE);

	for (i = 1; i < t->count; i++) {
		if (t->comp[i].key < 1 || t->comp[i].key > UKC_KEY_COMP_MAX)
			return ukc_desc_error("key of a compartment",
					      t->comp[i].key, i);
	}
	return 0;
}

/* The core's bss is the platform's to zero, and it has done so already. */
static void ukc_bss_zero(const struct ukc_desc_table *t)
{
	__u64 *p, *end;
	__u32 i;

	for (i = 1; i < t->count; i++) {
		p = (__u64 *)t->comp[i].bss.start;
		end = (__u64 *)t->comp[i].bss.end;
		while (p < end)
			*p++ = 0;
	}
}

static int ukc_range_error(const char *action,
			   const struct ukc_comp_desc *c, const char *what,
			   const struct ukc_range *r, int ret)
{
	struct ukc_line l;

	ukc_line_init(&l, "ukcompart: error: cannot ");
	ukc_line_str(&l, action);
	ukc_line_str(&l, " ");
	ukc_line_strn(&l, c ? c->name : "shared", UKC_NAME_MAX);
	ukc_line_str(&l, " ");
	ukc_line_str(&l, what);
	ukc_line_str(&l, " [");
	ukc_line_hex(&l, r->start);
	ukc_line_str(&l, ", ");
	ukc_line_hex(&l, r->end);
	ukc_line_str(&l, ") (");
	ukc_line_dec(&l, ret);
	ukc_line_str(&l, ")");
	ukc_line_emit(&l);
	return ret;
}

#ifdef CONFIG_UKCOMPART_MPK
static int ukc_key_set(const struct ukc_comp_desc *c, const char *what,
		       const struct ukc_range *r, int pkey)
{
	int ret;

	if (r->start == r->end)
		return 0;
	ret = ukc_plat_pages_set_key(r->start, r->end, pkey);
	if (ret < 0)
		return ukc_range_error("tag", c, what, r, ret);
	return 0;
}

static int ukc_keys_apply(const struct ukc_desc_table *t)
{
	const struct ukc_comp_desc *c;
	__u32 i;
	int ret;

	for (i = 1; i < t->count; i++) {
		c = &t->comp[i];
		ret = ukc_key_set(c, "text", &c->text, (int)c->key);
		if (!ret)
			ret = ukc_key_set(c, "rodata", &c->rodata,
					  (int)c->key);
		if (!ret)
			ret = ukc_key_set(c, "data", &c->data, (int)c->key);
		if (!ret)
			ret = ukc_key_set(c, "bss", &c->bss, (int)c->key);
		if (!ret)
			ret = ukc_key_set(c, "stack", &c->stack, (int)c->key);
		if (ret < 0)
			return ret;
	}

	return ukc_key_set(NULL, "section", &t->shared, UKC_KEY_SHARED);
}
#endif /* CONFIG_UKCOMPART_MPK */

static int ukc_guards_unmap(const struct ukc_desc_table *t)
{
	const struct ukc_comp_desc *c;
	__u32 i;
	int ret;

	for (i = 1; i < t->count; i++) {
		c = &t->comp[i];
		if (c->guard.start == c->guard.end)
			continue;
		ret = ukc_plat_pages_unmap(c->guard.start, c->guard.end);
		if (ret < 0)
			return ukc_range_error("unmap", c, "guard", &c->guard,
					       ret);
	}
	return 0;
}

/* The table promises that XRSTOR outside the gates cannot load PKRU. */
static int ukc_xsave_check(const struct ukc_desc_table *t)
{
	struct ukc_line l;
	int ret;

	if (!(t->flags & UKC_DESC_XCR0_NO_PKRU))
		return 0;
	ret = ukc_plat_xsave_pkru_off();
	if (ret >= 0)
		return 0;
	ukc_line_init(&l, "ukcompart: error: XSAVE state still holds PKRU"
		      " (XCR0 bit 9) or outgrew its save areas (");
	ukc_line_dec(&l, ret);
	ukc_line_str(&l, ")");
	ukc_line_emit(&l);
	return ret;
}

static int ukc_init(void)
{
	const struct ukc_desc_table *t = &ukc_desc;
	int ret;

	ret = ukc_desc_check(t);
	if (ret < 0)
		return ret;
	ret = ukc_xsave_check(t);
	if (ret < 0)
		return ret;

	/* From here on a stray access in any compartment gets reported. */
	ukc_plat_pf_hook_set(ukc_fault_report);
	ukc_plat_ud_hook_set(ukc_ud_report);

	ukc_bss_zero(t);
	ukc_canaries_init();

#ifdef CONFIG_UKCOMPART_MPK
	if (!ukc_plat_cpu_has_pku()) {
		static const char msg[] = "ukcompart: error: this CPU has no"
			" protection keys (CPUID.7.0:ECX.PKU=0); boot with"
			" -cpu max or configure UKCOMPART_FCALL\n";

		ukc_plat_puts(msg, sizeof(msg) - 1);
		ukc_plat_exit(UKC_EXIT_NO_PKU);
	}
	ukc_plat_pku_enable();

	ret = ukc_keys_apply(t);
	if (ret < 0)
		return ret;
#endif

	return ukc_guards_unmap(t);
}

UK_INIT_REGISTER(ukc_init, 0);
