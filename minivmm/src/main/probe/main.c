#include "checks.h"
#include "io.h"
#include "layout.h"

/* Called from entry.S in 64-bit mode on the probe's stack. */
noreturn void probe_main(u32 protocol, u64 boot_struct_paddr)
{
	print("probe: start\n");	/* host scripts time the first serial byte */

	struct probe_context context;
	if (protocol == PROTOCOL_PVH)
		boot_info_from_pvh(&context.boot, boot_struct_paddr);
	else
		boot_info_from_linux64(&context.boot, boot_struct_paddr);
	context.options = (struct probe_options){ 0 };

	const struct check *failed = NULL;
	const char *failure = NULL;
	for (const struct check *check = checks; check < checks + nr_checks; check++) {
		const char *problem = check->run(&context);
		if (problem) {
			print("probe: %s failed: %s\n", check->name, problem);
			if (!failed) {
				failed = check;
				failure = problem;
			}
		}
	}

	u64 exits = context.options.pio_loop_exits;
	if (exits) {
		u64 cycles = pio_loop(exits);
		print("probe: pio-loop: %lu exits, %lu tsc cycles\n", exits, cycles);
	}

	if (failed) {
		print("PROBE-FAIL: %s: %s\n", failed->name, failure);
		finish(1, context.options.ending);
	}
	print("PROBE-OK\n");
	finish(context.options.exit_status, context.options.ending);
}
