// SPDX-License-Identifier: GPL-2.0
/*
 * sys-hypervisor.c - /sys/hypervisor on a Xen guest.
 *
 * The driver core makes the empty /sys/hypervisor directory
 * (hypervisor_kobj); we fill it with read-only files that describe the
 * hypervisor we run on and this guest, as documented in
 * Documentation/ABI/{stable,testing}/sysfs-hypervisor-xen:
 *
 *   type                     "xen"
 *   guest_type               "PV", "PVH" or "HVM"
 *   uuid                     this domain's UUID
 *   version/{major,minor,extra}
 *   compilation/{compiler,compiled_by,compile_date}
 *   properties/{capabilities,changeset,virtual_start,pagesize,features,
 *               buildid}
 *
 * Almost everything comes from the XENVER_* subcommands of the xen_version
 * hypercall, asked afresh on every read (after a migration the answers may
 * have changed).  The strings Xen returns sit in fixed-size arrays that
 * need not be NUL-terminated, so we never print past the array.  A
 * hypercall that fails makes read() fail with its error; we never print a
 * value Xen did not give.  A hypervisor that hides a string for security
 * reasons returns "<denied>" in it, which is passed on as it is.
 *
 * The uuid: the toolstack writes our domain's "vm" key in xenstore as
 * "/vm/<uuid>"; we take the uuid from there when the value has exactly
 * that form.  Otherwise (no xenstore, or a toolstack that writes something
 * else) we fall back on the domain handle Xen holds for us
 * (XENVER_guest_handle), which xl sets to the same uuid; an all-zero
 * handle means nobody set one and reads as ENODATA.
 */

#define pr_fmt(fmt) "xen-sys-hypervisor: " fmt

#include <linux/err.h>
#include <linux/hex.h>
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uuid.h>

#include <asm/xen/hypercall.h>

#include <xen/interface/features.h>
#include <xen/interface/version.h>
#include <xen/interface/xen.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

#define XEN_VM_PREFIX		"/vm/"
#define XEN_VM_PREFIX_LEN	(sizeof(XEN_VM_PREFIX) - 1)
/* The most build-id bytes whose hex and a newline fit in a sysfs page. */
#define XEN_BUILDID_MAX		((PAGE_SIZE - 1) / 2)

/* A XENVER_* call that fills @arg and returns 0; anything else fails. */
static int xen_ver(int cmd, void *arg)
{
	int ret = HYPERVISOR_xen_version(cmd, arg);

	if (ret > 0) {
		pr_warn_once("XENVER %d returned %d\n", cmd, ret);
		return -EIO;
	}
	return ret;
}

/* One of Xen's fixed-size string fields, which may fill its array. */
static ssize_t xen_emit_field(char *buf, const char *s, size_t size)
{
	return sysfs_emit(buf, "%.*s\n", (int)strnlen(s, size), s);
}

/*
 * The uuid in the value of our "vm" key, @len bytes at @path: it must be
 * "/vm/" and a uuid in the usual 36-character form, and nothing else.
 */
static int xen_vm_path_to_uuid(const char *path, size_t len, uuid_t *uuid)
{
	char s[UUID_STRING_LEN + 1];

	if (len != XEN_VM_PREFIX_LEN + UUID_STRING_LEN ||
	    memcmp(path, XEN_VM_PREFIX, XEN_VM_PREFIX_LEN))
		return -EINVAL;
	memcpy(s, path + XEN_VM_PREFIX_LEN, UUID_STRING_LEN);
	s[UUID_STRING_LEN] = '\0';
	return uuid_parse(s, uuid);
}

static int xen_uuid_from_store(uuid_t *uuid)
{
	unsigned int len;
	char *vm;
	int err;

	vm = xenbus_read(XBT_NIL, "vm", "", &len);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	err = xen_vm_path_to_uuid(vm, len, uuid);
	kfree(vm);
	return err;
}

static int xen_uuid_from_handle(uuid_t *uuid)
{
	xen_domain_handle_t handle;
	int err;

	static_assert(sizeof(handle) == sizeof(*uuid));
	err = xen_ver(XENVER_guest_handle, handle);
	if (err)
		return err;
	memcpy(uuid, handle, sizeof(*uuid));
	return uuid_is_null(uuid) ? -ENODATA : 0;
}

static ssize_t xen_type_show(struct kobject *kobj, struct kobj_attribute *a,
			     char *buf)
{
	return sysfs_emit(buf, "xen\n");
}

static ssize_t xen_guest_type_show(struct kobject *kobj,
				   struct kobj_attribute *a, char *buf)
{
	if (xen_pv_domain())
		return sysfs_emit(buf, "PV\n");
	return sysfs_emit(buf, "%s\n", xen_pvh_domain() ? "PVH" : "HVM");
}

static ssize_t xen_uuid_show(struct kobject *kobj, struct kobj_attribute *a,
			     char *buf)
{
	uuid_t uuid;
	int err;

	err = xen_uuid_from_store(&uuid);
	if (err)
		err = xen_uuid_from_handle(&uuid);
	if (err)
		return err;
	return sysfs_emit(buf, "%pUb\n", &uuid);
}

static ssize_t xen_major_show(struct kobject *kobj, struct kobj_attribute *a,
			      char *buf)
{
	int ver = HYPERVISOR_xen_version(XENVER_version, NULL);

	return ver < 0 ? ver : sysfs_emit(buf, "%d\n", ver >> 16);
}

static ssize_t xen_minor_show(struct kobject *kobj, struct kobj_attribute *a,
			      char *buf)
{
	int ver = HYPERVISOR_xen_version(XENVER_version, NULL);

	return ver < 0 ? ver : sysfs_emit(buf, "%d\n", ver & 0xffff);
}

static ssize_t xen_extra_show(struct kobject *kobj, struct kobj_attribute *a,
			      char *buf)
{
	struct xen_extraversion ev;
	int err = xen_ver(XENVER_extraversion, &ev);

	return err ?: xen_emit_field(buf, ev.extraversion,
				     sizeof(ev.extraversion));
}

static ssize_t xen_compiler_show(struct kobject *kobj,
				 struct kobj_attribute *a, char *buf)
{
	struct xen_compile_info ci;
	int err = xen_ver(XENVER_compile_info, &ci);

	return err ?: xen_emit_field(buf, ci.compiler, sizeof(ci.compiler));
}

static ssize_t xen_compiled_by_show(struct kobject *kobj,
				    struct kobj_attribute *a, char *buf)
{
	struct xen_compile_info ci;
	int err = xen_ver(XENVER_compile_info, &ci);

	return err ?: xen_emit_field(buf, ci.compile_by, sizeof(ci.compile_by));
}

static ssize_t xen_compile_date_show(struct kobject *kobj,
				     struct kobj_attribute *a, char *buf)
{
	struct xen_compile_info ci;
	int err = xen_ver(XENVER_compile_info, &ci);

	return err ?: xen_emit_field(buf, ci.compile_date,
				     sizeof(ci.compile_date));
}

static ssize_t xen_capabilities_show(struct kobject *kobj,
				     struct kobj_attribute *a, char *buf)
{
	struct xen_capabilities_info *caps;
	ssize_t ret;

	caps = kmalloc(sizeof(*caps), GFP_KERNEL);
	if (!caps)
		return -ENOMEM;
	ret = xen_ver(XENVER_capabilities, caps);
	if (!ret)
		ret = xen_emit_field(buf, caps->info, sizeof(caps->info));
	kfree(caps);
	return ret;
}

static ssize_t xen_changeset_show(struct kobject *kobj,
				  struct kobj_attribute *a, char *buf)
{
	struct xen_changeset_info cs;
	int err = xen_ver(XENVER_changeset, &cs);

	return err ?: xen_emit_field(buf, cs.info, sizeof(cs.info));
}

static ssize_t xen_virtual_start_show(struct kobject *kobj,
				      struct kobj_attribute *a, char *buf)
{
	struct xen_platform_parameters pp;
	int err = xen_ver(XENVER_platform_parameters, &pp);

	return err ?: sysfs_emit(buf, "%lx\n", (unsigned long)pp.virt_start);
}

static ssize_t xen_pagesize_show(struct kobject *kobj,
				 struct kobj_attribute *a, char *buf)
{
	int size = HYPERVISOR_xen_version(XENVER_pagesize, NULL);

	return size < 0 ? size : sysfs_emit(buf, "%x\n", size);
}

/* All submaps as one hex number, the highest submap first. */
static ssize_t xen_features_show(struct kobject *kobj,
				 struct kobj_attribute *a, char *buf)
{
	struct xen_feature_info fi;
	unsigned int i = XENFEAT_NR_SUBMAPS;
	ssize_t len = 0;
	int err;

	while (i--) {
		fi.submap_idx = i;
		err = xen_ver(XENVER_get_features, &fi);
		if (err)
			return err;
		len += sysfs_emit_at(buf, len, "%08x", fi.submap);
	}
	return len + sysfs_emit_at(buf, len, "\n");
}

static ssize_t xen_buildid_show(struct kobject *kobj,
				struct kobj_attribute *a, char *buf)
{
	struct xen_build_id *id;
	int size, ret;
	char *end;

	/* With no buffer, Xen says how long the build id is. */
	size = HYPERVISOR_xen_version(XENVER_build_id, NULL);
	if (size == -EPERM)
		return sysfs_emit(buf, "<denied>\n");
	if (size < 0)
		return size;
	if (!size || size > XEN_BUILDID_MAX)
		return -EIO;

	id = kzalloc(struct_size(id, buf, size), GFP_KERNEL);
	if (!id)
		return -ENOMEM;
	id->len = size;
	ret = HYPERVISOR_xen_version(XENVER_build_id, id);
	if (ret > 0 && ret <= size) {
		end = bin2hex(buf, id->buf, ret);
		*end++ = '\n';
		ret = end - buf;
	} else if (ret >= 0) {
		ret = -EIO;
	}
	kfree(id);
	return ret;
}

#define XEN_ATTR(name) \
	static struct kobj_attribute xen_attr_##name = \
		__ATTR(name, 0444, xen_##name##_show, NULL)

XEN_ATTR(type);
XEN_ATTR(guest_type);
XEN_ATTR(uuid);
XEN_ATTR(major);
XEN_ATTR(minor);
XEN_ATTR(extra);
XEN_ATTR(compiler);
XEN_ATTR(compiled_by);
XEN_ATTR(compile_date);
XEN_ATTR(capabilities);
XEN_ATTR(changeset);
XEN_ATTR(virtual_start);
XEN_ATTR(pagesize);
XEN_ATTR(features);
XEN_ATTR(buildid);

static struct attribute *xen_top_attrs[] = {
	&xen_attr_type.attr,
	&xen_attr_guest_type.attr,
	&xen_attr_uuid.attr,
	NULL
};

static struct attribute *xen_version_attrs[] = {
	&xen_attr_major.attr,
	&xen_attr_minor.attr,
	&xen_attr_extra.attr,
	NULL
};

static struct attribute *xen_compilation_attrs[] = {
	&xen_attr_compiler.attr,
	&xen_attr_compiled_by.attr,
	&xen_attr_compile_date.attr,
	NULL
};

static struct attribute *xen_properties_attrs[] = {
	&xen_attr_capabilities.attr,
	&xen_attr_changeset.attr,
	&xen_attr_virtual_start.attr,
	&xen_attr_pagesize.attr,
	&xen_attr_features.attr,
	&xen_attr_buildid.attr,
	NULL
};

static const struct attribute_group xen_top_group = {
	.attrs = xen_top_attrs,
};

static const struct attribute_group xen_version_group = {
	.name = "version",
	.attrs = xen_version_attrs,
};

static const struct attribute_group xen_compilation_group = {
	.name = "compilation",
	.attrs = xen_compilation_attrs,
};

static const struct attribute_group xen_properties_group = {
	.name = "properties",
	.attrs = xen_properties_attrs,
};

static const struct attribute_group *xen_groups[] = {
	&xen_top_group,
	&xen_version_group,
	&xen_compilation_group,
	&xen_properties_group,
	NULL
};

static int __init xen_sys_hypervisor_init(void)
{
	int err;

	if (!xen_domain())
		return -ENODEV;
	if (!hypervisor_kobj)
		return -ENOENT;
	/* On failure this removes whatever groups it had made. */
	err = sysfs_create_groups(hypervisor_kobj, xen_groups);
	if (err)
		pr_err("cannot populate /sys/hypervisor: %d\n", err);
	return err;
}
device_initcall(xen_sys_hypervisor_init);

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

#define XEN_TEST_UUID	"0b1d0a8c-7f2e-4a6b-9c3d-5e8f00112233"

#define XEN_TEST_VM(s, u) xen_vm_path_to_uuid(s, sizeof(s) - 1, u)

static void xen_sys_hypervisor_test_vm_good(struct kunit *test)
{
	uuid_t u, want;

	KUNIT_ASSERT_EQ(test, uuid_parse(XEN_TEST_UUID, &want), 0);
	KUNIT_EXPECT_EQ(test, XEN_TEST_VM("/vm/" XEN_TEST_UUID, &u), 0);
	KUNIT_EXPECT_TRUE(test, uuid_equal(&u, &want));
	/* Upper-case hex is a valid uuid too, and means the same one. */
	KUNIT_EXPECT_EQ(test,
			XEN_TEST_VM("/vm/0B1D0A8C-7F2E-4A6B-9C3D-5E8F00112233",
				    &u), 0);
	KUNIT_EXPECT_TRUE(test, uuid_equal(&u, &want));
}

static void xen_sys_hypervisor_test_vm_bad(struct kunit *test)
{
	uuid_t u;

	KUNIT_EXPECT_EQ(test, XEN_TEST_VM("", &u), -EINVAL);
	KUNIT_EXPECT_EQ(test, XEN_TEST_VM("/vm/", &u), -EINVAL);
	KUNIT_EXPECT_EQ(test, XEN_TEST_VM(XEN_TEST_UUID, &u), -EINVAL);
	KUNIT_EXPECT_EQ(test, XEN_TEST_VM("/xm/" XEN_TEST_UUID, &u), -EINVAL);
	KUNIT_EXPECT_EQ(test, XEN_TEST_VM("/vm/" XEN_TEST_UUID "-1", &u),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, XEN_TEST_VM("/vm/" XEN_TEST_UUID "\0", &u),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			XEN_TEST_VM("/vm/0b1d0a8c-7f2e-4a6b-9c3d-5e8f0011223", &u),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			XEN_TEST_VM("/vm/0b1d0a8c-7f2e-4a6b-9c3d-5e8f0011223g",
				    &u), -EINVAL);
	KUNIT_EXPECT_EQ(test,
			XEN_TEST_VM("/vm/0b1d0a8c+7f2e-4a6b-9c3d-5e8f00112233",
				    &u), -EINVAL);
	KUNIT_EXPECT_EQ(test,
			XEN_TEST_VM("/vm/0b1d0a8c-7f2e-4a6b-9c3d-5e8f0011223\0",
				    &u), -EINVAL);
}

static struct kunit_case xen_sys_hypervisor_test_cases[] = {
	KUNIT_CASE(xen_sys_hypervisor_test_vm_good),
	KUNIT_CASE(xen_sys_hypervisor_test_vm_bad),
	{}
};

static struct kunit_suite xen_sys_hypervisor_test_suite = {
	.name = "xen-sys-hypervisor",
	.test_cases = xen_sys_hypervisor_test_cases,
};

kunit_test_suite(xen_sys_hypervisor_test_suite);
#endif /* IS_REACHABLE(CONFIG_KUNIT) */
