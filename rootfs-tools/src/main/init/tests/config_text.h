/*
 * A parsed launch config as text, one field a line, in the form of the
 * shared vectors' *.expected files (written by the Java side's
 * LaunchConfigVectors): values are quoted, with '"', '\' and every byte
 * outside printable ASCII written as \xHH.
 */
#ifndef CONFIG_TEXT_H
#define CONFIG_TEXT_H

#include "launch_config.h"

/* The text, to free. */
char *config_text(const struct launch_config *config);

#endif
