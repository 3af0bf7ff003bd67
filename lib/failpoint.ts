// Fault injection for crash tests: MATTHAN_FAILPOINT=<name> makes the process hang at that named point.
// Unset (production), a failpoint costs one string comparison. Tests arm one in a child process, wait for
// "failpoint <name> reached" on stderr and kill the child there: a deterministic "killed mid-processing".

const ARMED = process.env.MATTHAN_FAILPOINT ?? '';
/** How long an armed failpoint blocks (the test kills the process long before). */
const HANG_MS = 120_000;

export function failpoint(name: string): void {
  if (ARMED !== name) return;
  process.stderr.write(`failpoint ${name} reached\n`);
  // Block the whole thread, as a runaway parse of a poison message would: no timer, no socket is served.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, HANG_MS);
}
