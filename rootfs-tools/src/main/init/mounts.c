#include "mounts.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errors.h"
#include "mount_options.h"

#define NEW_ROOT "/newroot"

static const struct api_mount {
	const char *source;
	const char *target;
	const char *type;
	unsigned long flags;
	const char *data;
} api_mounts[] = {
	{ "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	{ "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	{ "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755" },
	/* gid 5 is "tty" in the images' conventions, as Docker and runc mount it */
	{ "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5" },
	{ "shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777" },
	{ "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755" },
	{ "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777" },
};

/* The links OCI requires in /dev; devtmpfs does not make them. */
static const struct {
	const char *target;
	const char *path;
} dev_links[] = {
	{ "/proc/self/fd", "/dev/fd" },
	{ "/proc/self/fd/0", "/dev/stdin" },
	{ "/proc/self/fd/1", "/dev/stdout" },
	{ "/proc/self/fd/2", "/dev/stderr" },
};

bool mount_boot_dev(void)
{
	/* EBUSY: the kernel mounted it already (CONFIG_DEVTMPFS_MOUNT), as minivmm's kernel does. */
	if (mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755") != 0 && errno != EBUSY) {
		print_error("cannot mount devtmpfs on /dev: %s", strerror(errno));
		return false;
	}
	return true;
}

/* Writable at first even when "ro" is asked for, so that mount points can be made: see make_root_read_only. */
static bool mount_root_device(const struct launch_config *config, bool *read_only)
{
	struct mount_options options;
	if (!split_mount_options(config->root_options, &options)) {
		print_error("out of memory");
		return false;
	}
	*read_only = options.flags & MS_RDONLY;
	int result = mount(config->root_device, NEW_ROOT, config->root_fstype, options.flags & ~MS_RDONLY,
			   options.data);
	int mount_errno = errno;
	mount_options_free(&options);
	if (result != 0) {
		print_error("cannot mount the container's root %s (%s, options \"%s\") on %s: %s",
			    config->root_device, config->root_fstype, config->root_options,
			    NEW_ROOT, strerror(mount_errno));
		return false;
	}
	return true;
}

/* pivot_root(".", ".") stacks the old root on the new one; detaching it leaves the new one alone. */
static bool switch_root(void)
{
	if (chdir(NEW_ROOT) != 0 || syscall(SYS_pivot_root, ".", ".") != 0 ||
	    umount2(".", MNT_DETACH) != 0 || chdir("/") != 0) {
		print_error("cannot switch the root to %s: %s", NEW_ROOT, strerror(errno));
		return false;
	}
	return true;
}

/* The container's image may lack the mount points: it is writable memory, so make them. */
static bool mount_api_file_systems(void)
{
	for (size_t i = 0; i < sizeof api_mounts / sizeof api_mounts[0]; i++) {
		const struct api_mount *api = &api_mounts[i];
		if (mkdir(api->target, 0755) != 0 && errno != EEXIST) {
			print_error("cannot make the mount point %s: %s", api->target, strerror(errno));
			return false;
		}
		if (mount(api->source, api->target, api->type, api->flags, api->data) != 0) {
			print_error("cannot mount %s on %s: %s", api->type, api->target, strerror(errno));
			return false;
		}
	}
	for (size_t i = 0; i < sizeof dev_links / sizeof dev_links[0]; i++) {
		if (symlink(dev_links[i].target, dev_links[i].path) != 0 && errno != EEXIST) {
			print_error("cannot link %s to %s: %s", dev_links[i].path, dev_links[i].target,
				    strerror(errno));
			return false;
		}
	}
	return true;
}

/* A read-only bind remount changes this mount alone, not the file system's own options (dax stays). */
static bool make_root_read_only(void)
{
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0) {
		print_error("cannot make the container's root read-only: %s", strerror(errno));
		return false;
	}
	return true;
}

bool enter_container_root(const struct launch_config *config)
{
	bool read_only;
	return mount_root_device(config, &read_only) && switch_root() && mount_api_file_systems() &&
	       (!read_only || make_root_read_only());
}
