/* SPDX-License-Identifier: GPL-2.0 */
/*
 * grant_table.h - lending our pages to another domain.
 *
 * A grant reference is an index into our grant table, a few pages shared
 * with Xen.  Entry N says "domain D may map (or copy) frame F, read-only or
 * not"; handing the number N to D (through a ring or xenstore) lets D's
 * backend ask Xen to map that one page of ours.  We use version 1 entries
 * only (struct grant_entry_v1 of xen/interface/grant_table.h): the whole
 * page of one frame, named by a 32-bit frame number.
 *
 * A reference goes through three states: free (in the allocator), granted
 * (entry written, the backend may map it) and ended (entry cleared, which
 * Xen lets us do only while the backend has it unmapped).  The calls below
 * move references between those states; drivers/xen/grant-table.c says how.
 * The frame passed in is a GFN, from xen_page_to_gfn() (an MFN in a PV
 * guest).
 *
 * The map/unmap helpers at the end are for code that maps other domains'
 * grants (xenbus_client's ring mapping); a frontend never needs them.
 */
#ifndef _XEN_GRANT_TABLE_H
#define _XEN_GRANT_TABLE_H

#include <linux/mm_types.h>
#include <linux/types.h>
#include <asm/page.h>
#include <xen/features.h>
#include <xen/page.h>
#include <xen/interface/xen.h>
#include <xen/interface/grant_table.h>

/*
 * Neither a reference nor a mapping handle has a value Xen promises never
 * to use; all ones is the one least likely to be seen as a valid one.
 */
#define INVALID_GRANT_REF	((grant_ref_t)-1)
#define INVALID_GRANT_HANDLE	((grant_handle_t)-1)

/*
 * A request to be told when references are free again, for a caller that
 * got -ENOSPC.  The memory is the caller's; the fields are ours while the
 * request is pending (see gnttab_request_free_callback()).
 */
struct gnttab_free_callback {
	struct gnttab_free_callback *next;
	void (*fn)(void *arg);
	void *arg;
	u16 count;
};

/* Around the suspend hypercall, with interrupts off (manage.c). */
int gnttab_suspend(void);
int gnttab_resume(void);

/* Granting and ending access. */
int gnttab_grant_foreign_access(domid_t domid, unsigned long frame,
				int readonly);
void gnttab_grant_foreign_access_ref(grant_ref_t ref, domid_t domid,
				     unsigned long frame, int readonly);
int gnttab_end_foreign_access_ref(grant_ref_t ref);
int gnttab_try_end_foreign_access(grant_ref_t ref);
void gnttab_end_foreign_access(grant_ref_t ref, struct page *page);

/* References: one at a time, or a private batch reserved up front. */
int gnttab_alloc_grant_references(u16 count, grant_ref_t *pprivate_head);
void gnttab_free_grant_reference(grant_ref_t ref);
void gnttab_free_grant_references(grant_ref_t head);
int gnttab_claim_grant_reference(grant_ref_t *pprivate_head);
void gnttab_release_grant_reference(grant_ref_t *private_head,
				    grant_ref_t release);

/* Waiting for references instead of failing. */
void gnttab_request_free_callback(struct gnttab_free_callback *callback,
				  void (*fn)(void *arg), void *arg, u16 count);
void gnttab_cancel_free_callback(struct gnttab_free_callback *callback);

/*
 * Walking memory grant by grant.  A grant covers XEN_PAGE_SIZE bytes; fn
 * gets the GFN of each one touched, the offset in it and the length used.
 */
typedef void (*xen_grant_fn_t)(unsigned long gfn, unsigned int offset,
			       unsigned int len, void *data);

void gnttab_foreach_grant_in_range(struct page *page, unsigned int offset,
				   unsigned int len, xen_grant_fn_t fn,
				   void *data);
void gnttab_foreach_grant(struct page **pages, unsigned int nr_grefs,
			  xen_grant_fn_t fn, void *data);

/* How many grants @len bytes from offset @start of a page span. */
static inline unsigned int gnttab_count_grant(unsigned int start,
					      unsigned int len)
{
	return XEN_PFN_UP(xen_offset_in_page(start) + len);
}

/*
 * Mapping another domain's grant.  A PV guest names the place by a virtual
 * address (or, with GNTMAP_contains_pte, the machine address of a PTE); an
 * auto-translated guest by a guest-physical address.
 */
static inline u64 gnttab_host_addr(phys_addr_t addr, u32 flags)
{
	if (!(flags & GNTMAP_contains_pte) &&
	    xen_feature(XENFEAT_auto_translated_physmap))
		return __pa(addr);
	return addr;
}

static inline void gnttab_set_map_op(struct gnttab_map_grant_ref *map,
				     phys_addr_t addr, u32 flags,
				     grant_ref_t ref, domid_t domid)
{
	map->host_addr = gnttab_host_addr(addr, flags);
	map->flags = flags;
	map->ref = ref;
	map->dom = domid;
	map->status = 1;	/* anything but a GNTST_* value: not done yet */
}

static inline void gnttab_set_unmap_op(struct gnttab_unmap_grant_ref *unmap,
				       phys_addr_t addr, u32 flags,
				       grant_handle_t handle)
{
	unmap->host_addr = gnttab_host_addr(addr, flags);
	unmap->handle = handle;
	unmap->dev_bus_addr = 0;
}

/* Map a batch, retrying operations Xen answers with GNTST_eagain. */
void gnttab_batch_map(struct gnttab_map_grant_ref *batch, unsigned int count);

/*
 * Between drivers/xen/grant-table.c and arch/x86/xen/grant-table.c only:
 * the x86 PV half owns the kernel virtual area the table is mapped at and
 * the PTEs in it.
 */
void *xen_gnttab_reserve_area(unsigned int max_frames);
void xen_gnttab_release_area(void);
int xen_gnttab_map_frames(const xen_pfn_t *frames, unsigned int nr_frames);
int xen_gnttab_unmap_frames(unsigned int nr_frames);

#endif /* _XEN_GRANT_TABLE_H */
