#include "options.h"
#include "io.h"

static bool same_text(const char *text, int length, const char *word)
{
	int i = 0;
	while (i < length && word[i] == text[i])
		i++;
	return i == length && word[i] == '\0';
}

/* At most 18 digits, so the value cannot overflow before it is compared with max. */
static bool parse_decimal(const char *digits, int length, u64 max, u64 *value)
{
	if (length < 1 || length > 18)
		return false;
	u64 result = 0;
	for (int i = 0; i < length; i++) {
		if (digits[i] < '0' || digits[i] > '9')
			return false;
		result = result * 10 + (digits[i] - '0');
	}
	if (result > max)
		return false;
	*value = result;
	return true;
}

/* The field and limit of a known "key=N" option, or NULL. */
static u64 *numeric_option(const char *key, int key_length, struct probe_options *options, u64 *max)
{
	if (same_text(key, key_length, "exit")) {
		*max = 255;
		return &options->exit_status;
	}
	if (same_text(key, key_length, "ram-mib")) {
		*max = UINT64_MAX >> 20;	/* the byte count must fit in a u64 */
		return &options->ram_mib;
	}
	if (same_text(key, key_length, "cpus")) {
		*max = 255;
		return &options->cpus;
	}
	if (same_text(key, key_length, "blk-bench")) {
		*max = 1 << 20;
		return &options->blk_bench;
	}
	if (same_text(key, key_length, "blk-copy-mib")) {
		*max = 1024;
		return &options->blk_copy_mib;
	}
	if (same_text(key, key_length, "pmem-sum-kib")) {
		*max = UINT64_MAX >> 10;
		return &options->pmem_sum_kib;
	}
	if (same_text(key, key_length, "pmem-write-kib")) {
		*max = UINT64_MAX >> 10;
		return &options->pmem_write_kib;
	}
	if (same_text(key, key_length, "pio-loop")) {
		*max = UINT64_MAX;
		return &options->pio_loop_exits;
	}
	return NULL;
}

/* The field of a known on/off option, or NULL. */
static bool *flag_option(const char *word, int length, struct probe_options *options)
{
	if (same_text(word, length, "blk-test"))
		return &options->blk_test;
	if (same_text(word, length, "net-test"))
		return &options->net_test;
	if (same_text(word, length, "blk-into-pmem"))
		return &options->blk_into_pmem;
	if (same_text(word, length, "pmem-touch"))
		return &options->pmem_touch;
	if (same_text(word, length, "pmem-write-refused"))
		return &options->pmem_write_refused;
	return NULL;
}

static const char *apply_option(const char *token, int length, struct probe_options *options)
{
	int key_length = 0;
	while (key_length < length && token[key_length] != '=')
		key_length++;

	static const struct { const char *word; enum ending ending; } endings[] = {
		{ "halt", END_HALT }, { "reset", END_RESET }, { "triple-fault", END_TRIPLE_FAULT },
	};
	for (unsigned i = 0; key_length == length && i < sizeof(endings) / sizeof(endings[0]); i++) {
		if (same_text(token, length, endings[i].word)) {
			options->ending = endings[i].ending;
			return NULL;
		}
	}
	bool *flag = key_length == length ? flag_option(token, length, options) : NULL;
	if (flag) {
		*flag = true;
		return NULL;
	}
	/* Linux's virtio-mmio device tokens: the virtio check reads them from the command line. */
	if (key_length < length && same_text(token, key_length, "virtio_mmio.device"))
		return NULL;
	u64 max;
	u64 *field = key_length < length ? numeric_option(token, key_length, options, &max) : NULL;
	if (!field) {
		print("probe: ignored \"%.*s\"\n", length, token);
		return NULL;
	}
	const char *value = token + key_length + 1;
	if (!parse_decimal(value, length - key_length - 1, max, field)) {
		print("probe: malformed \"%.*s\"\n", length, token);
		return "malformed option";
	}
	return NULL;
}

const char *next_token(const char **cursor, int *length)
{
	const char *p = *cursor;
	while (*p == ' ')
		p++;
	if (!*p)
		return NULL;
	const char *token = p;
	while (*p && *p != ' ')
		p++;
	*cursor = p;
	*length = p - token;
	return token;
}

const char *parse_options(const char *cmdline, struct probe_options *options)
{
	const char *problem = NULL;
	int length;
	for (const char *token; (token = next_token(&cmdline, &length)); ) {
		const char *token_problem = apply_option(token, length, options);
		if (!problem)
			problem = token_problem;
	}
	return problem;
}
