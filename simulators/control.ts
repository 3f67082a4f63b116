import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AxisSimulator } from "./axis";
import type { SpsSimulator } from "./sps";

/** Control methods reachable over HTTP, per simulator kind: the ones that change or report state. */
const AXIS_METHODS = [
  "listCertificates",
  "listCaCertificates",
  "deleteCertificate",
  "replaceCertificate",
  "rebindHttps",
  "setDot1x",
  "getDot1x",
  "getWebServerTls",
  "setWebServerTls",
  "injectFault",
  "clearFaults",
  "counters",
  "resetCounters",
] as const;
const SPS_METHODS = [
  "moveReference",
  "replaceWebCertificate",
  "deleteCsr",
  "expireSessions",
  "holdLock",
  "releaseLock",
  "getCommitted",
  "injectFault",
  "clearFaults",
  "counters",
  "resetCounters",
  "signCsr",
] as const;

/**
 * A JSON control listener on loopback for the CLI, so people testing their stacks offline can make drift
 * from a shell: `POST /axis/0/deleteCertificate` with body `["my-cert-id"]` calls that control method with
 * those arguments and answers its result as JSON. It is not part of any device's API.
 */
export async function startControlServer(
  cameras: AxisSimulator[],
  appliances: SpsSimulator[],
  port = 0,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const reply = (status: number, value: unknown) => {
      const text = JSON.stringify(value ?? null, (_k, v) => (Buffer.isBuffer(v) ? v.toString("base64") : v));
      res.writeHead(status, { "content-type": "application/json" }).end(text);
    };
    const m = /^\/(axis|sps)\/(\d+)\/([A-Za-z]+)$/.exec(req.url ?? "");
    if (!m || req.method !== "POST")
      return reply(404, {
        error: "POST /axis/<n>/<method> or /sps/<n>/<method> with a JSON array of arguments",
      });
    const [, kind, index, method] = m;
    const target = (kind === "axis" ? cameras : appliances)[Number(index)];
    const allowed: readonly string[] = kind === "axis" ? AXIS_METHODS : SPS_METHODS;
    if (!target || !allowed.includes(method))
      return reply(404, { error: `no ${kind} ${index} or no control method ${method}`, methods: allowed });
    let body = "";
    for await (const chunk of req) body += chunk;
    try {
      const args = body.trim() ? (JSON.parse(body) as unknown[]) : [];
      const fn = (target as unknown as Record<string, (...a: unknown[]) => unknown>)[method];
      reply(200, await fn.apply(target, Array.isArray(args) ? args : [args]));
    } catch (err) {
      reply(400, { error: (err as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
