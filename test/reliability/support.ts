import { connect } from "node:tls";
import { Agent, request } from "undici";
import type { AxisSimulator } from "../../simulators/axis";
import type { SpsSimulator } from "../../simulators/sps";

/** A TLS handshake to a listener: whether it verifies against `ca`, and the SHA-256 of what it presented. */
export function probeTls(
  url: string,
  ca: string,
): Promise<{ ok: boolean; fingerprint: string; error?: string }> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(
      {
        host: u.hostname,
        port: Number(u.port),
        ca,
        servername: u.hostname === "127.0.0.1" ? undefined : u.hostname,
      },
      () => {
        const fingerprint = socket.getPeerCertificate().fingerprint256?.replace(/:/g, "").toLowerCase() ?? "";
        socket.end();
        resolve({
          ok: socket.authorized,
          fingerprint,
          error: socket.authorized ? undefined : String(socket.authorizationError),
        });
      },
    );
    socket.on("error", (err) => resolve({ ok: false, fingerprint: "", error: err.message }));
    socket.setTimeout(3000, () => {
      socket.destroy();
      resolve({ ok: false, fingerprint: "", error: "timeout" });
    });
  });
}

/** Why the camera is not in a sound state, or undefined: nothing unknown on it, HTTPS serving its binding. */
export async function axisProblem(
  camera: AxisSimulator,
  allowed: Set<string>,
  ca: string,
): Promise<string | undefined> {
  const stray = [...camera.listCertificates(), ...camera.listCaCertificates()]
    .map((c) => c.id)
    .filter((id) => !allowed.has(id));
  if (stray.length) return `objects nobody tracks are on the camera: ${stray.join(", ")}`;
  const bound = camera.getWebServerTls().certificateId;
  const boundCert = camera.listCertificates().find((c) => c.id === bound);
  if (!boundCert) return `HTTPS is bound to "${bound}", which is not on the camera`;
  const probe = await probeTls(camera.httpsUrl, ca);
  if (!probe.ok) return `HTTPS handshake failed: ${probe.error}`;
  if (probe.fingerprint !== boundCert.fingerprintSha256)
    return "HTTPS serves another certificate than the one bound";
  return undefined;
}

/**
 * Why the appliance is not in a sound state, or undefined: a fresh session can open (and drop) a transaction,
 * so nobody left one open; the web certificate verifies; no CSR nobody tracks.
 */
export async function spsProblem(
  sps: SpsSimulator,
  trackedCsrs: Set<string>,
  initialCsrs: Set<string>,
  ca: string,
): Promise<string | undefined> {
  const auth = `Basic ${Buffer.from(`${sps.username}:${sps.password}`).toString("base64")}`;
  const agent = new Agent({ connect: { ca } });
  try {
    const login = await request(`${sps.url}/api/authentication`, {
      headers: { authorization: auth },
      dispatcher: agent,
    });
    await login.body.text();
    const cookie = [login.headers["set-cookie"] ?? []]
      .flat()
      .join(";")
      .match(/session_id=([^;]+)/)?.[1];
    if (!cookie) return "could not log in to check the lock";
    const open = await request(`${sps.url}/api/transaction`, {
      method: "POST",
      headers: { cookie: `session_id=${cookie}`, "content-length": "0" },
      body: "",
      dispatcher: agent,
    });
    const text = await open.body.text();
    if (open.statusCode !== 200)
      return `a transaction is still open elsewhere: POST /api/transaction answered ${open.statusCode} ${text.slice(0, 120)}`;
    const drop = await request(`${sps.url}/api/transaction`, {
      method: "DELETE",
      headers: { cookie: `session_id=${cookie}` },
      dispatcher: agent,
    });
    await drop.body.text();
  } finally {
    await agent.close();
  }
  const probe = await probeTls(sps.url, ca);
  if (!probe.ok) return `the web certificate does not verify: ${probe.error}`;
  const stray = sps
    .getCommitted()
    .csrs.map((c) => c.key)
    .filter((k) => !trackedCsrs.has(k) && !initialCsrs.has(k));
  if (stray.length) return `CSRs nobody tracks: ${stray.join(", ")}`;
  return undefined;
}
