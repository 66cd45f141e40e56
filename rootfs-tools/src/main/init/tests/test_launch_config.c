/* launch_config_parse against crafted files: every tag, every way to be malformed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config_bytes.h"
#include "launch_config.h"

static bool parse_file(const struct bytes *file, struct launch_config *config, char *error)
{
	error[0] = '\0';
	return launch_config_parse(file->data, file->size, config, error);
}

static bool parse_body(const struct bytes *body, struct launch_config *config, char *error)
{
	struct bytes file = config_file(body);
	bool parsed = parse_file(&file, config, error);
	free_bytes(&file);
	return parsed;
}

/* Checks that the file is refused with a message containing `part`. */
#define CHECK_FILE_REJECTED(file, part) check_file_rejected((file), (part), __FILE__, __LINE__)
#define CHECK_BODY_REJECTED(body, part) check_body_rejected((body), (part), __FILE__, __LINE__)

static void check_file_rejected(const struct bytes *file, const char *part, const char *source, int line)
{
	struct launch_config config;
	char error[LAUNCH_CONFIG_ERROR_BYTES];
	if (!check(!parse_file(file, &config, error), source, line, "parsed, but expected \"%s\"", part)) {
		launch_config_free(&config);
		return;
	}
	check_contains(error, part, source, line);
	check(config.args == NULL && config.strings == NULL, source, line, "a refused config keeps no memory");
}

static void check_body_rejected(const struct bytes *body, const char *part, const char *source, int line)
{
	struct bytes file = config_file(body);
	check_file_rejected(&file, part, source, line);
	free_bytes(&file);
}

/* The smallest valid body: one ARG and the ROOT_DEVICE. */
static struct bytes minimal_body(void)
{
	struct bytes body = { 0 };
	append_record(&body, TAG_ARG, "/bin/true");
	append_record(&body, TAG_ROOT_DEVICE, "/dev/pmem1");
	return body;
}

TEST(minimal_config_gets_the_defaults)
{
	struct bytes body = minimal_body();
	struct launch_config config;
	char error[LAUNCH_CONFIG_ERROR_BYTES];

	if (CHECK(parse_body(&body, &config, error))) {
		CHECK(config.arg_count == 1);
		CHECK_STRING(config.args[0], "/bin/true");
		CHECK(config.args[1] == NULL);
		CHECK(config.env_count == 0 && config.env && config.env[0] == NULL);
		CHECK_STRING(config.cwd, "/");
		CHECK_STRING(config.user, "0");
		CHECK(config.group == NULL);
		CHECK(config.supplementary_gid_count == 0);
		CHECK(config.hostname == NULL);
		CHECK_STRING(config.root_device, "/dev/pmem1");
		CHECK_STRING(config.root_fstype, "ext4");
		CHECK_STRING(config.root_options, "dax");
		CHECK(!config.terminal);
		CHECK(config.stdin_device == NULL && config.stdout_device == NULL);
		CHECK(config.stderr_device == NULL && config.control_device == NULL);
		CHECK(config.exec_device == NULL);
		launch_config_free(&config);
	}
	free_bytes(&body);
}

TEST(every_tag_is_decoded)
{
	struct bytes body = { 0 };
	append_record(&body, TAG_ARG, "/usr/bin/app");
	append_record(&body, TAG_ENV, "PATH=/usr/bin");
	append_record(&body, TAG_CWD, "/srv");
	append_record(&body, TAG_USER, "app");
	append_record(&body, TAG_GROUP, "staff");
	append_record(&body, TAG_SUPPLEMENTARY_GID, "27");
	append_record(&body, TAG_HOSTNAME, "box");
	append_record(&body, TAG_ROOT_DEVICE, "/dev/vdb");
	append_record(&body, TAG_ROOT_FSTYPE, "xfs");
	append_record(&body, TAG_ROOT_OPTIONS, "dax,noatime");
	append_record(&body, TAG_TERMINAL, "1");
	append_record(&body, TAG_STDIN_DEVICE, "/dev/hvc0");
	append_record(&body, TAG_STDOUT_DEVICE, "/dev/hvc1");
	append_record(&body, TAG_STDERR_DEVICE, "/dev/hvc2");
	append_record(&body, TAG_CONTROL_DEVICE, "/dev/hvc3");
	append_record(&body, TAG_EXEC_DEVICE, "/dev/hvc4");
	struct launch_config config;
	char error[LAUNCH_CONFIG_ERROR_BYTES];

	if (CHECK(parse_body(&body, &config, error))) {
		CHECK_STRING(config.args[0], "/usr/bin/app");
		CHECK_STRING(config.env[0], "PATH=/usr/bin");
		CHECK_STRING(config.cwd, "/srv");
		CHECK_STRING(config.user, "app");
		CHECK_STRING(config.group, "staff");
		CHECK(config.supplementary_gid_count == 1 && config.supplementary_gids[0] == 27);
		CHECK_STRING(config.hostname, "box");
		CHECK_STRING(config.root_device, "/dev/vdb");
		CHECK_STRING(config.root_fstype, "xfs");
		CHECK_STRING(config.root_options, "dax,noatime");
		CHECK(config.terminal);
		CHECK_STRING(config.stdin_device, "/dev/hvc0");
		CHECK_STRING(config.stdout_device, "/dev/hvc1");
		CHECK_STRING(config.stderr_device, "/dev/hvc2");
		CHECK_STRING(config.control_device, "/dev/hvc3");
		CHECK_STRING(config.exec_device, "/dev/hvc4");
		launch_config_free(&config);
	}
	free_bytes(&body);
}

TEST(repeated_tags_keep_their_order)
{
	struct bytes body = { 0 };
	append_record(&body, TAG_SUPPLEMENTARY_GID, "4294967294");
	append_record(&body, TAG_ARG, "sh");
	append_record(&body, TAG_ENV, "A=1");
	append_record(&body, TAG_ROOT_DEVICE, "/dev/pmem1");
	append_record(&body, TAG_ARG, "-c");
	append_record(&body, TAG_SUPPLEMENTARY_GID, "0");
	append_record(&body, TAG_ENV, "B=");
	append_record(&body, TAG_ARG, "");
	append_record(&body, TAG_SUPPLEMENTARY_GID, "10");
	struct launch_config config;
	char error[LAUNCH_CONFIG_ERROR_BYTES];

	if (CHECK(parse_body(&body, &config, error))) {
		CHECK(config.arg_count == 3);
		CHECK_STRING(config.args[0], "sh");
		CHECK_STRING(config.args[1], "-c");
		CHECK_STRING(config.args[2], "");
		CHECK(config.args[3] == NULL);
		CHECK(config.env_count == 2);
		CHECK_STRING(config.env[0], "A=1");
		CHECK_STRING(config.env[1], "B=");
		CHECK(config.env[2] == NULL);
		CHECK(config.supplementary_gid_count == 3);
		CHECK(config.supplementary_gids[0] == 4294967294u);
		CHECK(config.supplementary_gids[1] == 0);
		CHECK(config.supplementary_gids[2] == 10);
		launch_config_free(&config);
	}
	free_bytes(&body);
}

TEST(values_keep_every_byte_but_nul)
{
	char every_byte[255];
	for (int i = 0; i < 255; i++)
		every_byte[i] = (char)(i + 1);
	struct bytes body = minimal_body();
	append_record_bytes(&body, TAG_ARG, every_byte, sizeof every_byte);
	append_record(&body, TAG_ENV, "GREETING=h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93");
	append_record(&body, TAG_ROOT_OPTIONS, "");
	struct launch_config config;
	char error[LAUNCH_CONFIG_ERROR_BYTES];

	if (CHECK(parse_body(&body, &config, error))) {
		CHECK(strlen(config.args[1]) == sizeof every_byte &&
		      memcmp(config.args[1], every_byte, sizeof every_byte) == 0);
		CHECK_STRING(config.env[0], "GREETING=h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93");
		CHECK_STRING(config.root_options, "");
		launch_config_free(&config);
	}
	free_bytes(&body);
}

TEST(padding_after_the_body_is_not_parsed)
{
	struct bytes body = minimal_body();
	struct bytes file = config_file(&body);
	memset(file.data + 16 + body.size, 0xff, file.size - 16 - body.size);
	struct launch_config config;
	char error[LAUNCH_CONFIG_ERROR_BYTES];

	if (CHECK(parse_file(&file, &config, error)))
		launch_config_free(&config);
	free_bytes(&file);
	free_bytes(&body);
}

TEST(a_100_kib_environment_and_a_100_kib_argument)
{
	enum { ENTRIES = 2000, VALUE_BYTES = 50 };
	struct bytes body = minimal_body();
	char entry[VALUE_BYTES + 32];
	for (int i = 0; i < ENTRIES; i++) {
		snprintf(entry, sizeof entry, "VARIABLE_%04d=%0*d", i, VALUE_BYTES, i);
		append_record(&body, TAG_ENV, entry);
	}
	char *long_argument = malloc(100 * 1024 + 1);
	memset(long_argument, 'x', 100 * 1024);
	long_argument[100 * 1024] = '\0';
	append_record(&body, TAG_ARG, long_argument);
	struct launch_config config;
	char error[LAUNCH_CONFIG_ERROR_BYTES];

	CHECK(body.size > 200 * 1024);
	if (CHECK(parse_body(&body, &config, error))) {
		CHECK(config.env_count == ENTRIES);
		snprintf(entry, sizeof entry, "VARIABLE_%04d=%0*d", ENTRIES - 1, VALUE_BYTES, ENTRIES - 1);
		CHECK_STRING(config.env[ENTRIES - 1], entry);
		CHECK(config.env[ENTRIES] == NULL);
		CHECK_STRING(config.args[1], long_argument);
		launch_config_free(&config);
	}
	free(long_argument);
	free_bytes(&body);
}

TEST(header_problems_are_refused)
{
	struct bytes body = minimal_body();
	struct bytes file;

	file = config_file_with("MVLAUNCX", 1, (uint32_t)body.size, &body);
	CHECK_FILE_REJECTED(&file, "no \"MVLAUNCH\" magic");
	free_bytes(&file);
	file = config_file_with(LAUNCH_CONFIG_MAGIC, 0, (uint32_t)body.size, &body);
	CHECK_FILE_REJECTED(&file, "version 0 is not supported");
	free_bytes(&file);
	file = config_file_with(LAUNCH_CONFIG_MAGIC, 2, (uint32_t)body.size, &body);
	CHECK_FILE_REJECTED(&file, "version 2 is not supported");
	free_bytes(&file);

	file = config_file(&body);
	size_t padded_size = file.size;
	file.size = 15;
	CHECK_FILE_REJECTED(&file, "15 bytes is shorter than the 16-byte header");
	file.size = 0;
	CHECK_FILE_REJECTED(&file, "0 bytes is shorter");
	file.size = 16 + body.size - 1;	/* the device ends inside the body */
	CHECK_FILE_REJECTED(&file, "announces a 35-byte body but only 34 bytes follow");
	free_bytes(&file);

	file = config_file_with(LAUNCH_CONFIG_MAGIC, 1, (uint32_t)padded_size, &body);
	CHECK_FILE_REJECTED(&file, "announces a 4096-byte body but only 4080 bytes follow");
	free_bytes(&file);
	file = config_file_with(LAUNCH_CONFIG_MAGIC, 1, 0xffffffff, &body);
	CHECK_FILE_REJECTED(&file, "announces a 4294967295-byte body");
	free_bytes(&file);
	free_bytes(&body);
}

TEST(records_running_past_the_body_are_refused)
{
	struct bytes body = minimal_body();
	append_bytes(&body, "\x01\x00\x00\x00\x00", 5);
	CHECK_BODY_REJECTED(&body, "record 3 at body offset 35: its header runs past the end of the body");
	free_bytes(&body);

	body = minimal_body();
	append_bytes(&body, "\x01\x00\x00\x00\x0a\x00\x00\x00" "abc", 11);
	CHECK_BODY_REJECTED(&body, "record 3 (ARG): its 10-byte value runs past the end of the body");
	free_bytes(&body);

	body = minimal_body();
	append_bytes(&body, "\x02\x00\x00\x00\xff\xff\xff\xff" "A=1", 11);
	CHECK_BODY_REJECTED(&body, "record 3 (ENV): its 4294967295-byte value runs past");
	free_bytes(&body);
}

TEST(a_body_length_that_stops_early_leaves_the_rest_unparsed)
{
	struct bytes body = minimal_body();
	struct bytes file = config_file_with(LAUNCH_CONFIG_MAGIC, 1, 17, &body);	/* only the ARG */
	CHECK_FILE_REJECTED(&file, "ROOT_DEVICE is missing");
	free_bytes(&file);
	free_bytes(&body);
}

TEST(record_level_problems_are_refused)
{
	struct bytes body = minimal_body();
	append_record_bytes(&body, TAG_ENV, "A=b\0c", 5);
	CHECK_BODY_REJECTED(&body, "record 3 (ENV): the value contains a NUL byte");
	free_bytes(&body);

	body = minimal_body();
	append_record(&body, TAG_STDIN_DEVICE, "hvc0");
	CHECK_BODY_REJECTED(&body, "record 3: STDIN_DEVICE must be an absolute path");
	free_bytes(&body);

	body = minimal_body();
	append_record(&body, TAG_EXEC_DEVICE, "hvc3");
	CHECK_BODY_REJECTED(&body, "record 3: EXEC_DEVICE must be an absolute path");
	free_bytes(&body);

	int unknown_tags[] = { 0, 17, 255 };
	for (size_t i = 0; i < sizeof unknown_tags / sizeof unknown_tags[0]; i++) {
		char expected[64];
		snprintf(expected, sizeof expected, "record 3: unknown tag %d (version 1 has tags 1 to 16)",
			 unknown_tags[i]);
		body = minimal_body();
		append_record(&body, unknown_tags[i], "x");
		CHECK_BODY_REJECTED(&body, expected);
		free_bytes(&body);
	}

	for (int reserved = 1; reserved <= 3; reserved++) {
		unsigned char record[9] = { TAG_ARG, 0, 0, 0, 1, 0, 0, 0, 'x' };
		record[reserved] = 1;
		body = minimal_body();
		append_bytes(&body, record, sizeof record);
		CHECK_BODY_REJECTED(&body, "record 3 (ARG): the three bytes after the tag must be zero");
		free_bytes(&body);
	}
}

TEST(required_tags_must_be_there)
{
	struct bytes body = { 0 };
	append_record(&body, TAG_ARG, "/bin/true");
	CHECK_BODY_REJECTED(&body, "ROOT_DEVICE is missing");
	free_bytes(&body);

	append_record(&body, TAG_ROOT_DEVICE, "/dev/pmem1");
	CHECK_BODY_REJECTED(&body, "no ARG");
	free_bytes(&body);

	CHECK_BODY_REJECTED(&body, "ROOT_DEVICE is missing");	/* an empty body */

	append_record(&body, TAG_ARG, "/bin/true");
	append_record(&body, TAG_ROOT_DEVICE, "");
	CHECK_BODY_REJECTED(&body, "record 2: ROOT_DEVICE must not be empty");
	free_bytes(&body);
}

TEST(bad_values_are_refused)
{
	static const struct {
		int tag;
		const char *value;
		const char *message;
	} cases[] = {
		{ TAG_CWD, "srv/app", "record 3: CWD must be an absolute path" },
		{ TAG_CWD, "", "CWD must be an absolute path" },
		{ TAG_ENV, "NO_EQUALS_SIGN", "record 3: ENV must be KEY=VALUE with a non-empty KEY" },
		{ TAG_ENV, "=value", "ENV must be KEY=VALUE" },
		{ TAG_ENV, "", "ENV must be KEY=VALUE" },
		{ TAG_SUPPLEMENTARY_GID, "", "SUPPLEMENTARY_GID must be a decimal gid" },
		{ TAG_SUPPLEMENTARY_GID, "wheel", "SUPPLEMENTARY_GID must be a decimal gid" },
		{ TAG_SUPPLEMENTARY_GID, "-1", "SUPPLEMENTARY_GID must be a decimal gid" },
		{ TAG_SUPPLEMENTARY_GID, " 1", "SUPPLEMENTARY_GID must be a decimal gid" },
		{ TAG_SUPPLEMENTARY_GID, "4294967295", "SUPPLEMENTARY_GID must be a decimal gid" },
		{ TAG_HOSTNAME, "", "HOSTNAME must be 1 to 64 bytes" },
		{ TAG_HOSTNAME, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "HOSTNAME must be 1 to 64 bytes" },
		{ TAG_TERMINAL, "0", "TERMINAL must be \"1\"" },
		{ TAG_TERMINAL, "", "TERMINAL must be \"1\"" },
		{ TAG_TERMINAL, "yes", "TERMINAL must be \"1\"" },
		{ TAG_USER, "", "record 3: USER must not be empty" },
		{ TAG_GROUP, "", "record 3: GROUP must not be empty" },
		{ TAG_ROOT_FSTYPE, "", "record 3: ROOT_FSTYPE must not be empty" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct bytes body = minimal_body();
		append_record(&body, cases[i].tag, cases[i].value);
		CHECK_BODY_REJECTED(&body, cases[i].message);
		free_bytes(&body);
	}
}

TEST(a_64_byte_hostname_is_the_longest)
{
	struct bytes body = minimal_body();
	const char *longest = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	append_record(&body, TAG_HOSTNAME, longest);
	struct launch_config config;
	char error[LAUNCH_CONFIG_ERROR_BYTES];

	if (CHECK(parse_body(&body, &config, error))) {
		CHECK(strlen(config.hostname) == 64);
		launch_config_free(&config);
	}
	free_bytes(&body);
}

TEST(single_tags_may_not_repeat)
{
	static const int single_tags[] = {
		TAG_CWD, TAG_USER, TAG_GROUP, TAG_HOSTNAME, TAG_ROOT_DEVICE,
		TAG_ROOT_FSTYPE, TAG_ROOT_OPTIONS, TAG_TERMINAL, TAG_EXEC_DEVICE,
	};
	static const char *const values[] = {
		[TAG_CWD] = "/", [TAG_USER] = "0", [TAG_GROUP] = "0", [TAG_HOSTNAME] = "box",
		[TAG_ROOT_DEVICE] = "/dev/pmem1", [TAG_ROOT_FSTYPE] = "ext4",
		[TAG_ROOT_OPTIONS] = "dax", [TAG_TERMINAL] = "1", [TAG_EXEC_DEVICE] = "/dev/hvc3",
	};
	for (size_t i = 0; i < sizeof single_tags / sizeof single_tags[0]; i++) {
		int tag = single_tags[i];
		struct bytes body = { 0 };
		append_record(&body, TAG_ARG, "/bin/true");
		append_record(&body, tag, values[tag]);
		append_record(&body, tag, values[tag]);
		if (tag != TAG_ROOT_DEVICE)
			append_record(&body, TAG_ROOT_DEVICE, "/dev/pmem1");
		CHECK_BODY_REJECTED(&body, "record 3: ");
		CHECK_BODY_REJECTED(&body, " appears more than once");
		free_bytes(&body);
	}
}

TEST(magic_and_length_for_the_device_scan)
{
	struct bytes body = minimal_body();
	struct bytes file = config_file(&body);

	CHECK(launch_config_has_magic(file.data, 8));
	CHECK(!launch_config_has_magic(file.data, 7));
	CHECK(!launch_config_has_magic((const unsigned char *)"\0\0\0\0\0\0\0\0", 8));
	CHECK(launch_config_length(file.data) == 16 + body.size);
	free_bytes(&file);
	free_bytes(&body);
}

/* Every prefix and every one-byte corruption of a full config: refused or parsed, never a crash. */
TEST(damaged_configs_never_crash)
{
	struct bytes body = minimal_body();
	append_record(&body, TAG_ENV, "A=1");
	append_record(&body, TAG_CWD, "/srv");
	append_record(&body, TAG_SUPPLEMENTARY_GID, "7");
	append_record(&body, TAG_TERMINAL, "1");
	size_t file_size = 16 + body.size;
	struct bytes file = config_file(&body);
	struct launch_config config;
	char error[LAUNCH_CONFIG_ERROR_BYTES];

	for (size_t size = 0; size <= file_size; size++) {
		bool parsed = launch_config_parse(file.data, size, &config, error);
		CHECK(parsed == (size == file_size));
		if (parsed)
			launch_config_free(&config);
	}
	for (size_t offset = 0; offset < file_size; offset++) {
		unsigned char original = file.data[offset];
		for (int flip = 1; flip < 256; flip <<= 1) {
			file.data[offset] = original ^ (unsigned char)flip;
			if (launch_config_parse(file.data, file_size, &config, error))
				launch_config_free(&config);
		}
		file.data[offset] = original;
	}
	free_bytes(&file);
	free_bytes(&body);
}
