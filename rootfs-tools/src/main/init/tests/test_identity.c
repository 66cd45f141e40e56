/* resolve_identity and parse_numeric_id over crafted /etc/passwd and /etc/group text. */
#include <string.h>

#include "check.h"
#include "identity.h"

static const char passwd[] =
	"root:x:0:0:root:/root:/bin/bash\n"
	"\n"
	"#commented:x:1:1::/:/bin/sh\n"
	"short:x:5\n"
	"twice:x:not-a-number:9::/:/bin/sh\n"
	"twice:x:1001:1002::/home/twice:/bin/sh\n"
	"overflow:x:4294967295:1::/:/bin/sh\n"
	"+nis\n"
	"app:x:1000:1000:The App,,,:/home/app:/bin/sh\n"
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin";	/* no final newline */

static const char group_file[] =
	"root:x:0:\n"
	"staff:x:50:app,other\n"
	"odd\n"
	"broken:x::\n"
	"broken:x:77:\n"
	"nogroup:x:65534:";

#define CHECK_RESOLVES(user, group, expected_uid, expected_gid) \
	check_resolves((user), (group), (expected_uid), (expected_gid), __FILE__, __LINE__)
#define CHECK_REFUSED(user, group, passwd_text, group_text, part) \
	check_refused((user), (group), (passwd_text), (group_text), (part), __FILE__, __LINE__)

static void check_resolves(const char *user, const char *group, unsigned uid, unsigned gid,
			   const char *file, int line)
{
	struct identity identity;
	char error[IDENTITY_ERROR_BYTES];
	if (!check(resolve_identity(user, group, passwd, group_file, &identity, error), file, line,
		   "user %s group %s: %s", user, group ? group : "(default)", error))
		return;
	check(identity.uid == uid && identity.gid == gid, file, line,
	      "user %s group %s: got %u:%u, expected %u:%u", user, group ? group : "(default)",
	      (unsigned)identity.uid, (unsigned)identity.gid, uid, gid);
}

static void check_refused(const char *user, const char *group, const char *passwd_text,
			  const char *group_text, const char *part, const char *file, int line)
{
	struct identity identity;
	char error[IDENTITY_ERROR_BYTES];
	if (check(!resolve_identity(user, group, passwd_text, group_text, &identity, error), file, line,
		  "user %s group %s resolved, expected \"%s\"", user, group ? group : "(default)", part))
		check_contains(error, part, file, line);
}

TEST(numeric_ids)
{
	unsigned id = 12345;
	CHECK(parse_numeric_id("0", 1, &id) && id == 0);
	CHECK(parse_numeric_id("007", 3, &id) && id == 7);
	CHECK(parse_numeric_id("4294967294", 10, &id) && id == 4294967294u);
	CHECK(parse_numeric_id("12:34", 2, &id) && id == 12);
	CHECK(!parse_numeric_id("4294967295", 10, &id));
	CHECK(!parse_numeric_id("99999999999999999999999", 23, &id));
	CHECK(!parse_numeric_id("", 0, &id));
	CHECK(!parse_numeric_id("-1", 2, &id));
	CHECK(!parse_numeric_id("+1", 2, &id));
	CHECK(!parse_numeric_id(" 1", 2, &id));
	CHECK(!parse_numeric_id("1a", 2, &id));
}

TEST(numeric_user_without_group_is_in_group_0)
{
	CHECK_RESOLVES("1000", NULL, 1000, 0);
	CHECK_RESOLVES("0", NULL, 0, 0);
}

TEST(numeric_user_and_group_need_no_files)
{
	struct identity identity;
	char error[IDENTITY_ERROR_BYTES];
	CHECK(resolve_identity("4242", "4343", NULL, NULL, &identity, error));
	CHECK(identity.uid == 4242 && identity.gid == 4343);
}

TEST(user_name_takes_its_primary_group)
{
	CHECK_RESOLVES("app", NULL, 1000, 1000);
	CHECK_RESOLVES("root", NULL, 0, 0);
	CHECK_RESOLVES("nobody", NULL, 65534, 65534);
}

TEST(group_by_name_or_id_overrides_the_primary_group)
{
	CHECK_RESOLVES("app", "staff", 1000, 50);
	CHECK_RESOLVES("app", "123", 1000, 123);
	CHECK_RESOLVES("1000", "staff", 1000, 50);
	CHECK_RESOLVES("1000", "nogroup", 1000, 65534);
}

TEST(malformed_lines_are_skipped)
{
	CHECK_RESOLVES("twice", NULL, 1001, 1002);
	CHECK_RESOLVES("0", "broken", 0, 77);
	CHECK_REFUSED("short", NULL, passwd, group_file, "user \"short\" is not in the container's /etc/passwd");
	CHECK_REFUSED("overflow", NULL, passwd, group_file, "user \"overflow\" is not in");
	CHECK_REFUSED("#commented", NULL, passwd, group_file, "is not in");
	CHECK_REFUSED("0", "odd", passwd, group_file, "group \"odd\" is not in the container's /etc/group");
}

TEST(names_match_whole_fields_only)
{
	CHECK_REFUSED("ro", NULL, passwd, group_file, "user \"ro\" is not in");
	CHECK_REFUSED("rootx", NULL, passwd, group_file, "user \"rootx\" is not in");
	CHECK_REFUSED("x", NULL, passwd, group_file, "user \"x\" is not in");
	CHECK_REFUSED("0", "staf", passwd, group_file, "group \"staf\" is not in");
	CHECK_REFUSED("0", "app", passwd, group_file, "group \"app\" is not in");
}

TEST(unknown_names_are_errors)
{
	CHECK_REFUSED("ghost", NULL, passwd, group_file, "user \"ghost\" is not in the container's /etc/passwd");
	CHECK_REFUSED("app", "ghosts", passwd, group_file, "group \"ghosts\" is not in the container's /etc/group");
	CHECK_REFUSED("app", NULL, NULL, group_file,
		      "user \"app\" cannot be looked up: the container has no readable /etc/passwd");
	CHECK_REFUSED("app", "staff", passwd, NULL,
		      "group \"staff\" cannot be looked up: the container has no readable /etc/group");
	CHECK_REFUSED("app", NULL, "", "", "user \"app\" is not in");
}

TEST(ids_out_of_range_are_errors)
{
	CHECK_REFUSED("4294967295", NULL, passwd, group_file, "user 4294967295 is not a valid uid (at most 4294967294)");
	CHECK_REFUSED("0", "99999999999", passwd, group_file, "group 99999999999 is not a valid gid");
}
