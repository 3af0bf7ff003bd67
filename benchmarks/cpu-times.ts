// CPU seconds from /proc: this process with its children (reaped and alive), and the whole machine, so a
// benchmark can tell the CPU its pipeline used from the CPU other tenants of a shared box took meanwhile.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ on Linux x86-64 (sysconf(_SC_CLK_TCK))

/** Fields of /proc/PID/stat after the command name: utime, stime, cutime, cstime in ticks. */
function statTimes(pid: number | 'self'): { own: number; reaped: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited between listing and reading
  }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // proc(5): field 14 utime, 15 stime, 16 cutime, 17 cstime; f[0] is field 3 (state).
  return { own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
}

/** The child pids of every thread of `pid` (/proc/<pid>/task/<tid>/children); [] once it has exited. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tasks) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/))
        if (c) out.push(Number(c));
    } catch {
      // thread gone
    }
  }
  return out;
}

/**
 * CPU seconds used so far by this process, its reaped children and every live descendant. The difference of
 * two readings is the tree's CPU in between: a child that exits in between moves from "live" to "reaped" with
 * its whole lifetime, of which the first reading already counted the part before.
 */
export function treeCpuS(): number {
  const self = statTimes('self')!;
  let ticks = self.own + self.reaped;
  const stack = childrenOf(process.pid);
  while (stack.length) {
    const pid = stack.pop()!;
    const t = statTimes(pid);
    if (t) ticks += t.own + t.reaped;
    stack.push(...childrenOf(pid));
  }
  return ticks / TICKS_PER_S;
}

/** Busy CPU seconds of the whole machine (every core: user, nice, system, irq, softirq, steal) from /proc/stat. */
export function machineBusyCpuS(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / TICKS_PER_S;
}
