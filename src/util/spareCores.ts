import fs from 'node:fs/promises';
import os from 'node:os';

/** /proc/stat counts CPU time in clock ticks of 1/100 s (USER_HZ, 100 on every Linux architecture). */
const TICKS_PER_SECOND = 100;

/**
 * How many of this host's cores are free right now: the share of CPU time that went idle over a
 * short window (/proc/stat's first line, before and after), as cores, this process's own CPU time in
 * the window not counted as busy. All of them where there is no /proc/stat.
 *
 * Why: work that only pays when cores would otherwise sit idle (a restore dealing a table's rows
 * over more sessions, restorePlan.ts) costs more than it saves on a busy host. A snapshot of the
 * run queue (`procs_running`) was tried first and was too noisy: this process's own threads and a
 * child just killed showed as another task on an idle host.
 */
export async function spareCores(windowMs = 50): Promise<number> {
  const cores = os.availableParallelism();
  const before = cpuTicks(await readStat());
  const ours = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const after = cpuTicks(await readStat());
  const { user, system } = process.cpuUsage(ours);
  if (!before || !after) return cores;
  return spareFrom(before, after, (user + system) / 1e6, cores);
}

/** CPU time summed over all cores, in ticks. */
export interface CpuTicks {
  busy: number;
  total: number;
}

/**
 * The cores that were idle between two readings, rounded to whole cores, `ourSeconds` of CPU time
 * counted as idle. Pure.
 */
export function spareFrom(before: CpuTicks, after: CpuTicks, ourSeconds: number, cores: number): number {
  const total = after.total - before.total;
  if (total <= 0) return cores;
  const busy = Math.max(0, after.busy - before.busy - ourSeconds * TICKS_PER_SECOND);
  return Math.max(0, Math.min(cores, Math.round(cores * (1 - busy / total))));
}

/** The `cpu` line of /proc/stat's text: user nice system idle iowait irq softirq steal (guest is in user). */
export function cpuTicks(stat: string): CpuTicks | null {
  const match = /^cpu +(\d+(?: +\d+){7})/m.exec(stat);
  if (!match) return null;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = match[1]!.split(/ +/).map(Number) as number[];
  const total = user! + nice! + system! + idle! + iowait! + irq! + softirq! + steal!;
  return { busy: total - idle! - iowait!, total };
}

const readStat = () => fs.readFile('/proc/stat', 'latin1').catch(() => '');
