#include <string.h>

#include "check.h"
#include "stdin_framing.h"

TEST(plain_bytes_pass_unchanged)
{
	struct stdin_unframer state = { 0 };
	const unsigned char in[] = { 'h', 'i', '\n', 0, 4, 0xFE };
	unsigned char out[sizeof in];
	CHECK(stdin_unframe(&state, in, sizeof in, out) == sizeof in);
	CHECK(memcmp(in, out, sizeof in) == 0);
	CHECK(!state.ended);
}

TEST(a_doubled_escape_is_one_byte)
{
	struct stdin_unframer state = { 0 };
	const unsigned char in[] = { 1, 0xFF, 0xFF, 2 };
	unsigned char out[sizeof in];
	CHECK(stdin_unframe(&state, in, sizeof in, out) == 3);
	CHECK(out[0] == 1 && out[1] == 0xFF && out[2] == 2);
}

TEST(an_escape_split_between_reads_is_kept)
{
	struct stdin_unframer state = { 0 };
	unsigned char out[4];
	CHECK(stdin_unframe(&state, (const unsigned char[]){ 'a', 0xFF }, 2, out) == 1);
	CHECK(stdin_unframe(&state, (const unsigned char[]){ 0xFF, 'b' }, 2, out) == 2);
	CHECK(out[0] == 0xFF && out[1] == 'b');
	CHECK(stdin_unframe(&state, (const unsigned char[]){ 0xFF }, 1, out) == 0);
	CHECK(stdin_unframe(&state, (const unsigned char[]){ 0 }, 1, out) == 0);
	CHECK(state.ended);
}

TEST(nothing_after_the_end_counts)
{
	struct stdin_unframer state = { 0 };
	const unsigned char in[] = { 'x', 0xFF, 0, 'y', 'z' };
	unsigned char out[sizeof in];
	CHECK(stdin_unframe(&state, in, sizeof in, out) == 1);
	CHECK(state.ended);
	CHECK(stdin_unframe(&state, (const unsigned char[]){ 'q' }, 1, out) == 0);
}
