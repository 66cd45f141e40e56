#include "stdin_framing.h"

#define ESCAPE 0xFF

size_t stdin_unframe(struct stdin_unframer *state, const unsigned char *in, size_t size, unsigned char *out)
{
	size_t produced = 0;
	for (size_t i = 0; i < size && !state->ended; i++) {
		if (state->after_escape) {
			state->after_escape = false;
			if (in[i] == 0)
				state->ended = true;
			else
				out[produced++] = in[i];
		} else if (in[i] == ESCAPE) {
			state->after_escape = true;
		} else {
			out[produced++] = in[i];
		}
	}
	return produced;
}
