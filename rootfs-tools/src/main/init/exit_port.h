/* How the VM ends: the init's last act. */
#ifndef EXIT_PORT_H
#define EXIT_PORT_H

#include <stdnoreturn.h>

/* minivmm exits with the byte written here (QEMU's isa-debug-exit sits there too). */
#define EXIT_PORT 0x501

/*
 * Writes `status` to the exit port, which makes the VMM exit with it and so
 * powers the VM off. Nothing is synced: the root is copy-on-write memory
 * that vanishes with the VM.
 */
noreturn void power_off_with_status(unsigned char status);

#endif
