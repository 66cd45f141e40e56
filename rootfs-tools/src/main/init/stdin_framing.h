/*
 * Undoing the host's framing of the app's standard input (launch_config.h,
 * tag STDIN_DEVICE): 0xFF 0xFF is one 0xFF byte, 0xFF 0x00 ends the input.
 */
#ifndef STDIN_FRAMING_H
#define STDIN_FRAMING_H

#include <stdbool.h>
#include <stddef.h>

struct stdin_unframer {
	bool after_escape;	/* the last byte seen was a lone 0xFF */
	bool ended;		/* 0xFF 0x00 was seen; what follows is ignored */
};

/*
 * Decodes `size` bytes from `in` into `out`, which holds at least `size`
 * bytes, carrying a split escape over to the next call in `state`. Returns
 * how many bytes went to `out`. A 0xFF followed by any byte but 0xFF or 0x00
 * is taken as that byte: a host never sends it.
 */
size_t stdin_unframe(struct stdin_unframer *state, const unsigned char *in, size_t size, unsigned char *out);

#endif
