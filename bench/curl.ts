/**
 * The curl baseline: a refresh done the way site scripts do it today, one `curl --digest` process per SOAP
 * call (every call pays a process, a TCP connection, a TLS handshake and a 401 challenge), against the same
 * simulated cameras, with the same per-camera concurrency the provider gets (two at a time per camera: more
 * would only queue on the device) and at most `maxProcesses` curl processes at once on this machine.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as ops from "../provider/axis/operations";
import { buildEnvelope } from "../provider/axis/soap";

export const CURL = "/usr/bin/curl";

/** The SOAP reads a refresh script needs per camera: certificates, CA certificates, HTTPS binding, 802.1X. */
export const REFRESH_CALLS: Array<{ name: string; body: string }> = [
  { name: "GetCertificates", body: buildEnvelope(ops.GetCertificates.build(undefined)) },
  { name: "GetCACertificates", body: buildEnvelope(ops.GetCACertificates.build(undefined)) },
  {
    name: "GetWebServerTlsConfiguration",
    body: buildEnvelope(ops.GetWebServerTlsConfiguration.build(undefined)),
  },
  { name: "GetDot1XConfiguration", body: buildEnvelope(ops.GetDot1XConfiguration.build("EAPTLS_WIRED")) },
];

/** The curl version line, or undefined when there is no usable curl. */
export function curlVersion(): string | undefined {
  const r = spawnSync(CURL, ["--version"], { encoding: "utf8" });
  if (r.status !== 0) return undefined;
  return r.stdout.split("\n")[0];
}

export interface CurlTarget {
  url: string;
  username: string;
  password: string;
  /** PEM bundle the camera's HTTPS certificate verifies against. */
  trust: string;
}

export interface CurlResult {
  calls: number;
  failed: number;
  failures: string[];
  wallMs: number;
  processes: number;
}

export async function curlRefresh(
  targets: CurlTarget[],
  workDir: string,
  maxProcesses: number,
  perCamera = 2,
): Promise<CurlResult> {
  mkdirSync(workDir, { recursive: true });
  const bodies = REFRESH_CALLS.map((c) => {
    const path = join(workDir, `${c.name}.xml`);
    writeFileSync(path, c.body);
    return { ...c, path };
  });
  const jobs: Array<{ camera: number; call: (typeof bodies)[number] }> = [];
  const trustFiles = targets.map((t, i) => {
    const path = join(workDir, `trust-${i}.pem`);
    writeFileSync(path, t.trust);
    return path;
  });
  // Interleaved by call, as `for call in …; do for cam in …` with xargs -P would hand them out.
  for (const call of bodies) for (let i = 0; i < targets.length; i++) jobs.push({ camera: i, call });
  const result: CurlResult = { calls: 0, failed: 0, failures: [], wallMs: 0, processes: 0 };
  const perCameraActive = new Array<number>(targets.length).fill(0);
  let active = 0;
  const started = Date.now();
  await new Promise<void>((resolve) => {
    const pump = () => {
      if (!jobs.length && active === 0) return resolve();
      for (let j = 0; j < jobs.length && active < maxProcesses;) {
        const job = jobs[j];
        if (perCameraActive[job.camera] >= perCamera) {
          j++;
          continue;
        }
        jobs.splice(j, 1);
        active++;
        perCameraActive[job.camera]++;
        run(job).finally(() => {
          active--;
          perCameraActive[job.camera]--;
          pump();
        });
      }
    };
    pump();
  });
  result.wallMs = Date.now() - started;
  return result;

  function run(job: { camera: number; call: (typeof bodies)[number] }): Promise<void> {
    const t = targets[job.camera];
    result.processes++;
    return new Promise((resolve) => {
      const child = spawn(
        CURL,
        [
          "--silent",
          "--show-error",
          "--digest",
          "-u",
          `${t.username}:${t.password}`,
          "--cacert",
          trustFiles[job.camera],
          "-H",
          "Content-Type: application/soap+xml; charset=utf-8",
          "--data-binary",
          `@${job.call.path}`,
          "--write-out",
          "\n%{http_code}",
          `${t.url}/vapix/services`,
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      let err = "";
      child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
      child.stderr.on("data", (c: Buffer) => (err += c.toString("utf8")));
      child.on("close", (code) => {
        result.calls++;
        const status = out.slice(out.lastIndexOf("\n") + 1);
        if (code !== 0 || status !== "200" || !out.includes(`${job.call.name}Response`)) {
          result.failed++;
          if (result.failures.length < 10)
            result.failures.push(`${t.url} ${job.call.name}: exit ${code}, HTTP ${status} ${err.trim()}`);
        }
        resolve();
      });
    });
  }
}
