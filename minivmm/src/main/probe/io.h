/* Port I/O: the serial report, the exit port and the PIO benchmark loop. All polled. */
#ifndef PROBE_IO_H
#define PROBE_IO_H

#include "types.h"
#include "options.h"

#define COM1_PORT  0x3f8	/* 8250 UART */
#define EXIT_PORT  0x501	/* outb status: minivmm exits with status, QEMU isa-debug-exit with status*2+1 */
#define BENCH_PORT 0x502	/* handled by nobody: each write is one plain PIO exit */
#define I8042_COMMAND_PORT 0x64
#define I8042_PULSE_RESET  0xfe	/* pulses the CPU reset line: Linux's reboot=k */

static inline void outb(u16 port, u8 value)
{
	asm volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 value;
	asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

/*
 * Prints to COM1. Supports only %s, %.*s, %lu and %lx (u64 arguments), which
 * the format attribute lets the compiler check.
 */
__attribute__((format(printf, 1, 2))) void print(const char *format, ...);

/* The time-stamp counter, after earlier instructions finished (lfence), for timing loops. */
static inline u64 rdtsc(void)
{
	u32 low, high;
	asm volatile("lfence; rdtsc" : "=a"(low), "=d"(high));
	return (u64)high << 32 | low;
}

/* Writes BENCH_PORT `exits` (> 0) times; returns the TSC cycles it took. */
u64 pio_loop(u64 exits);

/* Ends the VM the way `ending` says; `status` goes to EXIT_PORT. */
noreturn void finish(u8 status, enum ending ending);

#endif
