/**
 * The rotation prober, in a child process of its own: every `intervalMs` it opens a TLS connection to every
 * camera's HTTPS listener and checks that the handshake completes and the certificate presented verifies
 * against the trust the stack configured (the camera's factory CA and the site CAs). It counts probes and
 * failures.
 *
 * It runs at a lower CPU priority than the run it watches (PROBER_NICE). On a real site the prober would
 * be another machine; here it shares two cores with the engine, the plugin and the simulated cameras, and
 * at normal priority its handshakes (thousands a second) would take the CPU the rotation is measured on.
 * When the machine is busy its probes start late instead, and the report counts them.
 */
import type { SecureContext } from "node:tls";
import { connect, createSecureContext } from "node:tls";
import type { ChildProcess } from "node:child_process";
import { fork } from "node:child_process";
import { setPriority } from "node:os";

export interface ProbeTarget {
  host: string;
  port: number;
  /** PEM bundle: what the stack's `device.tls.caCertificate` says for this camera. */
  trust: string;
}

export interface ProbeResult {
  probes: number;
  failed: number;
  /** Up to 10 failure descriptions. */
  failures: string[];
  /**
   * Failures by kind: a certificate that does not verify (what a rotation must never cause), a handshake
   * refused or reset, or one that did not finish in 5 s (a saturated machine looks like this).
   */
  byKind?: { untrusted: number; handshakeFailed: number; timedOut: number };
  /** Probes that could not start on time because the previous one of that camera was still running. */
  late: number;
}

function probe(t: ProbeTarget, trust: SecureContext): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({
      host: t.host,
      port: t.port,
      // Made once per camera: parsing the trust bundle for every probe cost the machine more than the
      // handshake itself, at 10 probes a second per camera.
      secureContext: trust,
      rejectUnauthorized: false,
      // Chain verification only: the factory certificate names no IP address, and that is not what is probed.
      checkServerIdentity: () => undefined,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve("handshake timed out (5 s)");
    }, 5000);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      const problem = socket.authorized
        ? undefined
        : `certificate does not verify: ${String(socket.authorizationError)}`;
      socket.destroy();
      resolve(problem);
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      resolve(`handshake failed: ${err.message}`);
    });
  });
}

/** Nice value of the prober process (0 normal, 19 lowest). */
export const PROBER_NICE = 10;

/** Starts the prober; `stop()` ends it and gives its counts. */
export async function startProber(
  targets: ProbeTarget[],
  intervalMs: number,
): Promise<{ stop: () => Promise<ProbeResult> }> {
  const child: ChildProcess = fork(__filename, [], {
    env: { ...process.env, BENCH_PROBER: "1" },
    execArgv: [],
  });
  if (child.pid !== undefined) setPriority(child.pid, PROBER_NICE);
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("error", reject);
    child.send({ targets, intervalMs });
  });
  return {
    stop: () =>
      new Promise<ProbeResult>((resolve, reject) => {
        child.once("message", (m) => {
          child.kill();
          resolve(m as ProbeResult);
        });
        child.once("error", reject);
        child.send("stop");
      }),
  };
}

function runProber(
  targets: ProbeTarget[],
  intervalMs: number,
  send: (m: unknown) => void,
): (msg: unknown) => void {
  const result: ProbeResult = {
    probes: 0,
    failed: 0,
    failures: [],
    late: 0,
    byKind: { untrusted: 0, handshakeFailed: 0, timedOut: 0 },
  };
  let running = true;
  let wake!: () => void;
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  // A wait that `stop` cuts short: with a long --prober-interval the loops would otherwise hold the answer.
  const pause = (ms: number) =>
    Promise.race([new Promise((resolve) => setTimeout(resolve, ms).unref()), stopped]);
  const loops = targets.map(async (t, i) => {
    // Spread the cameras over the interval so the probes do not all start in the same millisecond.
    await pause((i * intervalMs) / targets.length);
    const trust = createSecureContext({ ca: t.trust });
    while (running) {
      const started = Date.now();
      const problem = await probe(t, trust);
      result.probes++;
      if (problem) {
        result.failed++;
        const kind = problem.startsWith("certificate")
          ? "untrusted"
          : problem.startsWith("handshake timed out")
            ? "timedOut"
            : "handshakeFailed";
        result.byKind![kind]++;
        if (result.failures.length < 10) result.failures.push(`${t.host}:${t.port}: ${problem}`);
      }
      const wait = intervalMs - (Date.now() - started);
      if (wait > 0) await pause(wait);
      else result.late++;
    }
  });
  send("ready");
  return (msg) => {
    if (msg !== "stop") return;
    running = false;
    wake();
    void Promise.all(loops).then(() => send(result));
  };
}

if (process.env.BENCH_PROBER === "1" && process.send) {
  const send = (m: unknown) => process.send!(m);
  let onMessage: ((msg: unknown) => void) | undefined;
  process.on("disconnect", () => process.exit(0));
  process.on("message", (msg: unknown) => {
    if (onMessage) return onMessage(msg);
    const { targets, intervalMs } = msg as { targets: ProbeTarget[]; intervalMs: number };
    onMessage = runProber(targets, intervalMs, send);
  });
}
