/**
 * The simulated fleet in a worker thread of the bench process: N cameras and the SPS appliances, each with
 * the bench's network model (round trip, key generation, commit time, two requests at a time per camera).
 * Its own event loop keeps the devices answering on time while the engine harness works on the main thread.
 * Every request is time-stamped here, so the bench can measure how long devices were busy per phase.
 */
import type { Server, ServerResponse } from "node:http";
import { parentPort, workerData } from "node:worker_threads";
import { AxisSimulator } from "../simulators/axis";
import { SpsSimulator } from "../simulators/sps";
import { makeCa, makeLeaf } from "../test/support/pki";
import { ownThreadCpuMs } from "./cpu";
import type { FleetCounters, FleetRequest, FleetSpec, FleetStarted } from "./fleetTypes";

const spec = workerData as FleetSpec;
let cameras: AxisSimulator[] = [];
/** The certificate each camera's HTTPS served at start: the drift rebinds to it. */
let factoryIds: string[] = [];
let appliances: SpsSimulator[] = [];
/** First request seen and last response finished since the last reset (ms since the epoch). */
let first = 0;
let last = 0;
let inflight = 0;
/** This thread's CPU time at the last reset. */
let cpuAtReset = 0;

function track(server: unknown): void {
  const s = server as Server;
  s.prependListener("request", (_req, res: ServerResponse) => {
    const t = Date.now();
    if (!first) first = t;
    inflight++;
    res.once("close", () => {
      inflight--;
      last = Date.now();
    });
  });
}

async function start(): Promise<FleetStarted> {
  const started = Date.now();
  const batch = 25;
  for (let i = 0; i < spec.cameras; i += batch) {
    const n = Math.min(batch, spec.cameras - i);
    const made = await Promise.all(
      Array.from({ length: n }, (_, k) =>
        AxisSimulator.start({
          name: `cam${String(i + k + 1).padStart(4, "0")}`,
          password: spec.cameraPassword,
          httpsAuth: "digest",
          latencyMs: spec.latencyMs,
          keyGenerationMs: spec.keyGenerationMs,
          maxConcurrentRequests: spec.maxConcurrentRequests,
        }),
      ),
    );
    cameras.push(...made);
  }
  appliances = await Promise.all(
    Array.from({ length: spec.appliances }, () =>
      SpsSimulator.start({ latencyMs: spec.latencyMs, commitMs: spec.commitMs }),
    ),
  );
  // As in the demo, the cameras had 802.1X set up by hand: the stack takes it over and destroy puts it back.
  const legacyCa = await makeCa("Legacy RADIUS CA");
  const legacy = await makeLeaf(legacyCa, "legacy-dot1x");
  for (const c of cameras) {
    c.addCertificate({ id: "legacy-dot1x", certificatePem: legacy.certPem, privateKeyPem: legacy.keyPem });
    c.addCertificate({ id: "legacy-radius", certificatePem: legacyCa.certPem });
    c.setDot1x({ identity: "legacy", certificateId: "legacy-dot1x", caCertificateIds: ["legacy-radius"] });
  }
  factoryIds = cameras.map((c) => c.getWebServerTls().certificateId);
  for (const c of cameras) {
    const servers = c as unknown as { httpServer: unknown; httpsServer: unknown };
    track(servers.httpServer);
    track(servers.httpsServer);
  }
  for (const a of appliances) track((a as unknown as { server: unknown }).server);
  return {
    startMs: Date.now() - started,
    cameras: cameras.map((c) => ({
      name: c.name,
      httpsUrl: c.httpsUrl,
      httpUrl: c.httpUrl,
      username: c.username,
      caCertificatePem: c.caCertificatePem,
    })),
    appliances: appliances.map((a) => ({
      url: a.url,
      username: a.username,
      password: a.password,
      caCertificatePem: a.caCertificatePem,
    })),
  };
}

function counters(): FleetCounters {
  return {
    cameras: cameras.map((c) => c.counters()),
    appliances: appliances.map((a) => a.counters()),
    firstRequestAt: first,
    lastResponseAt: last,
    inflight,
    cpuMs: ownThreadCpuMs() - cpuAtReset,
  };
}

function reset(): void {
  for (const c of cameras) c.resetCounters();
  for (const a of appliances) a.resetCounters();
  first = 0;
  last = 0;
  cpuAtReset = ownThreadCpuMs();
}

async function handle(req: FleetRequest): Promise<unknown> {
  switch (req.kind) {
    case "start":
      return start();
    case "counters":
      return counters();
    case "reset":
      return reset();
    case "rebindHttps": {
      // Drift: HTTPS bound back to the camera's factory certificate, as someone would on its web page.
      for (const i of req.cameras) cameras[i].rebindHttps(factoryIds[i]);
      return undefined;
    }
    case "served":
      return cameras.map((c) => c.servedHttpsFingerprint());
    case "certificateIds":
      return cameras.map((c) => c.listCertificates().map((x) => x.id));
    case "stop":
      await Promise.all([...cameras.map((c) => c.stop()), ...appliances.map((a) => a.stop())]);
      cameras = [];
      appliances = [];
      return undefined;
  }
}

parentPort!.on("message", (msg: { id: number; req: FleetRequest }) => {
  handle(msg.req).then(
    (value) => parentPort!.postMessage({ id: msg.id, value }),
    (err: Error) => parentPort!.postMessage({ id: msg.id, error: err.stack ?? err.message }),
  );
});
