// SPDX-License-Identifier: GPL-2.0
/*
 * setup.c - the memory a PV guest is born with, and the entry points it
 * registers with Xen before anything else runs.
 *
 * Xen builds a PV domain with its pseudo-physical frames [0, nr_pages)
 * populated, in start_info.  Separately, XENMEM_memory_map gives the memory
 * map the toolstack chose for the domain: RAM up to the static maximum
 * (maxmem, which may be above the populated size), and possibly holes and
 * reserved areas in the middle (a domain with e820_host, say).  A domain
 * without a map of its own gets a synthetic one: RAM from 0 to nr_pages,
 * with some slack on top for the backends to map grants into.
 *
 * xen_memory_setup(), the kernel's x86_init.resources.memory_setup, turns
 * those two into the e820 the kernel runs on:
 *
 *  - Xen's map is read into xen_map, the count and each entry checked (no
 *    empty or wrapping entry is believed), and sorted and merged with the
 *    kernel's own e820__update_table().
 *
 *  - The things Xen has already put in memory must lie in RAM of that map:
 *    the kernel, start_info, the initial page tables (checked by
 *    xen_pt_check_e820() in mmu_pv.c, which calls back here), the p2m list
 *    and the initrd.  An ACPI NVS area in their way is moved above the
 *    populated memory (it keeps its machine frames, which p2m.c maps at the
 *    new place later: xen_add_remap_nonram()); the p2m list is relocated by
 *    xen_relocate_p2m(), the initrd copied to free RAM; anything else in a
 *    hole is fatal, with a message on Xen's console.
 *
 *  - RAM below nr_pages goes into the e820 as it is.  RAM above it is the
 *    balloon's room to grow: as much as fits (EXTRA_MEM_RATIO times the
 *    populated size at most) is given to the e820 too, but registered with
 *    xen_add_extra_mem(), which keeps it reserved in memblock and marks its
 *    p2m entries invalid: pfns with no memory behind them yet.
 *
 *  - Populated pfns that fall in a hole of the map still have memory behind
 *    them, which must not be wasted.  Their p2m entries become identity
 *    entries (what a hole means to a PV guest: the pfn is the machine
 *    frame, for I/O), and the machine frames move to pfns in the extra
 *    space above nr_pages.  The move has to wait until the p2m can grow
 *    (xen_remap_memory(), called from mmu_pv.c once the allocator works),
 *    but the list of frames must be kept now, and there is nowhere to keep
 *    it: so each run of up to NOTE_SLOTS frames carries its own note, in
 *    its first page, reached through a one-page window in the kernel
 *    image: the frames, where they go, and the machine frame of the next
 *    note.  If there is no extra space to move to, the frames are given
 *    back to Xen instead (xen_released_pages counts them for the balloon).
 *
 * xen_arch_setup(), x86_init.oem.arch_setup, runs just before that: it
 * registers the event and failsafe callbacks and the syscall entry points,
 * asks for writable page tables, and turns off what a domU cannot use
 * (ACPI, cpuidle, cpufreq, NUMA).
 *
 * This file is for an unprivileged domain: dom0's machine memory map is not
 * handled (the port's configuration cannot build a dom0).
 */

#define pr_fmt(fmt) "xen-setup: " fmt

#include <linux/acpi.h>
#include <linux/build_bug.h>
#include <linux/cpufreq.h>
#include <linux/cpuidle.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/kstrtox.h>
#include <linux/memblock.h>
#include <linux/memory_hotplug.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/panic.h>
#include <linux/pfn.h>
#include <linux/string.h>

#include <asm/e820/api.h>
#include <asm/idtentry.h>
#include <asm/numa.h>
#include <asm/setup.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include <xen/features.h>
#include <xen/hvc-console.h>
#include <xen/interface/callback.h>
#include <xen/interface/memory.h>
#include <xen/page.h>
#include <xen/xen.h>

#include "xen-ops.h"

/* Set when Xen's map has reserved areas: PCI passthrough may be in use. */
bool xen_pv_pci_possible;

static struct e820_table xen_map __initdata;	/* Xen's map, checked, sorted */
static unsigned long xen_ram_pages __initdata;	/* pfns [0, this) populated */
static bool xen_limit_512gb __initdata = IS_ENABLED(CONFIG_XEN_512GB);

/*
 * A note in the first page of a run of frames to move (see the top).  It
 * fills the page exactly.
 */
#define NOTE_SLOTS	(P2M_LEAF_ENTRIES - 3)
struct remap_note {
	unsigned long next;	/* machine frame of the next note, or invalid */
	unsigned long dest_pfn;	/* where mfn[0] goes; the others follow */
	unsigned long count;
	unsigned long mfn[NOTE_SLOTS];
};

static_assert(sizeof(struct remap_note) == PAGE_SIZE);

static struct remap_note remap_window __initdata __aligned(PAGE_SIZE);
static unsigned long remap_head __initdata = INVALID_P2M_ENTRY;

/* Early enough that only Xen's console may be up: say it there too. */
static void __init __noreturn xen_setup_die(const char *what)
{
	xen_raw_console_write("xen-setup: ");
	xen_raw_console_write(what);
	xen_raw_console_write("\n");
	panic("xen-setup: %s\n", what);
}

/* ---- the memory map, as data (the KUnit cases below use these) ---- */

/*
 * Drop the entries of @t that cannot be believed: empty ones, and ones
 * whose end wraps past the top of the address space.
 */
static unsigned int __init xen_map_clean(struct e820_table *t)
{
	unsigned int in, kept = 0;

	for (in = 0; in < t->nr_entries; in++) {
		const struct e820_entry *e = &t->entries[in];

		if (e->size && e->addr + e->size > e->addr)
			t->entries[kept++] = *e;
	}
	t->nr_entries = kept;
	return kept;
}

/* Is [start, start + size) inside one RAM entry of @t?  Empty: yes. */
static bool __init xen_in_ram(const struct e820_table *t, u64 start, u64 size)
{
	unsigned int i;

	if (!size)
		return true;
	if (start + size < start)
		return false;
	for (i = 0; i < t->nr_entries; i++) {
		const struct e820_entry *e = &t->entries[i];

		if (e->type == E820_TYPE_RAM && start >= e->addr &&
		    start + size <= e->addr + e->size)
			return true;
	}
	return false;
}

/*
 * The first whole RAM page of sorted @t at or above *@pfn: moves *@pfn
 * there and returns how many RAM pages follow it, or 0 if there is none.
 */
static unsigned long __init xen_ram_from(const struct e820_table *t,
					 unsigned long *pfn)
{
	unsigned int i;

	for (i = 0; i < t->nr_entries; i++) {
		const struct e820_entry *e = &t->entries[i];
		unsigned long first = PFN_UP(e->addr);
		unsigned long end = PFN_DOWN(e->addr + e->size);

		if (e->type != E820_TYPE_RAM || end <= first || end <= *pfn)
			continue;
		*pfn = max(*pfn, first);
		return end - *pfn;
	}
	return 0;
}

struct hole_cursor {
	unsigned int next;	/* entry to look at next */
	u64 from;		/* end of the last RAM entry seen */
};

/*
 * The holes of sorted @t one at a time, in pfns [*@s, *@e): each runs from
 * the end of a RAM entry (rounded down) to the start of the next one
 * (rounded up), gaps and non-RAM entries alike; the last runs to the end of
 * the last entry if that is not RAM.  Rounding outwards keeps partial pages
 * at the edges reachable through the identity mapping.  Start with a zeroed
 * cursor; false when there are no more.
 */
static bool __init xen_next_hole(const struct e820_table *t,
				 struct hole_cursor *c, unsigned long *s,
				 unsigned long *e)
{
	while (c->next < t->nr_entries) {
		const struct e820_entry *x = &t->entries[c->next++];
		bool ram = x->type == E820_TYPE_RAM;

		if (!ram && c->next < t->nr_entries)
			continue;
		*s = PFN_DOWN(c->from);
		*e = PFN_UP(ram ? x->addr : x->addr + x->size);
		c->from = x->addr + x->size;
		if (*s < *e)
			return true;
	}
	return false;
}

/* How many pfns below @limit lie in holes of @t (and need a new home). */
static unsigned long __init xen_hole_pages(const struct e820_table *t,
					   unsigned long limit)
{
	struct hole_cursor c = {};
	unsigned long s, e, n = 0;

	while (xen_next_hole(t, &c, &s, &e))
		if (s < limit)
			n += min(e, limit) - s;
	return n;
}

/*
 * Take [pfn, pfn + n) out of the region of @r that holds all of it.  A cut
 * from the middle leaves the region's upper part in *@tail for the caller
 * to register; otherwise tail->n_pfns is 0.  -ENOENT if no region holds it.
 */
static int __init xen_extra_cut(struct xen_memory_region *r, unsigned int nr,
				unsigned long pfn, unsigned long n,
				struct xen_memory_region *tail)
{
	unsigned int i;

	tail->n_pfns = 0;
	for (i = 0; i < nr; i++) {
		unsigned long lo = r[i].start_pfn, hi = lo + r[i].n_pfns;

		if (!r[i].n_pfns || pfn < lo || pfn + n > hi)
			continue;
		tail->start_pfn = pfn + n;
		tail->n_pfns = hi - (pfn + n);
		r[i].n_pfns = pfn - lo;
		if (!r[i].n_pfns) {
			r[i] = *tail;
			tail->n_pfns = 0;
		}
		return 0;
	}
	return -ENOENT;
}

/* ---- the extra (balloon) space ---- */

/* pfn ranges with no memory behind them yet, for the balloon to fill */
struct xen_memory_region xen_extra_mem[XEN_EXTRA_MEM_MAX_REGIONS] __initdata;
/* frames given back to Xen at boot; the balloon counts them as its own */
unsigned long xen_released_pages;

/**
 * xen_add_extra_mem() - record pfns as extra space and keep them reserved
 * @start_pfn: first pfn
 * @n_pfns: how many
 *
 * A range that continues the last one it touches is merged into it.
 */
void __init xen_add_extra_mem(unsigned long start_pfn, unsigned long n_pfns)
{
	struct xen_memory_region *r = xen_extra_mem;
	struct xen_memory_region *end = r + XEN_EXTRA_MEM_MAX_REGIONS;

	while (r < end && r->n_pfns && r->start_pfn + r->n_pfns != start_pfn)
		r++;
	if (r == end) {
		pr_warn("no room to record extra pfns %#lx+%#lx\n",
			start_pfn, n_pfns);
	} else if (r->n_pfns) {
		r->n_pfns += n_pfns;
	} else {
		r->start_pfn = start_pfn;
		r->n_pfns = n_pfns;
	}
	memblock_reserve(PFN_PHYS(start_pfn), PFN_PHYS(n_pfns));
}

/**
 * xen_chk_extra_mem() - the p2m entry of a pfn beyond the p2m list, at boot
 * @pfn: the pfn
 *
 * Until the p2m can grow past the list Xen built, pfns above it read as
 * invalid (no memory yet) when they are extra space, and as identity
 * otherwise.
 *
 * Return: INVALID_P2M_ENTRY or P2M_IDENTITY(@pfn).
 */
unsigned long __ref xen_chk_extra_mem(unsigned long pfn)
{
	unsigned int i;

	for (i = 0; i < XEN_EXTRA_MEM_MAX_REGIONS; i++) {
		const struct xen_memory_region *r = &xen_extra_mem[i];

		if (pfn - r->start_pfn < r->n_pfns)
			return INVALID_P2M_ENTRY;
	}
	return P2M_IDENTITY(pfn);
}

/**
 * xen_inv_extra_mem() - mark every pfn of the extra space invalid in the p2m
 */
void __init xen_inv_extra_mem(void)
{
	unsigned int i;
	unsigned long pfn;

	for (i = 0; i < XEN_EXTRA_MEM_MAX_REGIONS; i++) {
		const struct xen_memory_region *r = &xen_extra_mem[i];

		for (pfn = r->start_pfn; pfn < r->start_pfn + r->n_pfns; pfn++)
			set_phys_to_machine(pfn, INVALID_P2M_ENTRY);
	}
}

/* ---- moving populated frames out of holes ---- */

/* Hand back pfns [s, e) below nr_pages to Xen: there was nowhere to move them. */
static void __init xen_release(unsigned long s, unsigned long e)
{
	struct xen_memory_reservation give = {
		.nr_extents = 1,
		.domid = DOMID_SELF,
	};
	unsigned long pfn, mfn;
	int rc;

	for (pfn = s; pfn < min(e, xen_ram_pages); pfn++) {
		mfn = pfn_to_mfn(pfn);
		if (mfn == INVALID_P2M_ENTRY || mfn_to_pfn(mfn) != pfn)
			continue;
		set_xen_guest_handle(give.extent_start, &mfn);
		rc = HYPERVISOR_memory_op(XENMEM_decrease_reservation, &give);
		if (WARN(rc != 1, "Xen took back no frame for pfn %#lx: %d\n",
			 pfn, rc))
			return;
		xen_released_pages++;
		if (!__set_phys_to_machine(pfn, INVALID_P2M_ENTRY))
			return;
	}
}

/* Write notes for pfns [pfn, pfn + n), whose frames go to dest onwards. */
static void __init xen_note_frames(unsigned long pfn, unsigned long n,
				   unsigned long dest)
{
	unsigned long win = (unsigned long)&remap_window;
	unsigned long own = virt_to_mfn(&remap_window);
	unsigned long i, k, mfn;

	while (n) {
		k = min(n, NOTE_SLOTS);
		for (i = 0; i < k; i++) {
			mfn = __pfn_to_mfn(pfn + i);
			if (mfn == INVALID_P2M_ENTRY || (mfn & P2M_IDENTITY_BIT))
				xen_setup_die("a populated pfn in a hole has no frame");
			if (!i)
				set_pte_mfn(win, mfn, PAGE_KERNEL);
			remap_window.mfn[i] = mfn;
		}
		remap_window.next = remap_head;
		remap_window.dest_pfn = dest;
		remap_window.count = k;
		remap_head = remap_window.mfn[0];
		pfn += k;
		dest += k;
		n -= k;
	}
	set_pte_mfn(win, own, PAGE_KERNEL);
}

/*
 * Make hole [s, e) identity in the p2m, its populated frames noted for the
 * move to RAM at @dest or above (or released).  Returns where the next hole's
 * frames may go.
 */
static unsigned long __init xen_clear_hole(unsigned long s, unsigned long e,
					   unsigned long dest)
{
	unsigned long pfn = s, top = min(e, xen_ram_pages), room, n;

	while (pfn < top) {
		room = xen_ram_from(&xen_map, &dest);
		if (!room) {
			pr_warn("no RAM to move pfns %#lx-%#lx to: released\n",
				pfn, top - 1);
			xen_release(pfn, top);
			break;
		}
		n = min(top - pfn, room);
		xen_note_frames(pfn, n, dest);
		pfn += n;
		dest += n;
	}
	set_phys_range_identity(s, e);

	/* Xen's initial mappings of those pfns now point at the wrong thing. */
	for (pfn = s; pfn < e && pfn <= max_pfn_mapped; pfn++)
		HYPERVISOR_update_va_mapping((unsigned long)__va(PFN_PHYS(pfn)),
					     __pte(0), 0);
	return dest;
}

/* pfn gets machine frame mfn: p2m, M2P and the direct map. */
static void __init xen_give_frame(unsigned long pfn, unsigned long mfn)
{
	struct mmu_update m2p = {
		.ptr = PFN_PHYS(mfn) | MMU_MACHPHYS_UPDATE,
		.val = pfn,
	};

	if (!set_phys_to_machine(pfn, mfn))
		xen_setup_die("no p2m room for a moved frame");
	if (HYPERVISOR_mmu_update(&m2p, 1, NULL, DOMID_SELF) < 0)
		xen_setup_die("Xen refused the M2P entry of a moved frame");
	if (HYPERVISOR_update_va_mapping((unsigned long)__va(PFN_PHYS(pfn)),
					 mfn_pte(mfn, PAGE_KERNEL), 0))
		xen_setup_die("Xen refused to map a moved frame");
}

/**
 * xen_remap_memory() - move the frames noted at boot to their new pfns
 *
 * Called once the p2m can take entries beyond Xen's list.  Each moved pfn
 * leaves the extra space and becomes ordinary free RAM.  Then the ACPI NVS
 * areas moved by xen_chk_is_e820_usable() get their frames (p2m.c).
 */
void __init xen_remap_memory(void)
{
	unsigned long win = (unsigned long)&remap_window;
	unsigned long own = virt_to_mfn(&remap_window);
	unsigned long moved = 0, i, dest, count;
	struct xen_memory_region tail;

	while (remap_head != INVALID_P2M_ENTRY) {
		set_pte_mfn(win, remap_head, PAGE_KERNEL);
		dest = remap_window.dest_pfn;
		count = remap_window.count;
		if (remap_window.mfn[0] != remap_head || !count ||
		    count > NOTE_SLOTS)
			xen_setup_die("a note of frames to move is damaged");
		for (i = 0; i < count; i++)
			xen_give_frame(dest + i, remap_window.mfn[i]);
		remap_head = remap_window.next;

		if (xen_extra_cut(xen_extra_mem, XEN_EXTRA_MEM_MAX_REGIONS,
				  dest, count, &tail))
			pr_warn("pfns %#lx+%#lx were not extra space\n",
				dest, count);
		else if (tail.n_pfns)
			xen_add_extra_mem(tail.start_pfn, tail.n_pfns);
		memblock_phys_free(PFN_PHYS(dest), PFN_PHYS(count));
		moved += count;
	}
	set_pte_mfn(win, own, PAGE_KERNEL);
	if (moved)
		pr_info("%lu pages moved out of memory-map holes\n", moved);

	xen_do_remap_nonram();
}

/* ---- checks on what Xen placed in memory ---- */

/*
 * Move ACPI NVS entry @nvs of xen_map to the top of a RAM entry above the
 * populated pages, and make its old place RAM.  Its frames follow it in
 * xen_do_remap_nonram().
 */
static void __init xen_move_nvs(struct e820_entry *nvs)
{
	phys_addr_t base = PAGE_ALIGN_DOWN(nvs->addr);
	phys_addr_t len = PAGE_ALIGN(nvs->addr + nvs->size) - base;
	phys_addr_t floor = PFN_PHYS(xen_ram_pages), to;
	struct e820_entry *ram;
	unsigned int i;

	for (i = 0; i < xen_map.nr_entries; i++) {
		ram = &xen_map.entries[i];
		if (ram->type != E820_TYPE_RAM || ram->size < len ||
		    ram->addr + ram->size - len < floor)
			continue;
		if (xen_map.nr_entries == ARRAY_SIZE(xen_map.entries))
			break;
		ram->size -= len;
		to = ram->addr + ram->size;
		xen_map.entries[xen_map.nr_entries++] = (struct e820_entry) {
			.addr = to + (nvs->addr - base),
			.size = nvs->size,
			.type = nvs->type,
		};
		xen_add_remap_nonram(base, to, len);
		nvs->addr = base;
		nvs->size = len;
		nvs->type = E820_TYPE_RAM;
		e820__update_table(&xen_map);
		return;
	}
	xen_setup_die("no room above memory for an ACPI NVS area in the way");
}

/**
 * xen_chk_is_e820_usable() - insist that an area Xen filled lies in RAM
 * @start: physical address
 * @size: length in bytes
 * @component: what it is, for the message
 *
 * ACPI NVS areas overlapping it are moved away first; if it is still not
 * inside RAM of the memory map, the guest cannot go on, and panics.
 */
void __init xen_chk_is_e820_usable(phys_addr_t start, phys_addr_t size,
				   const char *component)
{
	struct e820_entry *e;
	unsigned int i;

again:
	for (i = 0; size && i < xen_map.nr_entries; i++) {
		e = &xen_map.entries[i];
		if (e->type == E820_TYPE_NVS && e->addr < start + size &&
		    start < e->addr + e->size) {
			xen_move_nvs(e);
			goto again;
		}
	}
	if (xen_in_ram(&xen_map, start, size))
		return;
	xen_raw_console_write("xen-setup: the ");
	xen_raw_console_write(component);
	xen_raw_console_write(" Xen set up lies in a hole of the memory map\n");
	panic("xen-setup: the %s lies in a hole of the memory map\n", component);
}

/**
 * xen_find_free_area() - find and reserve free populated RAM
 * @size: bytes needed
 *
 * For moving something Xen placed in a hole of the memory map.
 *
 * Return: the physical address of the area, now reserved in memblock, or 0
 * if there is none.
 */
phys_addr_t __init xen_find_free_area(phys_addr_t size)
{
	phys_addr_t top = PFN_PHYS(xen_ram_pages), lo, hi, run, p;
	unsigned int i;

	for (i = 0; size && i < xen_map.nr_entries; i++) {
		const struct e820_entry *e = &xen_map.entries[i];

		if (e->type != E820_TYPE_RAM)
			continue;
		lo = PAGE_ALIGN(e->addr);
		hi = min(e->addr + e->size, top) & PAGE_MASK;
		for (run = p = lo; p < hi; p += PAGE_SIZE) {
			if (memblock_is_region_reserved(p, PAGE_SIZE)) {
				run = p + PAGE_SIZE;
			} else if (p + PAGE_SIZE - run >= size) {
				memblock_reserve(run, size);
				return run;
			}
		}
	}
	return 0;
}

/* memcpy() between physical addresses, through the early mappings. */
static void __init xen_copy_phys(phys_addr_t to, phys_addr_t from, u64 n)
{
	const u64 step = (NR_FIX_BTMAPS - 1) * PAGE_SIZE;
	void *d, *s;
	u64 k;

	for (; n; n -= k, to += k, from += k) {
		k = min(n, step);
		d = early_memremap(to, k);
		s = early_memremap(from, k);
		if (!d || !s)
			xen_setup_die("cannot map memory to copy");
		memcpy(d, s, k);
		early_memunmap(s, k);
		early_memunmap(d, k);
	}
}

/* Keep the p2m list Xen built; move it if it sits in a hole. */
static void __init xen_keep_p2m_list(void)
{
	const struct start_info *si = xen_start_info;
	bool in_kernel_map = si->mfn_list >= __START_KERNEL_map;
	phys_addr_t at = in_kernel_map ? __pa(si->mfn_list) :
					 PFN_PHYS(si->first_p2m_pfn);
	phys_addr_t len = in_kernel_map ?
		PFN_ALIGN(si->nr_pages * sizeof(unsigned long)) :
		PFN_PHYS(si->nr_p2m_frames);

	memblock_reserve(at, len);
	if (!xen_in_ram(&xen_map, at, len)) {
		xen_relocate_p2m();
		memblock_phys_free(at, len);
	}
}

/* Copy the initrd out of a hole, if Xen put it in one. */
static void __init xen_keep_initrd(void)
{
	struct setup_header *hdr = &boot_params.hdr;
	u64 at = hdr->ramdisk_image | (u64)boot_params.ext_ramdisk_image << 32;
	u64 len = hdr->ramdisk_size | (u64)boot_params.ext_ramdisk_size << 32;
	phys_addr_t to;

	if (xen_in_ram(&xen_map, at, len))
		return;
	to = xen_find_free_area(len);
	if (!to)
		xen_setup_die("no free RAM to move the initrd out of a hole");
	xen_copy_phys(to, at, len);
	memblock_phys_free(at, len);
	hdr->ramdisk_image = lower_32_bits(to);
	boot_params.ext_ramdisk_image = upper_32_bits(to);
	pr_info("initrd moved from %#llx to %#llx (%llu bytes)\n", at, (u64)to,
		len);
}

/* ---- the kernel's e820 ---- */

static unsigned long __init xen_pfn_limit(void)
{
	const char *opt = strnstr(xen_start_info->cmd_line, "xen_512gb_limit",
				  MAX_GUEST_CMDLINE);
	bool on = true;

	if (opt) {
		opt += strlen("xen_512gb_limit");
		if (*opt != '=' || !kstrtobool(opt + 1, &on))
			xen_limit_512gb = on;
	}
	return xen_limit_512gb ? PFN_DOWN(SZ_512G) : PFN_DOWN(MAXMEM);
}

/* Xen's "function not implemented" (XEN_ENOSYS): no map for this domain. */
#define XEN_NO_MAP	38

/* Read Xen's map into xen_map, or make one; check and sort it. */
static void __init xen_read_map(void)
{
	struct xen_memory_map req = {
		.nr_entries = ARRAY_SIZE(xen_map.entries),
	};
	int rc;

	set_xen_guest_handle(req.buffer, xen_map.entries);
	rc = HYPERVISOR_memory_op(XENMEM_memory_map, &req);
	if (rc == -XEN_NO_MAP) {
		/* 8 MiB over nr_pages: room for the backends' grant maps. */
		xen_map.entries[0] = (struct e820_entry) {
			.addr = 0,
			.size = PFN_PHYS(xen_ram_pages) + SZ_8M,
			.type = E820_TYPE_RAM,
		};
		req.nr_entries = 1;
	} else if (rc) {
		xen_setup_die("XENMEM_memory_map failed");
	}
	if (req.nr_entries > ARRAY_SIZE(xen_map.entries)) {
		pr_warn("Xen's memory map claims %u entries; using %zu\n",
			req.nr_entries, ARRAY_SIZE(xen_map.entries));
		req.nr_entries = ARRAY_SIZE(xen_map.entries);
	}
	xen_map.nr_entries = req.nr_entries;
	if (xen_map_clean(&xen_map) != req.nr_entries)
		pr_warn("%u bad memory map entries dropped\n",
			req.nr_entries - xen_map.nr_entries);
	if (!xen_map.nr_entries)
		xen_setup_die("Xen's memory map is empty");
	e820__update_table(&xen_map);
}

/* RAM [s, e) into the kernel's e820, in whole pages. */
static void __init xen_add_ram(u64 s, u64 e)
{
	s = PAGE_ALIGN(s);
	e &= PAGE_MASK;
	if (e <= s)
		return;
	e820__range_add(s, e - s, E820_TYPE_RAM);
#ifdef CONFIG_MEMORY_HOTPLUG
	/* No hotplug beyond the map until the balloon says so. */
	max_mem_size = e;
#endif
}

/* Build the kernel's e820 from xen_map, with @extra pages of balloon room. */
static void __init xen_build_e820(unsigned long extra)
{
	u64 populated = PFN_PHYS(xen_ram_pages), s, e, cut;
	unsigned long first, last;
	unsigned int i;

	for (i = 0; i < xen_map.nr_entries; i++) {
		const struct e820_entry *x = &xen_map.entries[i];

		s = x->addr;
		e = x->addr + x->size;
		if (x->type != E820_TYPE_RAM) {
			if (x->type == E820_TYPE_RESERVED)
				xen_pv_pci_possible = true;
			e820__range_add(s, x->size, x->type);
			continue;
		}
		if (s < populated) {
			cut = min(e, populated);
			xen_add_ram(s, cut);
			s = cut;
		}
		if (s >= e || !extra)
			continue;	/* beyond the balloon's room: unused */
		cut = min(e, s + PFN_PHYS(extra));
		xen_add_ram(s, cut);
		first = PFN_UP(s);
		last = PFN_DOWN(cut);
		if (last > first) {
			xen_add_extra_mem(first, last - first);
			extra -= last - first;
			xen_p2m_identity_pfn = last;
		}
	}
	/* Above the map is identity: I/O, as far as the p2m is concerned. */
	e = xen_map.entries[xen_map.nr_entries - 1].addr +
	    xen_map.entries[xen_map.nr_entries - 1].size;
	set_phys_range_identity(PFN_DOWN(e), ~0UL);

	/* The ISA area is RAM to Xen, but too much pokes about in it. */
	e820__range_add(ISA_START_ADDRESS, ISA_END_ADDRESS - ISA_START_ADDRESS,
			E820_TYPE_RESERVED);
	e820__update_table(e820_table);
}

/**
 * xen_memory_setup() - the memory map of a PV guest
 *
 * x86_init.resources.memory_setup: see the top of this file.
 *
 * Return: the name of the map's source, for the boot log.
 */
char * __init xen_memory_setup(void)
{
	struct hole_cursor c = {};
	unsigned long limit, want, cap, extra = 0, s, e, dest;

	limit = xen_pfn_limit();
	xen_ram_pages = min(limit, xen_start_info->nr_pages);
	if (!xen_ram_pages)
		xen_setup_die("start_info says no pages are populated");
	if (xen_ram_pages < xen_start_info->nr_pages)
		pr_warn("only %lu of %lu populated pages usable\n",
			xen_ram_pages, xen_start_info->nr_pages);
#if defined(CONFIG_MEMORY_HOTPLUG) && defined(CONFIG_XEN_BALLOON)
	xen_saved_max_mem_size = max_mem_size;
#endif

	xen_read_map();
	xen_chk_is_e820_usable(__pa_symbol(_text),
			       __pa_symbol(_end) - __pa_symbol(_text), "kernel");
	xen_chk_is_e820_usable(__pa(xen_start_info), sizeof(*xen_start_info),
			       "start_info");
	xen_pt_check_e820();

	/* Balloon room: up to the limit, plus a home for frames in holes. */
	want = limit + xen_hole_pages(&xen_map, xen_ram_pages);
	cap = min(xen_ram_pages, PFN_DOWN(MAXMEM)) * EXTRA_MEM_RATIO;
	if (want > xen_ram_pages)
		extra = min(want - xen_ram_pages, cap);
	xen_build_e820(extra);

	xen_keep_p2m_list();
	xen_keep_initrd();

	for (dest = xen_ram_pages; xen_next_hole(&xen_map, &c, &s, &e);)
		dest = xen_clear_hole(s, e, dest);
	if (xen_released_pages)
		pr_info("%lu pages given back to Xen\n", xen_released_pages);

	return "Xen";
}

/* ---- entry points and the rest of arch setup ---- */

static int xen_set_entry(unsigned int type, const void *entry)
{
	struct callback_register cb = {
		.type = type,
		.address = XEN_CALLBACK(__KERNEL_CS, entry),
		.flags = CALLBACKF_mask_events,
	};

	return HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
}

/**
 * xen_enable_sysenter() - register the 32-bit sysenter entry, if used
 *
 * Without it the CPU feature is cleared, so 32-bit tasks use int $0x80.
 */
void xen_enable_sysenter(void)
{
	if (!cpu_feature_enabled(X86_FEATURE_SYSENTER32))
		return;
	if (xen_set_entry(CALLBACKTYPE_sysenter, xen_entry_SYSENTER_compat))
		setup_clear_cpu_cap(X86_FEATURE_SYSENTER32);
}

/**
 * xen_enable_syscall() - register the syscall entry points on this vCPU
 */
void xen_enable_syscall(void)
{
	int rc = xen_set_entry(CALLBACKTYPE_syscall, xen_entry_SYSCALL_64);

	/* 64-bit user space has no other way in: say so loudly. */
	if (rc)
		pr_err("Xen refused the syscall entry point: %d\n", rc);

	if (cpu_feature_enabled(X86_FEATURE_SYSCALL32) &&
	    xen_set_entry(CALLBACKTYPE_syscall32, xen_entry_SYSCALL_compat))
		setup_clear_cpu_cap(X86_FEATURE_SYSCALL32);
}

/**
 * xen_arch_setup() - x86_init.oem.arch_setup of a PV guest
 */
void __init xen_arch_setup(void)
{
	xen_panic_handler_init();

	HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables);
	if (xen_set_entry(CALLBACKTYPE_event,
			  xen_asm_exc_xen_hypervisor_callback) ||
	    xen_set_entry(CALLBACKTYPE_failsafe, xen_failsafe_callback))
		xen_setup_die("Xen refused the event or failsafe callback");
	xen_enable_sysenter();
	xen_enable_syscall();

	strscpy(boot_command_line, xen_start_info->cmd_line,
		min(MAX_GUEST_CMDLINE, COMMAND_LINE_SIZE));

	/* A domU sees no ACPI tables, no NUMA, no power management. */
#ifdef CONFIG_ACPI
	if (!xen_initial_domain()) {
		pr_info("no ACPI in an unprivileged domain\n");
		disable_acpi();
	}
#endif
#ifdef CONFIG_NUMA
	numa_off = 1;
#endif
	disable_cpufreq();
	/* Idle must be the safe_halt() pv-op, which blocks in Xen. */
	disable_cpuidle();
	WARN_ON(xen_set_default_idle());
}

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

/* The helpers above are __init: these cases run before init memory goes. */

static struct e820_table * __init map_of(struct kunit *test,
					 const struct e820_entry *e,
					 unsigned int n)
{
	struct e820_table *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	memcpy(t->entries, e, n * sizeof(*e));
	t->nr_entries = n;
	return t;
}

/* Entries of RAM and of reserved space: address, length. */
#define RAM(at, len)	{ (at), (len), E820_TYPE_RAM }
#define RSV(at, len)	{ (at), (len), E820_TYPE_RESERVED }

static void __init setup_test_clean(struct kunit *test)
{
	static const struct e820_entry in[] __initconst = {
		RAM(0, SZ_1M),
		{ .addr = SZ_2M, .size = 0, .type = E820_TYPE_RAM },
		{ .addr = ~0ULL - 0xfff, .size = 0x2000, .type = E820_TYPE_RAM },
		RSV(SZ_4M, SZ_4M),
	};
	struct e820_table *t = map_of(test, in, ARRAY_SIZE(in));

	KUNIT_EXPECT_EQ(test, xen_map_clean(t), 2U);
	KUNIT_EXPECT_EQ(test, t->entries[0].size, (u64)SZ_1M);
	KUNIT_EXPECT_EQ(test, t->entries[1].addr, (u64)SZ_4M);
}

static void __init setup_test_in_ram(struct kunit *test)
{
	static const struct e820_entry in[] __initconst = {
		RAM(0, SZ_1M), RSV(SZ_1M, SZ_1M), RAM(SZ_2M, SZ_4M + SZ_2M),
	};
	struct e820_table *t = map_of(test, in, ARRAY_SIZE(in));

	KUNIT_EXPECT_TRUE(test, xen_in_ram(t, SZ_2M, SZ_4M));
	KUNIT_EXPECT_TRUE(test, xen_in_ram(t, SZ_1M, 0));
	KUNIT_EXPECT_FALSE(test, xen_in_ram(t, SZ_1M - 4096, 8192));
	KUNIT_EXPECT_FALSE(test, xen_in_ram(t, SZ_4M, SZ_8M));
	KUNIT_EXPECT_FALSE(test, xen_in_ram(t, ~0ULL - 10, 100));
}

static void __init setup_test_holes(struct kunit *test)
{
	/* RAM, a gap and a reserved area, RAM, then a trailing reserved area */
	static const struct e820_entry in[] __initconst = {
		RAM(0, 0x9f800), RSV(0xf0000, 0x10000),
		RAM(0x100000, SZ_8M - 0x100000), RSV(SZ_16M, 0x1800),
	};
	struct e820_table *t = map_of(test, in, ARRAY_SIZE(in));
	struct hole_cursor c = {};
	unsigned long s, e;

	KUNIT_ASSERT_TRUE(test, xen_next_hole(t, &c, &s, &e));
	KUNIT_EXPECT_EQ(test, s, 0x9fUL);	/* partial page rounded in */
	KUNIT_EXPECT_EQ(test, e, 0x100UL);
	KUNIT_ASSERT_TRUE(test, xen_next_hole(t, &c, &s, &e));
	KUNIT_EXPECT_EQ(test, s, PFN_DOWN(SZ_8M));
	KUNIT_EXPECT_EQ(test, e, PFN_DOWN(SZ_16M) + 2);
	KUNIT_EXPECT_FALSE(test, xen_next_hole(t, &c, &s, &e));

	/* 256 pages populated: the first hole counts, the second is above */
	KUNIT_EXPECT_EQ(test, xen_hole_pages(t, 0x100), 0x100UL - 0x9f);
	KUNIT_EXPECT_EQ(test, xen_hole_pages(t, PFN_DOWN(SZ_8M) + 5),
			0x100UL - 0x9f + 5);
}

static void __init setup_test_ram_from(struct kunit *test)
{
	static const struct e820_entry in[] __initconst = {
		RAM(0, SZ_1M), RAM(SZ_2M + 10, 10), RAM(SZ_4M + 1, SZ_4M - 1),
	};
	struct e820_table *t = map_of(test, in, ARRAY_SIZE(in));
	unsigned long pfn = 16;

	KUNIT_EXPECT_EQ(test, xen_ram_from(t, &pfn), 256UL - 16);
	KUNIT_EXPECT_EQ(test, pfn, 16UL);
	pfn = 256;	/* skips the sub-page entry, rounds the next one in */
	KUNIT_EXPECT_EQ(test, xen_ram_from(t, &pfn), 2048UL - 1025);
	KUNIT_EXPECT_EQ(test, pfn, 1025UL);
	pfn = 2048;
	KUNIT_EXPECT_EQ(test, xen_ram_from(t, &pfn), 0UL);
}

static void __init setup_test_extra_cut(struct kunit *test)
{
	struct xen_memory_region r[3] = {
		{ .start_pfn = 100, .n_pfns = 100 },
		{ .start_pfn = 1000, .n_pfns = 10 },
	};
	struct xen_memory_region tail;

	KUNIT_EXPECT_EQ(test, xen_extra_cut(r, 3, 190, 20, &tail), -ENOENT);
	KUNIT_EXPECT_EQ(test, xen_extra_cut(r, 3, 100, 10, &tail), 0);
	KUNIT_EXPECT_EQ(test, r[0].start_pfn, 110UL);
	KUNIT_EXPECT_EQ(test, r[0].n_pfns, 90UL);
	KUNIT_EXPECT_EQ(test, tail.n_pfns, 0UL);
	KUNIT_EXPECT_EQ(test, xen_extra_cut(r, 3, 190, 10, &tail), 0);
	KUNIT_EXPECT_EQ(test, r[0].n_pfns, 80UL);
	KUNIT_EXPECT_EQ(test, tail.n_pfns, 0UL);
	KUNIT_EXPECT_EQ(test, xen_extra_cut(r, 3, 150, 10, &tail), 0);
	KUNIT_EXPECT_EQ(test, r[0].n_pfns, 40UL);
	KUNIT_EXPECT_EQ(test, tail.start_pfn, 160UL);
	KUNIT_EXPECT_EQ(test, tail.n_pfns, 30UL);
	KUNIT_EXPECT_EQ(test, xen_extra_cut(r, 3, 1000, 10, &tail), 0);
	KUNIT_EXPECT_EQ(test, r[1].n_pfns, 0UL);
}

static struct kunit_case __refdata xen_setup_test_cases[] = {
	KUNIT_CASE(setup_test_clean),
	KUNIT_CASE(setup_test_in_ram),
	KUNIT_CASE(setup_test_holes),
	KUNIT_CASE(setup_test_ram_from),
	KUNIT_CASE(setup_test_extra_cut),
	{}
};

static struct kunit_suite xen_setup_test_suite = {
	.name = "xen-setup",
	.test_cases = xen_setup_test_cases,
};
kunit_test_init_section_suite(xen_setup_test_suite);
#endif /* IS_REACHABLE(CONFIG_KUNIT) */
