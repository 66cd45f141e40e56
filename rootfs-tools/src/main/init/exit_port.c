#include "exit_port.h"

#include <errno.h>
#include <string.h>
#include <sys/io.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "errors.h"

noreturn void power_off_with_status(unsigned char status)
{
	if (ioperm(EXIT_PORT, 1, 1) == 0)
		outb(status, EXIT_PORT);
	else
		print_error("cannot reach the exit port to report status %u: %s", status, strerror(errno));
	/*
	 * Only reached if the port is out of reach or ignored. Powering off needs ACPI, which these
	 * guests lack, and would halt for ever; a reboot (reboot=k) ends the VM, without a status.
	 */
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}
