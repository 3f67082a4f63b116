/**
 * The rotation prober, in a worker thread: every `intervalMs` it opens a TLS connection to every camera's
 * HTTPS listener and checks that the handshake completes and the certificate presented verifies against the
 * trust the stack configured (the camera's factory CA and the site CAs). It counts probes and failures.
 */
import { connect } from "node:tls";
import { parentPort, workerData } from "node:worker_threads";

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

function probe(t: ProbeTarget): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({
      host: t.host,
      port: t.port,
      ca: t.trust,
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

if (parentPort && workerData?.prober) {
  const { targets, intervalMs } = workerData as { targets: ProbeTarget[]; intervalMs: number };
  const result: ProbeResult = {
    probes: 0,
    failed: 0,
    failures: [],
    late: 0,
    byKind: { untrusted: 0, handshakeFailed: 0, timedOut: 0 },
  };
  let running = true;
  const loops = targets.map(async (t, i) => {
    // Spread the cameras over the interval so the probes do not all start in the same millisecond.
    await new Promise((r) => setTimeout(r, (i * intervalMs) / targets.length));
    while (running) {
      const started = Date.now();
      const problem = await probe(t);
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
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else result.late++;
    }
  });
  parentPort.on("message", (msg: string) => {
    if (msg !== "stop") return;
    running = false;
    void Promise.all(loops).then(() => parentPort!.postMessage(result));
  });
  parentPort.postMessage("ready");
}
