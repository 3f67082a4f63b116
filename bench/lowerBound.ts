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
 * Wall time: each device's requests form a small dependency graph (a create's CSR after its key, a binding
 * after its certificate, a delete of the old certificate after nothing references it). It is scheduled on
 * the device's concurrency (two requests at a time per camera; the appliance serves any number), each
 * request taking one round trip plus its device work (key generation, commit). The engine runs every
 * resource at once (unbounded parallelism), so the phase takes as long as its slowest device; a phase of
 * two operations (refresh then up) adds them. CPU time (signing, TLS, the engine itself) is not in it.
 */

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
}

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

/** A camera's site CA, both certificates made on it and signed, and HTTPS bound: up and rotation alike. */
function newCertificates(): Task[] {
  return [
    { id: "401" },
    { id: "LoadCACertificates", after: ["401"] },
    { id: "https CreateCertificate2", ms: K(), after: ["401"] },
    { id: "https GetPkcs10Request2", after: ["https CreateCertificate2"] },
    { id: "https LoadCertificates", after: ["https GetPkcs10Request2"] },
    { id: "GetWebServerTlsConfiguration", after: ["401"] },
    { id: "SetWebServerTlsConfiguration", after: ["https LoadCertificates", "GetWebServerTlsConfiguration"] },
    { id: "dot1x CreateCertificate2", ms: K(), after: ["401"] },
    { id: "dot1x GetPkcs10Request2", after: ["dot1x CreateCertificate2"] },
    { id: "dot1x LoadCertificates", after: ["dot1x GetPkcs10Request2"] },
  ];
}

/** One camera's requests per operation. */
const camera: Record<string, Task[]> = {
  up: [
    ...newCertificates(),
    { id: "GetDot1XConfiguration", after: ["401"] },
    {
      id: "SetDot1XConfiguration",
      after: ["dot1x LoadCertificates", "LoadCACertificates", "GetDot1XConfiguration"],
    },
  ],
  preview: [],
  refresh: [
    { id: "401" },
    { id: "GetCertificates", after: ["401"] },
    { id: "GetCACertificates", after: ["401"] },
    { id: "GetWebServerTlsConfiguration", after: ["401"] },
    { id: "GetDot1XConfiguration", after: ["401"] },
  ],
  /** The up that repairs a drifted binding (a camera without drift needs nothing). */
  repair: [
    { id: "401" },
    { id: "GetWebServerTlsConfiguration", after: ["401"] },
    { id: "SetWebServerTlsConfiguration", after: ["GetWebServerTlsConfiguration"] },
  ],
  rotation: [
    ...newCertificates(),
    { id: "SetDot1XConfiguration", after: ["dot1x LoadCertificates", "LoadCACertificates"] },
    { id: "delete old https", after: ["SetWebServerTlsConfiguration"] },
    { id: "delete old dot1x", after: ["SetDot1XConfiguration"] },
    { id: "delete old CA", after: ["SetDot1XConfiguration"] },
  ],
  destroy: [
    { id: "401" },
    { id: "GetWebServerTlsConfiguration", after: ["401"] },
    { id: "GetCertificates", after: ["401"] },
    { id: "GetCACertificates", after: ["401"] },
    {
      id: "SetWebServerTlsConfiguration",
      after: ["GetWebServerTlsConfiguration", "GetCertificates"],
    },
    { id: "SetDot1XConfiguration", after: ["GetCertificates", "GetCACertificates"] },
    { id: "delete https", after: ["SetWebServerTlsConfiguration"] },
    { id: "delete dot1x", after: ["SetDot1XConfiguration"] },
    { id: "delete CA", after: ["SetDot1XConfiguration"] },
  ],
};

/** One appliance's requests per operation (it serves any number at once). */
const appliance: Record<string, Task[]> = {
  up: [
    { id: "login" },
    { id: "POST csr", after: ["login"] },
    { id: "GET csr", after: ["POST csr"] },
    { id: "open", after: ["login"] },
    { id: "PUT csr chain", after: ["open", "GET csr"] },
    { id: "POST x509", after: ["open"] },
    { id: "GET management/certificates", after: ["open"] },
    {
      id: "PUT management/certificates",
      after: ["PUT csr chain", "POST x509", "GET management/certificates"],
    },
    { id: "POST password", after: ["open"] },
    { id: "GET users", after: ["open"] },
    { id: "GET user admin", after: ["GET users"] },
    { id: "POST user", after: ["POST password", "GET user admin"] },
    { id: "commit", ms: COMMIT(), after: ["PUT management/certificates", "POST user"] },
  ],
  preview: [],
  refresh: [
    { id: "login" },
    { id: "GET csr", after: ["login"] },
    { id: "GET x509", after: ["login"] },
    { id: "GET management/certificates", after: ["login"] },
    { id: "GET users", after: ["login"] },
    { id: "GET user admin", after: ["GET users"] },
    { id: "GET user site-operator", after: ["GET users"] },
  ],
  repair: [],
  rotation: [
    { id: "login" },
    { id: "open", after: ["login"] },
    { id: "PUT csr chain", after: ["open"] },
    { id: "POST x509", after: ["open"] },
    { id: "GET management/certificates", after: ["open"] },
    {
      id: "PUT management/certificates",
      after: ["PUT csr chain", "POST x509", "GET management/certificates"],
    },
    { id: "commit", ms: COMMIT(), after: ["PUT management/certificates"] },
  ],
  destroy: [
    { id: "login" },
    { id: "DELETE csr", after: ["login"] },
    { id: "GET users", after: ["login"] },
    { id: "GET user admin", after: ["GET users"] },
    { id: "GET user site-operator", after: ["GET users"] },
    { id: "open", after: ["login"] },
    { id: "DELETE user", after: ["open", "GET user site-operator"] },
    { id: "commit", ms: COMMIT(), after: ["DELETE user"] },
  ],
};

export interface LowerBound {
  requests: number;
  cameraRequests: number;
  spsRequests: number;
  wallMs: number;
  /** Per camera and per appliance, the requests counted, for the report. */
  perCamera: string[];
  perAppliance: string[];
}

function part(op: string, cameras: number, appliances: number): LowerBound {
  const c = camera[op];
  const a = appliance[op];
  const cameraWall = cameras && c.length ? makespan(c, MODEL.slotsPerCamera) : 0;
  const applianceWall = appliances && a.length ? makespan(a, Infinity) : 0;
  return {
    cameraRequests: c.length * cameras,
    spsRequests: a.length * appliances,
    requests: c.length * cameras + a.length * appliances,
    wallMs: Math.max(cameraWall, applianceWall),
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
    perCamera: [...x.perCamera, ...y.perCamera.map((s) => `(repair) ${s}`)],
    perAppliance: [...x.perAppliance, ...y.perAppliance],
  };
}

export function lowerBound(
  phase: PhaseName,
  cameras: number,
  appliances: number,
  drifted: number,
): LowerBound {
  if (phase === "drift") return add(part("refresh", cameras, appliances), part("repair", drifted, 0));
  return part(phase, cameras, appliances);
}
