/**
 * The lower bound: the fewest requests each phase needs, and the least wall time they can take.
 *
 * Requests are counted per resource operation from what it means on the device, not from what the
 * provider does:
 * - every plugin run (each CLI command is one) meets each device it talks to for the first time: one 401
 *   challenge per camera (Digest) and one login per appliance, then nothing more on authentication;
 * - a read that several resources of one device need at the same moment is one request (the two
 *   certificates of a camera share one GetCertificates);
 * - a read-modify-write (the HTTPS binding) needs the read, since state does not hold the settings it keeps;
 * - a create made on the camera is CreateCertificate2 + GetPkcs10Request2 + LoadCertificates;
 * - deletes are one request per resource (merging deletes of several resources into one call is not counted);
 * - all SPS changes of one `up` go into one transaction per appliance: open, the writes, one read and one
 *   write of management/certificates for both places, one commit.
 *
 * Wall time: each request takes one round trip plus its device work (key generation, commit). Two limits
 * bound a phase from below, and the larger one is the lower bound:
 * - the device: each device's requests form a small dependency graph (a create's CSR after its key, a
 *   binding after its certificate, a delete of the old certificate after nothing references it), scheduled
 *   on the device's concurrency (two requests at a time per camera; the appliance serves any number);
 * - the engine: it runs at most `parallel` resource operations at once (the CLI's `--parallel`), and an
 *   operation holds its slot for as long as the requests it waits on take. Every request is tagged with
 *   the resource operations that wait on it (a shared read with each of them, though only the first pays
 *   it; the 401 challenge, the SPS login, transaction and commit, which one operation per device pays,
 *   once), so the fleet's slot time is the sum over operations of each one's own shortest duration, and
 *   the phase takes at least that divided by `parallel`.
 * That is the bound in any order of operations ("any order"). The engine has its own order, first come
 * first served (bench/engineOrder.ts simulates it with an ideal provider); the lower bound is the larger of
 * the two. A phase of two engine operations (refresh then up) adds them. CPU time (signing, TLS, the
 * engine itself, the plugin's start) is not in it.
 */

import type { SimDevice } from "./engineOrder";
import { simulate } from "./engineOrder";

export const MODEL = {
  rttMs: 20,
  keyGenerationMs: 800,
  commitMs: 500,
  slotsPerCamera: 2,
};

export type PhaseName = "up" | "preview" | "refresh" | "drift" | "rotation" | "destroy";

interface Task {
  id: string;
  ms?: number;
  after?: string[];
  /** The resource operations that wait on this request; SETUP for what one operation per device pays once. */
  op?: string | string[];
}

/** The 401 challenge, the SPS login, transaction and commit: paid once per device by one of its operations. */
const SETUP = "setup";

/** Greedy list scheduling, longest remaining path first, on `slots` parallel slots: the makespan. */
export function makespan(tasks: Task[], slots: number): number {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const dur = (t: Task) => t.ms ?? MODEL.rttMs;
  const tail = new Map<string, number>();
  const children = (id: string) => tasks.filter((t) => t.after?.includes(id));
  const rest = (t: Task): number => {
    const known = tail.get(t.id);
    if (known !== undefined) return known;
    const v = dur(t) + Math.max(0, ...children(t.id).map(rest));
    tail.set(t.id, v);
    return v;
  };
  const done = new Map<string, number>();
  const free = new Array<number>(Math.min(slots, tasks.length)).fill(0);
  const pending = [...tasks];
  while (pending.length) {
    const ready = pending.filter((t) => (t.after ?? []).every((d) => done.has(d) || !byId.has(d)));
    ready.sort((a, b) => rest(b) - rest(a));
    const t = ready[0];
    const earliest = Math.max(0, ...(t.after ?? []).map((d) => done.get(d) ?? 0));
    let i = 0;
    for (let j = 1; j < free.length; j++)
      if (Math.max(free[j], earliest) < Math.max(free[i], earliest)) i = j;
    const start = Math.max(free[i], earliest);
    free[i] = start + dur(t);
    done.set(t.id, free[i]);
    pending.splice(pending.indexOf(t), 1);
  }
  return Math.max(0, ...done.values());
}

const K = () => MODEL.rttMs + MODEL.keyGenerationMs;
const COMMIT = () => MODEL.rttMs + MODEL.commitMs;

const CA = "AxisCaCertificate";
const HTTPS_CERT = "AxisCertificate (HTTPS)";
const DOT1X_CERT = "AxisCertificate (802.1X)";
const BINDING = "AxisHttpsBinding";
const DOT1X = "AxisDot1x";
const CSR = "SpsCsr";
const X509 = "SpsX509";
const PASSWORD = "SpsPassword";

/** A camera's site CA, both certificates made on it and signed, and HTTPS bound: up and rotation alike. */
function newCertificates(): Task[] {
  return [
    { id: "401", op: SETUP },
    { id: "LoadCACertificates", after: ["401"], op: CA },
    { id: "https CreateCertificate2", ms: K(), after: ["401"], op: HTTPS_CERT },
    { id: "https GetPkcs10Request2", after: ["https CreateCertificate2"], op: HTTPS_CERT },
    { id: "https LoadCertificates", after: ["https GetPkcs10Request2"], op: HTTPS_CERT },
    { id: "GetWebServerTlsConfiguration", after: ["401"], op: BINDING },
    {
      id: "SetWebServerTlsConfiguration",
      after: ["https LoadCertificates", "GetWebServerTlsConfiguration"],
      op: BINDING,
    },
    { id: "dot1x CreateCertificate2", ms: K(), after: ["401"], op: DOT1X_CERT },
    { id: "dot1x GetPkcs10Request2", after: ["dot1x CreateCertificate2"], op: DOT1X_CERT },
    { id: "dot1x LoadCertificates", after: ["dot1x GetPkcs10Request2"], op: DOT1X_CERT },
  ];
}

/** One camera's requests per operation. */
const camera: Record<string, Task[]> = {
  up: [
    ...newCertificates(),
    { id: "GetDot1XConfiguration", after: ["401"], op: DOT1X },
    {
      id: "SetDot1XConfiguration",
      after: ["dot1x LoadCertificates", "LoadCACertificates", "GetDot1XConfiguration"],
      op: DOT1X,
    },
  ],
  preview: [],
  refresh: [
    { id: "401", op: SETUP },
    { id: "GetCertificates", after: ["401"], op: [HTTPS_CERT, DOT1X_CERT] },
    { id: "GetCACertificates", after: ["401"], op: CA },
    { id: "GetWebServerTlsConfiguration", after: ["401"], op: BINDING },
    { id: "GetDot1XConfiguration", after: ["401"], op: DOT1X },
  ],
  /** The up that repairs a drifted binding (a camera without drift needs nothing). */
  repair: [
    { id: "401", op: SETUP },
    { id: "GetWebServerTlsConfiguration", after: ["401"], op: BINDING },
    { id: "SetWebServerTlsConfiguration", after: ["GetWebServerTlsConfiguration"], op: BINDING },
  ],
  rotation: [
    ...newCertificates(),
    { id: "SetDot1XConfiguration", after: ["dot1x LoadCertificates", "LoadCACertificates"], op: DOT1X },
    { id: "delete old https", after: ["SetWebServerTlsConfiguration"], op: `${HTTPS_CERT} (old)` },
    { id: "delete old dot1x", after: ["SetDot1XConfiguration"], op: `${DOT1X_CERT} (old)` },
    { id: "delete old CA", after: ["SetDot1XConfiguration"], op: `${CA} (old)` },
  ],
  destroy: [
    { id: "401", op: SETUP },
    { id: "GetWebServerTlsConfiguration", after: ["401"], op: BINDING },
    { id: "GetCertificates", after: ["401"], op: [BINDING, DOT1X] },
    { id: "GetCACertificates", after: ["401"], op: DOT1X },
    {
      id: "SetWebServerTlsConfiguration",
      after: ["GetWebServerTlsConfiguration", "GetCertificates"],
      op: BINDING,
    },
    { id: "SetDot1XConfiguration", after: ["GetCertificates", "GetCACertificates"], op: DOT1X },
    { id: "delete https", after: ["SetWebServerTlsConfiguration"], op: HTTPS_CERT },
    { id: "delete dot1x", after: ["SetDot1XConfiguration"], op: DOT1X_CERT },
    { id: "delete CA", after: ["SetDot1XConfiguration"], op: CA },
  ],
};

/** One appliance's requests per operation (it serves any number at once). */
const appliance: Record<string, Task[]> = {
  up: [
    { id: "login", op: SETUP },
    { id: "POST csr", after: ["login"], op: CSR },
    { id: "GET csr", after: ["POST csr"], op: CSR },
    { id: "open", after: ["login"], op: SETUP },
    { id: "PUT csr chain", after: ["open", "GET csr"], op: CSR },
    { id: "POST x509", after: ["open"], op: X509 },
    { id: "GET management/certificates", after: ["open"], op: X509 },
    {
      id: "PUT management/certificates",
      after: ["PUT csr chain", "POST x509", "GET management/certificates"],
      op: X509,
    },
    { id: "POST password", after: ["open"], op: PASSWORD },
    { id: "GET users", after: ["open"], op: PASSWORD },
    { id: "GET user admin", after: ["GET users"], op: PASSWORD },
    { id: "POST user", after: ["POST password", "GET user admin"], op: PASSWORD },
    { id: "commit", ms: COMMIT(), after: ["PUT management/certificates", "POST user"], op: SETUP },
  ],
  preview: [],
  refresh: [
    { id: "login", op: SETUP },
    { id: "GET csr", after: ["login"], op: CSR },
    { id: "GET x509", after: ["login"], op: X509 },
    { id: "GET management/certificates", after: ["login"], op: X509 },
    { id: "GET users", after: ["login"], op: PASSWORD },
    { id: "GET user admin", after: ["GET users"], op: PASSWORD },
    { id: "GET user site-operator", after: ["GET users"], op: PASSWORD },
  ],
  repair: [],
  rotation: [
    { id: "login", op: SETUP },
    { id: "open", after: ["login"], op: SETUP },
    { id: "PUT csr chain", after: ["open"], op: CSR },
    { id: "POST x509", after: ["open"], op: X509 },
    { id: "GET management/certificates", after: ["open"], op: X509 },
    {
      id: "PUT management/certificates",
      after: ["PUT csr chain", "POST x509", "GET management/certificates"],
      op: X509,
    },
    { id: "commit", ms: COMMIT(), after: ["PUT management/certificates"], op: SETUP },
  ],
  destroy: [
    { id: "login", op: SETUP },
    { id: "DELETE csr", after: ["login"], op: CSR },
    { id: "GET users", after: ["login"], op: PASSWORD },
    { id: "GET user admin", after: ["GET users"], op: PASSWORD },
    { id: "GET user site-operator", after: ["GET users"], op: PASSWORD },
    { id: "open", after: ["login"], op: SETUP },
    { id: "DELETE user", after: ["open", "GET user site-operator"], op: PASSWORD },
    { id: "commit", ms: COMMIT(), after: ["DELETE user"], op: SETUP },
  ],
};

const opsOf = (t: Task): string[] => (t.op === undefined ? [] : [t.op].flat());

/**
 * The engine slot time one device's operations need at the least: for each resource operation the
 * shortest schedule of the requests it waits on (on the device's concurrency), plus the device's SETUP
 * requests once, one after another (each depends on the last).
 */
export function slotMs(tasks: Task[], deviceSlots: number): number {
  const ops = new Set(tasks.flatMap(opsOf));
  let total = 0;
  for (const op of ops) {
    // A shared read is waited on by the first of its operations only: the provider keeps read answers
    // for the run, so the others may come after it and find the answer.
    const own = tasks.filter((t) => opsOf(t)[0] === op);
    total +=
      op === SETUP ? own.reduce((sum, t) => sum + (t.ms ?? MODEL.rttMs), 0) : makespan(own, deviceSlots);
  }
  return total;
}

/** The order the engine makes a device's operations ready in (its state and registration order). */
const ORDER: Record<"camera" | "appliance", string[]> = {
  camera: [
    CA,
    HTTPS_CERT,
    DOT1X_CERT,
    BINDING,
    DOT1X,
    `${HTTPS_CERT} (old)`,
    `${DOT1X_CERT} (old)`,
    `${CA} (old)`,
  ],
  appliance: [CSR, X509, PASSWORD],
};

function simDevice(name: string, kind: "camera" | "appliance", tasks: Task[]): SimDevice {
  const present = new Set(tasks.flatMap(opsOf));
  return {
    name,
    slots: kind === "camera" ? MODEL.slotsPerCamera : Infinity,
    tasks: tasks.map((t) => ({
      id: t.id,
      ms: t.ms ?? MODEL.rttMs,
      after: t.after ?? [],
      ops: opsOf(t).filter((o) => o !== SETUP),
    })),
    order: ORDER[kind].filter((o) => present.has(o)),
    last: ORDER.camera.filter((o) => o.endsWith("(old)")),
    independent: kind === "appliance",
  };
}

/** The phase part's wall time in the engine's order (bench/engineOrder.ts). */
function engineOrderMs(op: string, cameras: number, appliances: number, parallel: number): number {
  const devices = [
    ...Array.from({ length: cameras }, (_, i) => simDevice(`camera ${i}`, "camera", camera[op])),
    ...Array.from({ length: appliances }, (_, i) => simDevice(`appliance ${i}`, "appliance", appliance[op])),
  ].filter((d) => d.tasks.length);
  return devices.length ? simulate(devices, parallel) : 0;
}

export interface LowerBound {
  requests: number;
  cameraRequests: number;
  spsRequests: number;
  wallMs: number;
  /** Any order: the larger of the slowest device's own schedule and the engine's slot bound. */
  anyOrderMs: number;
  /** The slowest device's own schedule (dependencies and its concurrency). */
  deviceMs: number;
  /** The engine's bound: the fleet's least slot time divided by the parallelism. */
  engineMs: number;
  /** The CLI's `--parallel` the bound was computed for. */
  parallel: number;
  /** Per camera and per appliance, the requests counted, for the report. */
  perCamera: string[];
  perAppliance: string[];
}

function part(op: string, cameras: number, appliances: number, parallel: number): LowerBound {
  const c = camera[op];
  const a = appliance[op];
  const cameraWall = cameras && c.length ? makespan(c, MODEL.slotsPerCamera) : 0;
  const applianceWall = appliances && a.length ? makespan(a, Infinity) : 0;
  const deviceMs = Math.max(cameraWall, applianceWall);
  const engineMs = (cameras * slotMs(c, MODEL.slotsPerCamera) + appliances * slotMs(a, Infinity)) / parallel;
  return {
    cameraRequests: c.length * cameras,
    spsRequests: a.length * appliances,
    requests: c.length * cameras + a.length * appliances,
    // The engine's order is the bound; the any-order one is never above it, and taking the larger keeps
    // the simulation's rounding (which operation pays a shared request) from ever undercutting it.
    wallMs: Math.max(engineOrderMs(op, cameras, appliances, parallel), deviceMs, engineMs),
    anyOrderMs: Math.max(deviceMs, engineMs),
    deviceMs,
    engineMs,
    parallel,
    perCamera: c.map((t) => t.id),
    perAppliance: a.map((t) => t.id),
  };
}

function add(x: LowerBound, y: LowerBound): LowerBound {
  return {
    requests: x.requests + y.requests,
    cameraRequests: x.cameraRequests + y.cameraRequests,
    spsRequests: x.spsRequests + y.spsRequests,
    wallMs: x.wallMs + y.wallMs,
    anyOrderMs: x.anyOrderMs + y.anyOrderMs,
    deviceMs: x.deviceMs + y.deviceMs,
    engineMs: x.engineMs + y.engineMs,
    parallel: x.parallel,
    perCamera: [...x.perCamera, ...y.perCamera.map((s) => `(repair) ${s}`)],
    perAppliance: [...x.perAppliance, ...y.perAppliance],
  };
}

export function lowerBound(
  phase: PhaseName,
  cameras: number,
  appliances: number,
  drifted: number,
  parallel: number,
): LowerBound {
  if (phase === "drift")
    return add(part("refresh", cameras, appliances, parallel), part("repair", drifted, 0, parallel));
  return part(phase, cameras, appliances, parallel);
}
