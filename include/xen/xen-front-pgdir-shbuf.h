/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xen-front-pgdir-shbuf.h - a large buffer shared through a page directory.
 *
 * The display and sound frontends (drivers/gpu/drm/xen, sound/xen) share
 * buffers too large to name grant by grant in a ring request.  Instead
 * they grant a chain of "page directory" pages, each listing the grant
 * references of the buffer's pages and, in its header, the reference of
 * the next directory page; the request carries only the first
 * directory page's reference.  Either side may provide the buffer: the
 * frontend grants its own pages, or (be_alloc) the backend grants pages
 * the frontend then maps.  drivers/xen/xen-front-pgdir-shbuf.c does the
 * work behind these calls.
 */
#ifndef _XEN_FRONT_PGDIR_SHBUF_H
#define _XEN_FRONT_PGDIR_SHBUF_H

#include <linux/types.h>
#include <xen/grant_table.h>

struct page;
struct xenbus_device;
struct xen_front_pgdir_shbuf_ops;

/*
 * One shared buffer; callers embed it and leave it to the calls below.
 * pages/num_pages: the buffer; directory: the directory pages' memory;
 * grefs/num_grefs: the references this side granted (directory and buffer
 * pages, or only the directory when the backend provides the buffer);
 * backend_map_handles: handles of the backend's pages once mapped;
 * ops: the provider's variant; xb_dev: the frontend's device.
 */
struct xen_front_pgdir_shbuf {
	struct page **pages;
	int num_pages;
	u8 *directory;
	grant_ref_t *grefs;
	int num_grefs;
	grant_handle_t *backend_map_handles;
	const struct xen_front_pgdir_shbuf_ops *ops;
	struct xenbus_device *xb_dev;
};

/*
 * What to share: @num_pages @pages of @xb_dev, described in @pgdir (which
 * the caller allocated), provided by the backend when @be_alloc is set.
 */
struct xen_front_pgdir_shbuf_cfg {
	struct xen_front_pgdir_shbuf *pgdir;
	struct xenbus_device *xb_dev;
	struct page **pages;
	int num_pages;
	int be_alloc;
};

/* Build the directory and grant it (and the buffer): 0 or -errno. */
int xen_front_pgdir_shbuf_alloc(struct xen_front_pgdir_shbuf_cfg *cfg);

/* End all grants and free what alloc allocated. */
void xen_front_pgdir_shbuf_free(struct xen_front_pgdir_shbuf *sb);

/* The reference to put in the request: the first directory page's. */
grant_ref_t xen_front_pgdir_shbuf_get_dir_start(struct xen_front_pgdir_shbuf
						*sb);

/* Map or unmap a backend-provided buffer (no-ops otherwise). */
int xen_front_pgdir_shbuf_map(struct xen_front_pgdir_shbuf *sb);
int xen_front_pgdir_shbuf_unmap(struct xen_front_pgdir_shbuf *sb);

#endif /* _XEN_FRONT_PGDIR_SHBUF_H */
