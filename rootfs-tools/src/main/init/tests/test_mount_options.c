/* split_mount_options: mount(8) words to flags, the rest to the file system. */
#include <sys/mount.h>

#include "check.h"
#include "mount_options.h"

#define CHECK_SPLIT(options, expected_flags, expected_data) \
	check_split((options), (expected_flags), (expected_data), __FILE__, __LINE__)

static void check_split(const char *options, unsigned long flags, const char *data, const char *file, int line)
{
	struct mount_options split;
	if (!check(split_mount_options(options, &split), file, line, "out of memory"))
		return;
	check(split.flags == flags, file, line, "\"%s\": flags %#lx, expected %#lx", options, split.flags, flags);
	check_string(split.data, data, file, line);
	mount_options_free(&split);
}

TEST(file_system_options_pass_through)
{
	CHECK_SPLIT("dax", 0, "dax");
	CHECK_SPLIT("dax,errors=remount-ro", 0, "dax,errors=remount-ro");
	CHECK_SPLIT("", 0, "");
	CHECK_SPLIT("rox,nosuidx", 0, "rox,nosuidx");
}

TEST(generic_words_become_flags)
{
	CHECK_SPLIT("ro,dax,nosuid", MS_RDONLY | MS_NOSUID, "dax");
	CHECK_SPLIT("nodev,noexec,sync,dirsync", MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | MS_DIRSYNC, "");
	CHECK_SPLIT("noatime,nodiratime", MS_NOATIME | MS_NODIRATIME, "");
	CHECK_SPLIT("relatime", MS_RELATIME, "");
	CHECK_SPLIT("strictatime", MS_STRICTATIME, "");
}

TEST(the_last_of_ro_and_rw_wins)
{
	CHECK_SPLIT("ro,rw", 0, "");
	CHECK_SPLIT("rw,ro", MS_RDONLY, "");
}

TEST(empty_options_are_dropped)
{
	CHECK_SPLIT(",,dax,,ro,errors=remount-ro,", MS_RDONLY, "dax,errors=remount-ro");
}
