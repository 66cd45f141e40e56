#include "config_text.h"

#include <stdio.h>
#include <stdlib.h>

static void print_quoted(FILE *out, const char *value)
{
	fputc('"', out);
	for (const unsigned char *c = (const unsigned char *)value; *c; c++) {
		if (*c < 0x20 || *c > 0x7e || *c == '"' || *c == '\\')
			fprintf(out, "\\x%02x", *c);
		else
			fputc(*c, out);
	}
	fputc('"', out);
}

static void print_field(FILE *out, const char *name, const char *value, const char *absent)
{
	fprintf(out, "%s ", name);
	if (value)
		print_quoted(out, value);
	else
		fputs(absent, out);
	fputc('\n', out);
}

char *config_text(const struct launch_config *config)
{
	char *text;
	size_t size;
	FILE *out = open_memstream(&text, &size);
	if (!out)
		abort();
	for (size_t i = 0; i < config->arg_count; i++)
		print_field(out, "arg", config->args[i], NULL);
	for (size_t i = 0; i < config->env_count; i++)
		print_field(out, "env", config->env[i], NULL);
	print_field(out, "cwd", config->cwd, NULL);
	print_field(out, "user", config->user, NULL);
	print_field(out, "group", config->group, "(default)");
	for (size_t i = 0; i < config->supplementary_gid_count; i++)
		fprintf(out, "supplementary-gid %u\n", (unsigned)config->supplementary_gids[i]);
	print_field(out, "hostname", config->hostname, "(unset)");
	print_field(out, "root-device", config->root_device, NULL);
	print_field(out, "root-fstype", config->root_fstype, NULL);
	print_field(out, "root-options", config->root_options, NULL);
	fprintf(out, "terminal %s\n", config->terminal ? "yes" : "no");
	print_field(out, "stdin-device", config->stdin_device, "(console)");
	print_field(out, "stdout-device", config->stdout_device, "(console)");
	print_field(out, "stderr-device", config->stderr_device, "(console)");
	print_field(out, "control-device", config->control_device, "(none)");
	print_field(out, "exec-device", config->exec_device, "(none)");
	fclose(out);
	return text;
}
