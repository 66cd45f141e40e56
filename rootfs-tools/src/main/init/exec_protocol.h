/*
 * The exec protocol: how the host runs a command in the running container,
 * one session at a time, over the tty the launch config names (EXEC_DEVICE).
 * exec_server.c serves it; minivmm's mirror is
 * org.minivmm.rootfs.launch.ExecProtocol.
 *
 * A frame, both ways: u8 type, u32 length (little-endian), `length` bytes.
 * Host to guest:
 *   1 RESET      8 bytes    end the session, if any (SIGKILL to its process
 *                           group), then answer RESET_DONE with the same
 *                           bytes; the host starts every session with one
 *   2 REQUEST    1..64 KiB  run a command: its arguments, each ending in NUL
 *   3 STDIN      1..64 KiB  bytes for the command's stdin
 *   4 STDIN_END  0          the end of its stdin
 *   5 SIGNAL     1          send signal N to its process group
 *   6 OUTPUT_ACK 4          u32 N: N more bytes of STDOUT and STDERR have
 *                           been passed on
 * Guest to host:
 *   0x81 RESET_DONE 8 bytes
 *   0x82 STDOUT     1..64 KiB
 *   0x83 STDERR     1..64 KiB
 *   0x84 STDIN_ACK  4        u32 N: N more bytes of stdin reached the command
 *   0x85 EXIT       1        its status as for the app (128+N for signal N,
 *                            127 not found, 126 cannot execute); the session
 *                            is over
 * Both ways at most a window of data is unacknowledged: the host's stdin, so
 * that the guest can always read the tty and a SIGNAL or RESET never waits
 * behind stdin the command does not read; and the command's output, so that
 * the host never has to hold more than a window for a slow client and always
 * takes what the guest writes to the tty at once (a virtio console's writer
 * spins until the host has taken its bytes). A session ends when the command
 * has exited and its stdout and stderr are closed. STDIN, STDIN_END, SIGNAL
 * and OUTPUT_ACK outside a session are dropped: they may cross an EXIT. Any
 * other frame the guest cannot take (unknown type, wrong length, a REQUEST
 * during a session, stdin beyond the window, an OUTPUT_ACK for more than was
 * sent) ends the session with a message on STDERR and EXIT 125, and the guest
 * then drops everything up to the next RESET.
 */
#ifndef EXEC_PROTOCOL_H
#define EXEC_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXEC_HEADER_BYTES 5
#define EXEC_MAX_PAYLOAD (64 * 1024)
#define EXEC_STDIN_WINDOW (64 * 1024)
#define EXEC_OUTPUT_WINDOW (64 * 1024)
#define EXEC_NONCE_BYTES 8

enum exec_frame_type {
	EXEC_RESET = 1,
	EXEC_REQUEST,
	EXEC_STDIN,
	EXEC_STDIN_END,
	EXEC_SIGNAL,
	EXEC_OUTPUT_ACK,
	EXEC_RESET_DONE = 0x81,
	EXEC_STDOUT,
	EXEC_STDERR,
	EXEC_STDIN_ACK,
	EXEC_EXIT,
};

struct exec_frame {
	enum exec_frame_type type;
	uint32_t length;
	const unsigned char *payload;
};

/* Splits the host's stream into frames; starts zeroed. */
struct exec_decoder {
	unsigned char header[EXEC_HEADER_BYTES];
	size_t header_bytes;		/* of the header received so far */
	size_t payload_bytes;		/* of the payload received so far */
	bool hunting;			/* dropping bytes up to a RESET header */
	unsigned char payload[EXEC_MAX_PAYLOAD];
};

enum exec_decoded { EXEC_NEED_MORE, EXEC_GOT_FRAME, EXEC_BAD_FRAME };

#define EXEC_ERROR_BYTES 96

/*
 * Takes bytes from `in` (at most `size`; *used says how many) until a frame
 * is complete: EXEC_GOT_FRAME, with `frame` pointing into the decoder until
 * the next call. EXEC_BAD_FRAME: a header names an unknown type or a length
 * its type does not allow; `error` says which, and the decoder then hunts
 * for the next RESET. EXEC_NEED_MORE: every byte was taken.
 */
enum exec_decoded exec_decode(struct exec_decoder *decoder, const unsigned char *in, size_t size,
			      size_t *used, struct exec_frame *frame, char error[EXEC_ERROR_BYTES]);

/* Drops everything up to the next RESET: after a frame that was well formed but not acceptable. */
void exec_decoder_hunt(struct exec_decoder *decoder);

void exec_write_header(unsigned char header[EXEC_HEADER_BYTES], enum exec_frame_type type, uint32_t length);

/* Little-endian u32s: a header's length, an acknowledgement's count. */
uint32_t exec_read_u32(const unsigned char bytes[4]);
void exec_write_u32(unsigned char bytes[4], uint32_t value);

/*
 * A REQUEST's arguments as a NULL-terminated array (malloc'ed; the strings
 * stay in `payload`), or NULL if the payload does not end with a NUL or its
 * first argument is empty.
 */
char **exec_request_args(const unsigned char *payload, uint32_t length);

#endif
