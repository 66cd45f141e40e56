#include "io.h"

#define UART_LSR      5		/* line status register */
#define UART_LSR_THRE 0x20	/* transmit holding register empty */
/* Bounded so that a UART model without a working LSR slows us instead of hanging us. */
#define UART_MAX_POLLS 256

static void put_char(char c)
{
	for (int polls = 0; polls < UART_MAX_POLLS; polls++)
		if (inb(COM1_PORT + UART_LSR) & UART_LSR_THRE)
			break;
	outb(COM1_PORT, c);
}

static void put_chars(const char *s, int length)
{
	for (int i = 0; i < length; i++)
		put_char(s[i]);
}

static void put_string(const char *s)
{
	while (*s)
		put_char(*s++);
}

/* Shifts, not division: one division is one more emulated instruction per digit. */
static void put_hex(u64 value)
{
	int shift = 60;
	while (shift > 0 && !(value >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		put_char("0123456789abcdef"[(value >> shift) & 0xf]);
}

static void put_decimal(u64 value)
{
	char digits[20];
	int count = 0;
	do {
		digits[count++] = '0' + value % 10;
		value /= 10;
	} while (value);
	while (count)
		put_char(digits[--count]);
}

void print(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	for (const char *p = format; *p; p++) {
		if (*p != '%') {
			put_char(*p);
		} else if (p[1] == 's') {
			put_string(va_arg(args, const char *));
			p += 1;
		} else if (p[1] == '.' && p[2] == '*' && p[3] == 's') {
			int length = va_arg(args, int);
			put_chars(va_arg(args, const char *), length);
			p += 3;
		} else if (p[1] == 'l' && p[2] == 'u') {
			put_decimal(va_arg(args, u64));
			p += 2;
		} else if (p[1] == 'l' && p[2] == 'x') {
			put_hex(va_arg(args, u64));
			p += 2;
		} else {
			put_char(*p);	/* unsupported: shows up in the output */
		}
	}
	va_end(args);
}

u64 pio_loop(u64 exits)
{
	u64 start = rdtsc();
	asm volatile("1: outb %%al, %%dx\n\t"
		     "dec %%rcx\n\t"
		     "jnz 1b"
		     : "+c"(exits)
		     : "a"(0), "d"(BENCH_PORT)
		     : "cc", "memory");
	return rdtsc() - start;
}

noreturn void finish(u8 status, enum ending ending)
{
	static const struct { u16 limit; u64 base; } __attribute__((packed)) no_idt = { 0, 0 };

	switch (ending) {
	case END_EXIT_PORT:
		outb(EXIT_PORT, status);
		break;
	case END_RESET:
		outb(I8042_COMMAND_PORT, I8042_PULSE_RESET);
		break;
	case END_TRIPLE_FAULT:
		/* #UD cannot be delivered without an IDT, nor can the #DF after it: the CPU shuts down. */
		asm volatile("lidt %0; ud2" : : "m"(no_idt));
		break;
	case END_HALT:
		break;
	}
	/* Halting on request, or nothing ended the VM. */
	for (;;)
		asm volatile("cli; hlt");
}
