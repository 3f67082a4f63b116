/**
 * CPU time from /proc, per thread or per process, so the bench can say where a phase's CPU went: the
 * plugin, the engine harness, the simulated devices. Linux only; elsewhere every figure reads 0.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

let ticksPerSecond: number | undefined;

/** The kernel's clock ticks per second (utime and stime are counted in them). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of a /proc …/stat file, ms; 0 when it cannot be read (gone, or not Linux). */
function statCpuMs(path: string): number {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return 0;
  }
  // The command name (field 2) is in parentheses and may hold spaces: the fields after it are fixed.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
}

/** CPU time of the calling thread (the main thread, or a worker thread asking for itself), ms. */
export function ownThreadCpuMs(): number {
  return statCpuMs("/proc/thread-self/stat");
}

/** CPU time of a process, all its threads, and of its main thread (the JavaScript one), ms. */
export function processCpuMs(pid: number): { totalMs: number; mainThreadMs: number } {
  return {
    totalMs: statCpuMs(`/proc/${pid}/stat`),
    mainThreadMs: statCpuMs(`/proc/${pid}/task/${pid}/stat`),
  };
}
