/*
 * The shared vectors: launch configs the Java writer encoded
 * (rootfs-tools/src/test/resources/launch/NAME.bin) must decode to what
 * NAME.expected says, so the writer and this reader cannot drift apart.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config_text.h"
#include "launch_config.h"

/* The file's bytes, NUL-terminated, or NULL. */
static char *read_file(const char *path, size_t *size)
{
	FILE *file = fopen(path, "rb");
	if (!file)
		return NULL;
	fseek(file, 0, SEEK_END);
	long length = ftell(file);
	rewind(file);
	char *data = length < 0 ? NULL : malloc((size_t)length + 1);
	if (data && fread(data, 1, (size_t)length, file) == (size_t)length) {
		data[length] = '\0';
		*size = (size_t)length;
	} else {
		free(data);
		data = NULL;
	}
	fclose(file);
	return data;
}

static void check_vector(const char *bin_path)
{
	char expected_path[4096];
	snprintf(expected_path, sizeof expected_path, "%.*s.expected", (int)(strlen(bin_path) - 4), bin_path);
	size_t size, expected_size;
	char *bytes = read_file(bin_path, &size);
	char *expected = read_file(expected_path, &expected_size);
	struct launch_config config;
	char error[LAUNCH_CONFIG_ERROR_BYTES];

	if (CHECK(bytes && expected) && CHECK(size % 4096 == 0) &&
	    check(launch_config_parse((unsigned char *)bytes, size, &config, error), __FILE__, __LINE__,
		  "%s: %s", bin_path, error)) {
		char *text = config_text(&config);
		check(strcmp(text, expected) == 0, __FILE__, __LINE__, "%s decodes to:\n%s\nbut %s says:\n%s",
		      bin_path, text, expected_path, expected);
		free(text);
		launch_config_free(&config);
	}
	free(bytes);
	free(expected);
}

TEST(java_written_vectors_decode_as_expected)
{
	DIR *folder = opendir(vectors_folder);
	if (!check(folder != NULL, __FILE__, __LINE__, "cannot open the vectors folder %s", vectors_folder))
		return;
	size_t vectors = 0;
	struct dirent *entry;
	while ((entry = readdir(folder))) {
		size_t length = strlen(entry->d_name);
		if (length <= 4 || strcmp(entry->d_name + length - 4, ".bin") != 0)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", vectors_folder, entry->d_name);
		check_vector(path);
		vectors++;
	}
	closedir(folder);
	check(vectors >= 3, __FILE__, __LINE__, "only %zu vectors in %s", vectors, vectors_folder);
}
