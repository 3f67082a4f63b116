/**
 * `npm run bench [-- --cameras N] [-- --parallel P] [-- --prober-interval MS] [-- --curl-processes N]
 * [-- --up-only | --until refresh]`: the fleet benchmark.
 *
 * For each fleet size (50, 200 and 1,000 cameras by default, or the one given) it starts the simulated fleet
 * (N cameras and two SPS appliances, in a worker thread), drives bench/programs/fleet.ts through the engine
 * harness at the CLI's defaults (`--parallel` of four per CPU or PULUMI_PARALLEL, a fresh plugin process per
 * operation), and
 * measures every phase: up, no-op preview, refresh, drift (refresh + up with 10% of the cameras drifted),
 * rotation (with the TLS prober running), destroy. The lower bound (bench/lowerBound.ts) and the curl
 * baseline (bench/curl.ts) are measured in the same run on the same simulators. bench/report.ts writes
 * bench/results/<size>.json, docs/benchmarks.md and docs/benchmarks.svg.
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { DeviceHttp } from "../provider/transport/http";
import type { ConfigValue, OperationResult } from "../test/engine/engine";
import { Engine, cliDefaultParallel } from "../test/engine/engine";
import { repoRoot } from "../test/support/paths";
import type { Issued } from "../test/support/pki";
import { makeCa, makeLeaf } from "../test/support/pki";
import { ownThreadCpuMs, processCpuMs } from "./cpu";
import { curlRefresh, curlVersion } from "./curl";
import { Fleet } from "./fleet";
import type { FleetCounters, FleetSpec, FleetStarted } from "./fleetTypes";
import type { PhaseName } from "./lowerBound";
import { MODEL, lowerBound } from "./lowerBound";
import type { ProbeTarget } from "./prober";
import { startProber } from "./prober";
import type { CpuUse, FleetResult, Measured, PhaseResult, PipelineFloor } from "./report";
import { writeReports } from "./report";

const SIZES = [50, 200, 1000];
const APPLIANCES = 2;
const DRIFT_SHARE = 0.1;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

function log(line: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
}

interface Watched<T> {
  value: T;
  peakRssMb: number;
  /** The plugin processes' CPU time at their last sample (each process's figures only grow). */
  pluginMs: number;
  pluginMainThreadMs: number;
}

/** Peak RSS (VmHWM) and CPU time of the plugin process while `fn` runs, polled from /proc. */
async function watchPlugin<T>(engine: Engine, fn: () => Promise<T>): Promise<Watched<T>> {
  let peak = 0;
  const cpuByPid = new Map<number, { totalMs: number; mainThreadMs: number }>();
  const sample = () => {
    const pid = engine.pluginPid();
    if (!pid) return;
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {
      return; // exited between the pid and the read
    }
    const cpu = processCpuMs(pid);
    if (cpu.totalMs) cpuByPid.set(pid, cpu);
  };
  const timer = setInterval(sample, 25);
  try {
    const value = await fn();
    const all = [...cpuByPid.values()];
    return {
      value,
      peakRssMb: peak,
      pluginMs: sum(all.map((c) => c.totalMs)),
      pluginMainThreadMs: sum(all.map((c) => c.mainThreadMs)),
    };
  } finally {
    clearInterval(timer);
  }
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function addTo(target: Record<string, number>, src: Record<string, number>, prefix = ""): void {
  for (const [k, v] of Object.entries(src)) target[prefix + k] = (target[prefix + k] ?? 0) + v;
}

function measure(c: FleetCounters): Measured {
  const byOperation: Record<string, number> = {};
  for (const cam of c.cameras) addTo(byOperation, cam.requestsByOperation, "axis ");
  for (const a of c.appliances) addTo(byOperation, a.requestsByRoute, "sps ");
  const cameraRequests = sum(c.cameras.map((x) => x.requests));
  const spsRequests = sum(c.appliances.map((x) => x.requests));
  return {
    requests: cameraRequests + spsRequests,
    cameraRequests,
    spsRequests,
    byOperation,
    unauthorized: sum(c.cameras.map((x) => x.unauthorized)),
    connections: sum(c.cameras.map((x) => x.connections)) + sum(c.appliances.map((x) => x.connections)),
    tlsHandshakes: sum(c.cameras.map((x) => x.tlsHandshakes)) + sum(c.appliances.map((x) => x.tlsHandshakes)),
    tlsResumed: sum(c.cameras.map((x) => x.tlsResumed)),
    spsLogins: sum(c.appliances.map((x) => x.logins)),
    spsTransactions: sum(c.appliances.map((x) => x.transactionsOpened)),
    spsCommits: sum(c.appliances.map((x) => x.commits)),
    deviceSpanMs: c.firstRequestAt ? c.lastResponseAt - c.firstRequestAt : 0,
  };
}

/** Several operations' figures as one phase's: counts and devices-busy spans add up. */
function sumMeasured(all: Measured[]): Measured {
  const byOperation: Record<string, number> = {};
  for (const m of all) addTo(byOperation, m.byOperation);
  const total = (key: Exclude<keyof Measured, "byOperation" | "cpu" | "tlsResumed">) =>
    sum(all.map((m) => m[key]));
  return {
    requests: total("requests"),
    cameraRequests: total("cameraRequests"),
    spsRequests: total("spsRequests"),
    byOperation,
    unauthorized: total("unauthorized"),
    connections: total("connections"),
    tlsHandshakes: total("tlsHandshakes"),
    tlsResumed: sum(all.map((m) => m.tlsResumed ?? 0)),
    spsLogins: total("spsLogins"),
    spsTransactions: total("spsTransactions"),
    spsCommits: total("spsCommits"),
    deviceSpanMs: total("deviceSpanMs"),
    cpu: sumCpu(all.map((m) => m.cpu)),
  };
}

/** The phase's CPU, s, for the log line. */
function cpuLine(cpu: CpuUse | undefined): string {
  if (!cpu) return "";
  const s = (ms: number) => (ms / 1000).toFixed(1);
  return `, CPU s: plugin ${s(cpu.pluginMs)} (JS thread ${s(cpu.pluginMainThreadMs)}), harness ${s(cpu.harnessMs)}, simulators ${s(cpu.simulatorsMs)}, bench other ${s(cpu.benchOtherMs)}`;
}

function sumCpu(all: Array<CpuUse | undefined>): CpuUse | undefined {
  const known = all.filter((c): c is CpuUse => c !== undefined);
  if (!known.length) return undefined;
  const total = (key: keyof CpuUse) => sum(known.map((c) => c[key]));
  return {
    wallMs: total("wallMs"),
    pluginMs: total("pluginMs"),
    pluginMainThreadMs: total("pluginMainThreadMs"),
    harnessMs: total("harnessMs"),
    simulatorsMs: total("simulatorsMs"),
    benchOtherMs: total("benchOtherMs"),
  };
}

interface Site {
  started: FleetStarted;
  cameraPassword: string;
  cas: [Issued, Issued];
  tsa: Array<Record<string, { certificate: string; privateKey: string }>>;
}

function config(site: Site, generation: 0 | 1): Record<string, ConfigValue> {
  const secret = (value: string) => ({ value, secret: true });
  const ca = site.cas[generation];
  const trustedCas = site.cas[0].certPem.trim() + "\n" + site.cas[1].certPem.trim() + "\n";
  const trust = (own: string) => ({ caCertificate: `${own.trim()}\n${trustedCas}` });
  const devices = {
    ...Object.fromEntries(
      site.started.cameras.map((c) => [
        c.name,
        {
          url: c.httpsUrl,
          username: c.username,
          password: site.cameraPassword,
          tls: trust(c.caCertificatePem),
        },
      ]),
    ),
    ...Object.fromEntries(
      site.started.appliances.map((a, i) => [
        `sps${i + 1}`,
        { url: a.url, username: a.username, password: a.password, tls: trust(a.caCertificatePem) },
      ]),
    ),
  };
  return {
    "pulumi-axis-sps:devices": secret(JSON.stringify(devices)),
    cameras: JSON.stringify(site.started.cameras.map((c) => ({ name: c.name }))),
    appliances: JSON.stringify(site.started.appliances.map((a, i) => ({ name: `sps${i + 1}`, url: a.url }))),
    siteCaCertificate: ca.certPem,
    siteCaPrivateKey: secret(ca.keyPem),
    trustedCas,
    generation: `g${generation + 1}`,
    spsTsa: secret(JSON.stringify(site.tsa[generation])),
    operatorPassword: secret("bench-operator-password"),
  };
}

/** From the first resource operation's start to the last one's end, in one engine operation. */
function stepsSpan(result: OperationResult): number {
  const timed = result.resources.filter((r) => r.startedAt !== undefined && r.endedAt !== undefined);
  if (!timed.length) return 0;
  return Math.max(...timed.map((r) => r.endedAt!)) - Math.min(...timed.map((r) => r.startedAt!));
}

/** What a floor resource takes in the state file besides its padding (URN, `__provider` twice, indentation), about. */
const FLOOR_STATE_OVERHEAD_BYTES = 1000;

/**
 * The pipeline floor: as many resources as the fleet's, with state of the same mean size, refreshed through
 * the same harness, plugin and parallelism by a provider that sends nothing (bench/floorProvider.ts).
 */
async function pipelineFloor(
  resources: number,
  parallel: number,
  stateBytesMean: number,
  workDir: string,
): Promise<PipelineFloor> {
  const dir = join(workDir, "floor");
  rmSync(dir, { recursive: true, force: true });
  const statePath = join(dir, "state.json");
  // Inputs and outputs each carry the padding.
  const paddingBytes = Math.max(0, Math.round((stateBytesMean - FLOOR_STATE_OVERHEAD_BYTES) / 2));
  const engine = await Engine.open({
    program: join(repoRoot, "dist", "bench", "programs", "floor.js"),
    project: "floor",
    stack: `floor-${resources}`,
    statePath,
    passphrase: "bench passphrase",
    pluginCwd: repoRoot,
    config: { resources: String(resources), paddingBytes: String(paddingBytes) },
    kdfIterations: 10_000,
    parallel,
  });
  try {
    await engine.up();
    const t0 = Date.now();
    const { value, pluginMs, pluginMainThreadMs } = await watchPlugin(engine, () => engine.refresh());
    const wallMs = Date.now() - t0;
    if (value.failed) throw new Error(`the pipeline floor's refresh failed: ${value.failed} operations`);
    const state = engine.readState();
    const count = state?.checkpoint.latest.resources.filter((r) => r.custom).length ?? 0;
    return {
      resources: count,
      stateBytesMean: count ? Math.round(statSync(statePath).size / count) : 0,
      stepsSpanMs: stepsSpan(value),
      wallMs,
      pluginMs,
      pluginMainThreadMs,
    };
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runFleet(
  cameras: number,
  opts: { parallel: number; proberIntervalMs: number; curlProcesses: number; until?: "up" | "refresh" },
): Promise<FleetResult> {
  const spec: FleetSpec = {
    cameras,
    appliances: APPLIANCES,
    cameraPassword: randomBytes(12).toString("base64url"),
    latencyMs: MODEL.rttMs,
    keyGenerationMs: MODEL.keyGenerationMs,
    commitMs: MODEL.commitMs,
    maxConcurrentRequests: MODEL.slotsPerCamera,
  };
  log(`${cameras} cameras, --parallel ${opts.parallel}: starting the fleet`);
  const { fleet, started } = await Fleet.start(spec);
  log(`  fleet up in ${(started.startMs / 1000).toFixed(1)} s`);
  const cas: [Issued, Issued] = [await makeCa("Bench site CA 1"), await makeCa("Bench site CA 2")];
  const tsa = await Promise.all(
    cas.map(async (ca) =>
      Object.fromEntries(
        await Promise.all(
          started.appliances.map(async (_a, i) => {
            const leaf = await makeLeaf(ca, `sps${i + 1}-tsa`, { rsa: true });
            return [`sps${i + 1}`, { certificate: leaf.certPem, privateKey: leaf.keyPem }] as const;
          }),
        ),
      ),
    ),
  );
  const site: Site = { started, cameraPassword: spec.cameraPassword, cas, tsa };
  const workDir = join(repoRoot, "bench", ".work", String(cameras));
  rmSync(workDir, { recursive: true, force: true });
  const statePath = join(workDir, "state.json");
  const open = (generation: 0 | 1) =>
    Engine.open({
      program: join(repoRoot, "dist", "bench", "programs", "fleet.js"),
      project: "fleet",
      stack: `bench-${cameras}`,
      statePath,
      passphrase: "bench passphrase",
      pluginCwd: repoRoot,
      config: config(site, generation),
      kdfIterations: 10_000,
      parallel: opts.parallel,
    });
  let engine = await open(0);
  const phases: PhaseResult[] = [];
  const totalResources = cameras * 5 + APPLIANCES * 3;

  const phase = async (
    name: PhaseName,
    ops: Array<() => Promise<OperationResult>>,
    extra: Partial<PhaseResult> = {},
  ): Promise<PhaseResult> => {
    log(`  ${name}…`);
    let wallMs = 0;
    let peakRssMb = 0;
    const steps: Record<string, number> = {};
    let failed = 0;
    const errors: string[] = [];
    const perOperation: Measured[] = [];
    let stepsSpanMs = 0;
    for (const op of ops) {
      // Each operation's devices-busy span is its own: the time between two operations (a plugin exits,
      // the next starts) is not device time.
      await fleet.reset();
      const t0 = Date.now();
      const harness0 = ownThreadCpuMs();
      const bench0 = process.cpuUsage();
      let plugin = { pluginMs: 0, pluginMainThreadMs: 0 };
      try {
        const { value, peakRssMb: rss, ...pluginCpu } = await watchPlugin(engine, op);
        plugin = pluginCpu;
        // Each resource operation's start and end, for looking into a phase (bench/.work is not committed).
        writeFileSync(
          join(workDir, `${name}-${perOperation.length}.steps.json`),
          JSON.stringify(value.resources.map((c) => [c.name, c.op, c.startedAt, c.endedAt])),
        );
        peakRssMb = Math.max(peakRssMb, rss);
        stepsSpanMs += stepsSpan(value);
        for (const [k, v] of Object.entries(value.counts)) steps[k] = (steps[k] ?? 0) + (v ?? 0);
        failed += value.failed;
      } catch (err) {
        failed++;
        errors.push((err as Error).message.slice(0, 2000));
      }
      const opWallMs = Date.now() - t0;
      wallMs += opWallMs;
      const harnessMs = ownThreadCpuMs() - harness0;
      const benchCpu = process.cpuUsage(bench0);
      const counters = await fleet.counters();
      perOperation.push({
        ...measure(counters),
        cpu: {
          wallMs: opWallMs,
          ...plugin,
          harnessMs,
          simulatorsMs: counters.cpuMs,
          benchOtherMs: Math.max(0, (benchCpu.user + benchCpu.system) / 1000 - harnessMs - counters.cpuMs),
        },
      });
    }
    const measured = sumMeasured(perOperation);
    const state = engine.readState();
    const resources = state?.checkpoint.latest.resources.filter((r) => r.custom) ?? [];
    const providerSizes = Object.values(engine.providerSizes());
    const stateBytes = state ? statSync(statePath).size : 0;
    const result: PhaseResult = {
      name,
      wallMs,
      stepsSpanMs,
      peakRssMb: Math.round(peakRssMb),
      steps,
      failed,
      errors,
      measured,
      stateBytes,
      stateBytesPerResource: resources.length
        ? Math.round(Math.max(...resources.map((r) => Buffer.byteLength(JSON.stringify(r)))))
        : 0,
      stateBytesPerResourceMean: resources.length ? Math.round(stateBytes / resources.length) : 0,
      providerBytes: providerSizes.length ? Math.max(...providerSizes) : 0,
      lowerBound: lowerBound(name, cameras, APPLIANCES, Math.round(cameras * DRIFT_SHARE), opts.parallel),
      ...extra,
    };
    log(
      `    ${(wallMs / 1000).toFixed(1)} s wall, devices busy ${(measured.deviceSpanMs / 1000).toFixed(2)} s (lower bound ${(result.lowerBound.wallMs / 1000).toFixed(2)} s), ${measured.requests} requests (lower bound ${result.lowerBound.requests}), ${measured.unauthorized} × 401, ${measured.tlsHandshakes} TLS (${measured.tlsResumed ?? 0} resumed), commits ${measured.spsCommits}, RSS ${result.peakRssMb} MB${cpuLine(measured.cpu)}${failed ? `, ${failed} FAILED: ${errors.join(" | ").slice(0, 1500)}` : ""}`,
    );
    phases.push(result);
    return result;
  };

  const fleetResult = (): FleetResult => ({
    cameras,
    appliances: APPLIANCES,
    resources: totalResources,
    parallel: opts.parallel,
    fleetStartMs: started.startMs,
    model: MODEL,
    phases,
  });

  try {
    await phase("up", [() => engine.up()]);
    if (opts.until === "up") return fleetResult();
    await phase("preview", [() => engine.preview()]);
    const refresh = await phase("refresh", [() => engine.refresh()]);
    if (opts.until === "refresh") return fleetResult();

    // The curl baseline, on the same cameras, right after our refresh.
    const version = curlVersion();
    if (!version) {
      log("  curl baseline: /usr/bin/curl is NOT available; the baseline is skipped");
      refresh.curl = { available: false };
    } else {
      await fleet.reset();
      log(`  curl baseline (${version})…`);
      const c = await curlRefresh(
        started.cameras.map((cam) => ({
          url: cam.httpsUrl,
          username: cam.username,
          password: spec.cameraPassword,
          trust: cam.caCertificatePem.trim() + "\n" + config(site, 0).trustedCas,
        })),
        join(workDir, "curl"),
        opts.curlProcesses,
      );
      const m = measure(await fleet.counters());
      refresh.curl = {
        available: true,
        version,
        calls: c.calls,
        failed: c.failed,
        failures: c.failures,
        wallMs: c.wallMs,
        maxProcesses: opts.curlProcesses,
        measured: m,
      };
      log(
        `    curl: ${c.calls} calls (${c.failed} failed), ${(c.wallMs / 1000).toFixed(2)} s, ${m.requests} requests, ${m.unauthorized} × 401, ${m.tlsHandshakes} TLS${c.failures.length ? ` — ${c.failures[0]}` : ""}`,
      );
    }

    refresh.floor = await pipelineFloor(
      totalResources,
      opts.parallel,
      refresh.stateBytesPerResourceMean,
      workDir,
    );
    log(
      `  pipeline floor: ${refresh.floor.resources} reads of a provider that sends nothing, ${(refresh.floor.stepsSpanMs / 1000).toFixed(2)} s from the first read's start to the last one's end (ours ${(refresh.stepsSpanMs! / 1000).toFixed(2)} s), plugin CPU ${(refresh.floor.pluginMs / 1000).toFixed(1)} s (ours ${((refresh.measured.cpu?.pluginMs ?? 0) / 1000).toFixed(1)} s)`,
    );

    const drifted = Array.from({ length: Math.round(cameras * DRIFT_SHARE) }, (_, i) =>
      Math.floor((i * cameras) / Math.round(cameras * DRIFT_SHARE)),
    );
    await fleet.rebindHttps(drifted);
    const drift = await phase("drift", [() => engine.refresh(), () => engine.up()]);
    drift.drifted = drifted.length;

    // Rotation: a new site CA; every certificate replaced in one up, with the prober watching HTTPS.
    await engine.close();
    engine = await open(1);
    const targets: ProbeTarget[] = started.cameras.map((cam) => {
      const u = new URL(cam.httpsUrl);
      return {
        host: u.hostname,
        port: Number(u.port),
        trust: cam.caCertificatePem.trim() + "\n" + config(site, 1).trustedCas,
      };
    });
    const prober = await startProber(targets, opts.proberIntervalMs);
    const rotation = await phase("rotation", [() => engine.up()]);
    const probes = await prober.stop();
    rotation.probes = { ...probes, intervalMs: opts.proberIntervalMs };
    log(`    prober: ${probes.probes} probes, ${probes.failed} failed, ${probes.late} late`);
    const served = await fleet.served();
    rotation.servedBySiteCa2 = served.length; // checked below through the state
    // Kept for inspection (bench/.work is ignored by git): the state with every resource in it.
    copyFileSync(statePath, join(workDir, "state-before-destroy.json"));
    await phase("destroy", [() => engine.destroy()]);
  } finally {
    await engine.close();
    await DeviceHttp.closeAll();
    await fleet.stop();
  }
  return fleetResult();
}

async function main(): Promise<void> {
  const one = arg("cameras");
  const sizes = one ? [Number(one)] : SIZES;
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error("--cameras takes a positive integer");
  const proberIntervalMs = Number(arg("prober-interval") ?? 100);
  // The CLI's default unless told: the figures are meant to be what `pulumi up` does on this machine. The
  // curl baseline runs at the same parallelism, one process per SOAP call.
  const parallel = Number(arg("parallel") ?? cliDefaultParallel());
  if (!Number.isInteger(parallel) || parallel < 1) throw new Error("--parallel takes a positive integer");
  const curlProcesses = Number(arg("curl-processes") ?? parallel);
  const machine = {
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? "unknown"}`,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
  if (!curlVersion())
    console.warn("WARNING: /usr/bin/curl is not available: the curl baseline will be skipped.");
  // --up-only, --until refresh: the first phases alone, for looking at one thing (memory, a profile); they
  // write no results.
  const until = process.argv.includes("--up-only") ? "up" : arg("until");
  if (until !== undefined && until !== "up" && until !== "refresh")
    throw new Error("--until takes up or refresh");
  const results: FleetResult[] = [];
  for (const n of sizes) {
    const r = await runFleet(n, { parallel, proberIntervalMs, curlProcesses, until });
    if (until) continue;
    results.push(r);
    writeReports([r], machine, { partial: true });
  }
  if (until) return;
  writeReports(results, machine, { partial: false });
  log("wrote bench/results/*.json, docs/benchmarks.md, docs/benchmarks.svg");
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  },
);
