import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type * as PulumiNs from "@pulumi/pulumi";
import type * as ResourcePbNs from "@pulumi/pulumi/proto/resource_pb";
import type { PropertyMap } from "./plugin";
import { DynamicProviderPlugin, ResourceInitError, UNKNOWN, resolvePulumiDir } from "./plugin";
import {
  PassphraseCrypter,
  SECRET_SIG,
  SIG_KEY,
  containsSecrets,
  isSecret,
  makeSecret,
  unwrapSecrets,
} from "./secrets";

type Pulumi = typeof PulumiNs;
type RegisterRequest = ResourcePbNs.RegisterResourceRequest;
type OutputsRequest = ResourcePbNs.RegisterResourceOutputsRequest;
type Callback = (err: unknown, resp?: unknown) => void;

/** The mock monitor as setMocks installs it (runtime/mocks.js); the harness wraps two of its methods. */
interface MockMonitorLike {
  newUrn(parent: string, type: string, name: string): string;
  registerResource(req: RegisterRequest, cb: Callback): unknown;
  registerResourceOutputs(req: OutputsRequest, cb: Callback): unknown;
}

export const STACK_TYPE = "pulumi:pulumi:Stack";

// ------------------------------------------------------------------------------------------------------
// State (a Pulumi checkpoint, apitype.CheckpointV3 / ResourceV3 in shape)

export interface StateResource {
  urn: string;
  custom: boolean;
  /** A resource waiting to be deleted: the old half of a create-before-delete replacement. */
  delete?: boolean;
  id?: string;
  type: string;
  inputs: PropertyMap;
  outputs: PropertyMap;
  parent?: string;
  protect?: boolean;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
  additionalSecretOutputs?: string[];
  /** Set when create/update failed with ErrorResourceInitFailed: the next up issues an update (or replace). */
  initErrors?: string[];
  created?: string;
  modified?: string;
  /** Harness extension: top-level keys a refresh found changed on the device, for "drift" in plans. */
  driftKeys?: string[];
}

export interface PendingOperation {
  resource: StateResource;
  type: "creating" | "updating" | "deleting";
}

export interface CheckpointFile {
  version: 3;
  checkpoint: {
    stack: string;
    latest: {
      manifest: { time: string; magic: string; version: string };
      secrets_providers: { type: "passphrase"; state: { salt: string; iterations?: number } };
      resources: StateResource[];
      pending_operations?: PendingOperation[];
    };
  };
}

interface Snapshot {
  resources: StateResource[];
  pending: PendingOperation[];
}

// ------------------------------------------------------------------------------------------------------
// Results

export type StepOp = "same" | "create" | "update" | "replace" | "delete" | "read" | "refresh-drift";
export type ChangeReason =
  "input change" | "drift" | "renewal window" | "provider code change" | "provider diff" | "init errors";
export type OperationKind = "preview" | "up" | "refresh" | "destroy";

export interface ResourceChange {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  op: StepOp;
  /** Top-level properties that differ (input diff ∪ the provider's replaces ∪ refreshed drift). */
  changedKeys: string[];
  /** Properties the provider said force a replacement. */
  replaceKeys: string[];
  reasons: Record<string, ChangeReason>;
  deleteBeforeReplace?: boolean;
  id?: string;
  error?: string;
  /** ms since the operation started, around the mutating plugin call (create/update/delete/read). */
  startedAt?: number;
  endedAt?: number;
}

export interface OperationResult {
  operation: OperationKind;
  project: string;
  stack: string;
  resources: ResourceChange[];
  /** `preview({ refresh: true })`: what the refresh found, before the plan in `resources`. */
  refreshed?: ResourceChange[];
  /** Stack outputs, secrets unwrapped; unknown values (preview) are the UNKNOWN sentinel string. */
  outputs: Record<string, unknown>;
  /** Top-level stack output names that are secret. */
  secretOutputs: string[];
  /** Steps that succeeded, by op (failed steps are in `failed`). */
  counts: Partial<Record<StepOp, number>>;
  failed: number;
  errors: string[];
  warnings: string[];
  durationMs: number;
  format(): string;
}

/** Thrown by an operation that failed part-way; `result` holds what happened (state is saved up to there). */
export class EngineRunError extends Error {
  constructor(
    message: string,
    readonly result: OperationResult,
  ) {
    super(message);
    this.name = "EngineRunError";
  }
}

// ------------------------------------------------------------------------------------------------------
// Options

export type ConfigValue = string | { value: string; secret?: boolean };

export interface EngineOptions {
  /** Path of the compiled program module: its export is a function (sync or async) returning the stack outputs, or plain exports. */
  program: string;
  project: string;
  stack: string;
  /** Stack config; keys without a namespace get `<project>:`. `{ value, secret: true }` marks a secret. */
  config?: Record<string, ConfigValue>;
  /** Where the checkpoint JSON lives (created on first save). */
  statePath: string;
  /** Passphrase for the passphrase secrets provider (AES-256-GCM). */
  passphrase: string;
  /** The plugin's cwd: the project root, where the provider package resolves. */
  pluginCwd: string;
  /** The @pulumi/pulumi directory to drive (program and plugin); resolved from the program's directory when omitted. */
  pulumiDir?: string;
  /** Maximum concurrent resource operations (the CLI's `--parallel`); default {@link cliDefaultParallel}. */
  parallel?: number;
  /** Start a fresh plugin process for every operation, as each CLI command does (default true). */
  pluginPerOperation?: boolean;
  /** Extra environment for the plugin. */
  pluginEnv?: Record<string, string | undefined>;
  /** PBKDF2 rounds for a new state (Pulumi: 1,000,000); stored in the state when not the default. */
  kdfIterations?: number;
  /**
   * If the plugin cwd's package.json has this name and node_modules/<name> is missing, link it to the
   * package root so serialized providers' `require("<name>/dist/...")` resolve (default "pulumi-axis-sps").
   */
  selfLinkPackage?: string | false;
}

/**
 * The CLI's default `--parallel` for up, preview, refresh and destroy: `PULUMI_PARALLEL` when set above
 * zero, else four per CPU (pkg/cmd/pulumi/operations/up.go, `defaultParallel`: 4 × GOMAXPROCS, which Go
 * sets to the CPUs the process may use). The engine's step executor runs that many resource operations
 * (creates, updates, deletes, refresh reads) at once; check and diff are not limited by it.
 */
export function cliDefaultParallel(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.PULUMI_PARALLEL);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return 4 * availableParallelism();
}

/** Creates `<dir>/node_modules/<name> -> <dir>` when `<dir>` is package `<name>` and the link is missing. */
export function ensureSelfLink(dir: string, name: string): boolean {
  const pkgPath = join(dir, "package.json");
  if (!existsSync(pkgPath)) return false;
  if ((JSON.parse(readFileSync(pkgPath, "utf8")) as { name?: string }).name !== name) return false;
  const link = join(dir, "node_modules", ...name.split("/"));
  try {
    lstatSync(link);
    return false;
  } catch {
    // missing: create it
  }
  mkdirSync(dirname(link), { recursive: true });
  try {
    symlinkSync(relative(dirname(link), dir) || ".", link, "dir");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return true;
}

// ------------------------------------------------------------------------------------------------------
// Helpers

let processLock: Promise<unknown> = Promise.resolve();

/** The Pulumi runtime is process-global: one program run (of any Engine) at a time. */
function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const run = processLock.then(fn, fn);
  processLock = run.catch(() => undefined);
  return run;
}

class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => [k, canonical(x)]),
    );
  }
  return v;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(unwrapSecrets(a))) === JSON.stringify(canonical(unwrapSecrets(b)));
}

/** Top-level keys whose (secret-unwrapped) values differ. */
function changedTopKeys(olds: PropertyMap, news: PropertyMap): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  return [...keys].filter((k) => !sameValue(olds[k], news[k])).sort();
}

/** The engine's annotateSecrets: an output whose same-named input contains a secret becomes secret. */
function annotateSecrets(outs: PropertyMap, ins: PropertyMap): PropertyMap {
  const result: PropertyMap = { ...outs };
  for (const [k, v] of Object.entries(ins)) {
    if (k in result && containsSecrets(v) && !isSecret(result[k])) result[k] = makeSecret(result[k]);
  }
  return result;
}

function markSecrets(
  outs: PropertyMap,
  ins: PropertyMap,
  additional: string[] = [],
  previous?: PropertyMap,
): PropertyMap {
  const result = annotateSecrets(outs, ins);
  for (const k of Object.keys(result)) {
    const wasSecret = previous !== undefined && containsSecrets(previous[k]);
    if ((additional.includes(k) || wasSecret) && !isSecret(result[k])) result[k] = makeSecret(result[k]);
  }
  return result;
}

/** What goes to the plugin: secrets unwrapped (it answers acceptSecrets=false). */
function wire(v: PropertyMap): PropertyMap {
  return unwrapSecrets(v) as PropertyMap;
}

function nameOf(urn: string): string {
  return urn.split("::").slice(3).join("::");
}

function depsOf(r: StateResource): string[] {
  const all = new Set([...(r.dependencies ?? []), ...Object.values(r.propertyDependencies ?? {}).flat()]);
  if (r.parent) all.add(r.parent);
  return [...all];
}

/** Stable order with every resource after the resources it depends on (as Pulumi keeps its snapshots). */
function dependencyOrder(resources: StateResource[]): StateResource[] {
  const present = new Set(resources.map((r) => r.urn));
  const emitted = new Set<string>();
  const out: StateResource[] = [];
  let rest = [...resources];
  while (rest.length) {
    const next = rest.filter((r) => depsOf(r).every((d) => d === r.urn || !present.has(d) || emitted.has(d)));
    const batch = new Set(next.length ? next : [rest[0]]);
    for (const r of batch) {
      out.push(r);
      emitted.add(r.urn);
    }
    rest = rest.filter((r) => !batch.has(r));
  }
  return out;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface Registration {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  inputs: PropertyMap;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  additionalSecretOutputs: string[];
  deleteBeforeReplace?: boolean;
  protect: boolean;
  ignoreChanges: string[];
  replaceOnChanges: string[];
}

interface RunContext {
  kind: OperationKind;
  preview: boolean;
  persist: boolean;
  snapshot: Snapshot;
  t0: number;
  changes: ResourceChange[];
  refreshed?: ResourceChange[];
  errors: string[];
  warnings: string[];
  registered: Set<string>;
  condemned: StateResource[];
  urns: Map<string, { urn: string; qualifiedType: string }>;
  componentOutputs: Map<string, PropertyMap>;
  current?: RegisterRequest;
  saveTimer?: NodeJS.Timeout;
  /** State changed by a step whose write the engine elides; written with the next write or at the end. */
  unsaved?: boolean;
  /** How long the last checkpoint write took: the next waits four times as long, so writing a large
   * state never takes more than a fifth of the operation (a checkpoint per burst of steps, not per step). */
  lastFlushMs?: number;
}

// ------------------------------------------------------------------------------------------------------

/**
 * A mini Pulumi engine: runs a real Pulumi program through `setMocks`, sends every dynamic resource
 * through the real dynamic-provider plugin over gRPC (Check, Diff, Create/Update/Delete, Read), and keeps
 * the deployment in a checkpoint file with secrets encrypted, with the step semantics of
 * pkg/resource/deploy/step_generator.go (see the report / README for what is simplified).
 */
export class Engine {
  private plugin?: DynamicProviderPlugin;
  private pluginLog = { stdout: "", stderr: "" };
  private readonly sealedEntries = new WeakMap<StateResource, StateResource>();
  private snapshot: Snapshot = { resources: [], pending: [] };
  private readonly sem: Semaphore;
  private readonly programPath: string;
  private readonly pulumiDir: string;
  private readonly pulumi: Pulumi;
  private readonly configValues: Record<string, string> = {};
  private readonly secretKeys: string[] = [];
  private writes = 0;

  private constructor(
    readonly options: EngineOptions,
    private readonly crypter: PassphraseCrypter,
  ) {
    this.programPath = require.resolve(resolve(options.program));
    this.pulumiDir = options.pulumiDir
      ? resolve(options.pulumiDir)
      : resolvePulumiDir(dirname(this.programPath));
    this.pulumi = createRequire(join(this.pulumiDir, "package.json"))(this.pulumiDir) as Pulumi;
    this.sem = new Semaphore(options.parallel ?? cliDefaultParallel());
    for (const [key, value] of Object.entries(options.config ?? {})) {
      const full = key.includes(":") ? key : `${options.project}:${key}`;
      this.configValues[full] = typeof value === "string" ? value : value.value;
      if (typeof value !== "string" && value.secret) this.secretKeys.push(full);
    }
  }

  /** Loads (or starts) the state, derives the secrets key, and starts the plugin unless it is per operation. */
  static async open(options: EngineOptions): Promise<Engine> {
    if (options.selfLinkPackage !== false)
      ensureSelfLink(resolve(options.pluginCwd), options.selfLinkPackage ?? "pulumi-axis-sps");
    let file: CheckpointFile | undefined;
    if (existsSync(options.statePath))
      file = JSON.parse(readFileSync(options.statePath, "utf8")) as CheckpointFile;
    const sp = file?.checkpoint.latest.secrets_providers?.state;
    const crypter = await PassphraseCrypter.create(
      options.passphrase,
      sp?.salt,
      sp?.iterations ?? options.kdfIterations ?? 1_000_000,
    );
    const engine = new Engine(options, crypter);
    if (file) {
      engine.snapshot = {
        resources: file.checkpoint.latest.resources.map((r) => crypter.open(r) as StateResource),
        pending: (file.checkpoint.latest.pending_operations ?? []).map(
          (p) => crypter.open(p) as PendingOperation,
        ),
      };
    }
    if (options.pluginPerOperation === false) await engine.startPlugin();
    return engine;
  }

  // --- public surface -------------------------------------------------------------------------------

  /** The checkpoint as it is on disk (secrets encrypted); undefined before the first save. */
  readState(): CheckpointFile | undefined {
    return existsSync(this.options.statePath)
      ? (JSON.parse(readFileSync(this.options.statePath, "utf8")) as CheckpointFile)
      : undefined;
  }

  /** The in-memory state with secrets decrypted (envelopes `{sig, value}` mark them). */
  resources(): StateResource[] {
    return structuredClone(this.snapshot.resources);
  }

  /** Bytes of the serialized `__provider` per dynamic resource in state (by URN). */
  providerSizes(): Record<string, number> {
    const sizes: Record<string, number> = {};
    for (const r of this.snapshot.resources) {
      const p = unwrapSecrets(r.inputs.__provider ?? r.outputs.__provider);
      if (typeof p === "string") sizes[r.urn] = Buffer.byteLength(p, "utf8");
    }
    return sizes;
  }

  /** Checkpoint files written so far by this engine (every operation's writes, elided ones not). */
  get checkpointWrites(): number {
    return this.writes;
  }

  /** The running plugin process's id, if one is running (bench: RSS sampling). */
  pluginPid(): number | undefined {
    return this.plugin?.pid;
  }

  /** Everything every plugin process of this engine printed (stdout after the port line, and stderr). */
  pluginOutput(): { stdout: string; stderr: string } {
    const live = this.plugin?.output() ?? { stdout: "", stderr: "" };
    return { stdout: this.pluginLog.stdout + live.stdout, stderr: this.pluginLog.stderr + live.stderr };
  }

  /** `pulumi preview [--refresh]`: Check + Diff for every resource; nothing changes on devices or in the state file. */
  preview(opts: { refresh?: boolean } = {}): Promise<OperationResult> {
    return this.operation("preview", async (ctx) => {
      if (opts.refresh) {
        await this.refreshAll(ctx, false);
        ctx.refreshed = ctx.changes;
        ctx.changes = [];
      }
      await this.runProgram(ctx);
      if (!ctx.errors.length) await this.deleteAll(ctx, this.deletionCandidates(ctx));
    });
  }

  /** `pulumi up`: the program's resources created, updated, replaced or kept; the rest deleted at the end. */
  up(): Promise<OperationResult> {
    return this.operation("up", async (ctx) => {
      if (ctx.snapshot.pending.length) {
        ctx.warnings.push(
          `the last deployment was interrupted during: ${ctx.snapshot.pending.map((p) => `${p.type} ${p.resource.urn}`).join(", ")}; these operations are dropped from the state (check the devices)`,
        );
        ctx.snapshot.pending = [];
        this.save(ctx);
      }
      await this.runProgram(ctx);
      // Like the engine, no deletes after a failed step: condemned resources stay `delete: true` for the next up.
      if (!ctx.errors.length) await this.deleteAll(ctx, this.deletionCandidates(ctx));
    });
  }

  /** `pulumi refresh`: Read every resource; gone → dropped, else its outputs and inputs as read. */
  refresh(): Promise<OperationResult> {
    return this.operation("refresh", (ctx) => this.refreshAll(ctx, true));
  }

  /** `pulumi destroy`: every resource deleted, dependents first, with the provider code stored in state. */
  destroy(): Promise<OperationResult> {
    return this.operation("destroy", (ctx) => this.deleteAll(ctx, [...ctx.snapshot.resources]));
  }

  async close(): Promise<void> {
    await this.stopPlugin();
  }

  // --- plumbing -------------------------------------------------------------------------------------

  private async startPlugin(): Promise<DynamicProviderPlugin> {
    if (this.plugin) return this.plugin;
    const { project, stack } = this.options;
    const nodejsConfig = Object.fromEntries(
      Object.entries(this.configValues)
        .filter(([k]) => k.startsWith("pulumi-nodejs:"))
        .map(([k, v]) => [k.slice("pulumi-nodejs:".length), v]),
    );
    const plugin = await DynamicProviderPlugin.start({
      cwd: this.options.pluginCwd,
      pulumiDir: this.pulumiDir,
      env: {
        PULUMI_NODEJS_PROJECT: project,
        PULUMI_NODEJS_STACK: stack,
        PULUMI_PROJECT: project,
        PULUMI_STACK: stack,
        PULUMI_CONFIG: JSON.stringify(nodejsConfig),
        ...this.options.pluginEnv,
      },
    });
    // The engine sends the whole stack config to the pulumi-nodejs provider (target.go GetPackageConfig).
    const config: PropertyMap = {};
    for (const [k, v] of Object.entries(this.configValues)) {
      config[k] = this.secretKeys.includes(k) ? { [SIG_KEY]: SECRET_SIG, value: v } : v;
    }
    await plugin.configure(config);
    this.plugin = plugin;
    return plugin;
  }

  private async stopPlugin(): Promise<void> {
    const plugin = this.plugin;
    this.plugin = undefined;
    if (!plugin) return;
    await plugin.stop();
    const out = plugin.output();
    this.pluginLog.stdout += out.stdout;
    this.pluginLog.stderr += out.stderr;
  }

  private operation(kind: OperationKind, body: (ctx: RunContext) => Promise<void>): Promise<OperationResult> {
    return exclusive(async () => {
      const preview = kind === "preview";
      const ctx: RunContext = {
        kind,
        preview,
        persist: !preview,
        snapshot: preview ? structuredClone(this.snapshot) : this.snapshot,
        t0: Date.now(),
        changes: [],
        errors: [],
        warnings: [],
        registered: new Set(),
        condemned: [],
        urns: new Map(),
        componentOutputs: new Map(),
      };
      try {
        await this.startPlugin();
        await body(ctx);
      } catch (err) {
        ctx.errors.push(errorText(err));
      } finally {
        if (ctx.saveTimer || ctx.unsaved) this.flush(ctx);
        if (this.options.pluginPerOperation !== false) await this.stopPlugin();
      }
      const result = this.result(ctx);
      if (ctx.errors.length)
        throw new EngineRunError(`${kind} failed:\n  ${ctx.errors.join("\n  ")}`, result);
      return result;
    });
  }

  /**
   * Records that state changed. The write follows within a few milliseconds, after every step finishing in
   * the same moment has landed (and at the latest when the operation ends): one write for a burst of
   * parallel steps instead of one each, which at a fleet's size turned a run quadratic.
   */
  private save(ctx: RunContext): void {
    if (!ctx.persist || ctx.saveTimer) return;
    ctx.saveTimer = setTimeout(() => this.flush(ctx), Math.max(25, 4 * (ctx.lastFlushMs ?? 0)));
  }

  /**
   * Records a change without writing it, as the engine's SnapshotManager does for a refresh step and for a
   * same step that changed nothing (pkg/backend/snapshot.go: refreshSnapshotMutation, mustWrite): the
   * change lands with the next write, or when the operation ends.
   */
  private elide(ctx: RunContext): void {
    if (ctx.persist) ctx.unsaved = true;
  }

  /** Writes the checkpoint now (atomically: temp file, then rename). */
  private flush(ctx: RunContext): void {
    if (ctx.saveTimer) clearTimeout(ctx.saveTimer);
    ctx.saveTimer = undefined;
    ctx.unsaved = false;
    if (!ctx.persist) return;
    const started = Date.now();
    const file: CheckpointFile = {
      version: 3,
      checkpoint: {
        stack: `organization/${this.options.project}/${this.options.stack}`,
        latest: {
          manifest: {
            time: new Date().toISOString(),
            magic: "",
            version: `harness (@pulumi/pulumi ${this.pulumiVersion()})`,
          },
          secrets_providers: {
            type: "passphrase",
            state: {
              salt: this.crypter.saltState,
              ...(this.crypter.iterations !== 1_000_000 ? { iterations: this.crypter.iterations } : {}),
            },
          },
          resources: dependencyOrder(ctx.snapshot.resources).map((r) => this.sealed(r)),
          pending_operations: ctx.snapshot.pending.map((p) => this.crypter.seal(p) as PendingOperation),
        },
      },
    };
    const path = resolve(this.options.statePath);
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(file, null, 2));
    renameSync(tmp, path);
    this.writes++;
    ctx.lastFlushMs = Date.now() - started;
  }

  /** A resource entry with its secrets encrypted, once per entry: entries are replaced, never changed. */
  private sealed(r: StateResource): StateResource {
    let sealed = this.sealedEntries.get(r);
    if (!sealed) {
      sealed = this.crypter.seal(r) as StateResource;
      this.sealedEntries.set(r, sealed);
    }
    return sealed;
  }

  private pulumiVersion(): string {
    try {
      return (JSON.parse(readFileSync(join(this.pulumiDir, "package.json"), "utf8")) as { version: string })
        .version;
    } catch {
      return "unknown";
    }
  }

  private live(ctx: RunContext, urn: string): StateResource | undefined {
    return ctx.snapshot.resources.find((r) => r.urn === urn && !r.delete);
  }

  private replaceEntry(ctx: RunContext, old: StateResource, next: StateResource | undefined): void {
    const i = ctx.snapshot.resources.indexOf(old);
    if (i < 0) {
      if (next) ctx.snapshot.resources.push(next);
      return;
    }
    if (next) ctx.snapshot.resources[i] = next;
    else ctx.snapshot.resources.splice(i, 1);
  }

  private newChange(ctx: RunContext, urn: string, type: string, custom: boolean, op: StepOp): ResourceChange {
    const change: ResourceChange = {
      urn,
      type,
      name: nameOf(urn),
      custom,
      op,
      changedKeys: [],
      replaceKeys: [],
      reasons: {},
    };
    ctx.changes.push(change);
    return change;
  }

  private async timed<T>(ctx: RunContext, change: ResourceChange, fn: () => Promise<T>): Promise<T> {
    return this.sem.run(async () => {
      change.startedAt = Date.now() - ctx.t0;
      try {
        return await fn();
      } finally {
        change.endedAt = Date.now() - ctx.t0;
      }
    });
  }

  private withPending<T>(ctx: RunContext, op: PendingOperation, fn: () => Promise<T>): Promise<T> {
    ctx.snapshot.pending.push(op);
    this.save(ctx);
    const done = () => {
      ctx.snapshot.pending = ctx.snapshot.pending.filter((p) => p !== op);
    };
    return fn().then(
      (v) => {
        done();
        return v;
      },
      (e) => {
        done();
        this.save(ctx);
        throw e;
      },
    );
  }

  // --- the program ----------------------------------------------------------------------------------

  private async runProgram(ctx: RunContext): Promise<void> {
    const pulumi = this.pulumi;
    const runtime = pulumi.runtime;
    await runtime.setMocks(
      {
        newResource: (args) => this.onNewResource(ctx, args),
        call: (args) => {
          throw new Error(`invoke ${args.token} is not supported by the engine harness`);
        },
      },
      this.options.project,
      this.options.stack,
      ctx.preview,
    );
    runtime.setAllConfig(this.configValues, this.secretKeys);
    const monitor = runtime.getMonitor() as unknown as MockMonitorLike;
    const register = monitor.registerResource.bind(monitor);
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    // The mock calls mocks.newResource synchronously from registerResource: hand the request over.
    monitor.registerResource = (req, cb) => {
      ctx.current = req;
      try {
        return register(req, cb);
      } finally {
        ctx.current = undefined;
      }
    };
    monitor.registerResourceOutputs = (req, cb) => {
      const urn = ctx.urns.get(req.getUrn())?.urn ?? req.getUrn();
      ctx.componentOutputs.set(urn, (req.getOutputs()?.toJavaScript() ?? {}) as PropertyMap);
      return registerOutputs(req, cb);
    };

    // Unhandled rejections are how the SDK reports failed registrations; the language host turns them into a
    // failed program, and so does this (instead of letting them reach the test runner).
    const rejections: unknown[] = [];
    const saved = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on("unhandledRejection", onRejection);
    const programPath = this.programPath;
    try {
      try {
        await runtime.runInPulumiStack(async () => {
          delete require.cache[programPath];
          const mod = require(programPath) as unknown;
          const entry =
            typeof mod === "function"
              ? mod
              : typeof (mod as { default?: unknown })?.default === "function"
                ? (mod as { default: () => unknown }).default
                : undefined;
          if (entry) return await (entry as () => unknown)();
          const { __esModule: _esm, ...exported } = (mod ?? {}) as Record<string, unknown>;
          return exported;
        });
      } catch (err) {
        if (!ctx.errors.length)
          ctx.errors.push(`program failed: ${err instanceof Error ? err.stack : String(err)}`);
      }
      const wait = (runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
      if (wait) await wait();
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off("unhandledRejection", onRejection);
      for (const l of saved) process.on("unhandledRejection", l);
    }
    if (rejections.length && !ctx.errors.length)
      ctx.errors.push(`program failed: ${errorText(rejections[0])}`);

    // Component (and stack) outputs as registered.
    for (const [urn, outs] of ctx.componentOutputs) {
      const entry = this.live(ctx, urn);
      if (entry && !entry.custom) this.replaceEntry(ctx, entry, { ...entry, outputs: outs });
    }
    this.save(ctx);
  }

  private registration(ctx: RunContext, req: RegisterRequest, inputs: PropertyMap): Registration {
    const { project, stack } = this.options;
    const type = req.getType();
    const name = req.getName();
    const parentMock = req.getParent();
    const parent = parentMock ? ctx.urns.get(parentMock) : undefined;
    const qualifiedType =
      parent && parent.qualifiedType !== STACK_TYPE ? `${parent.qualifiedType}$${type}` : type;
    const urn = `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
    const mockUrn = this.mockUrn(parentMock, type, name);
    ctx.urns.set(mockUrn, { urn, qualifiedType });
    const map = (u: string) => ctx.urns.get(u)?.urn ?? u;
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps, key) => {
      const urns = deps.getUrnsList().map(map);
      if (urns.length) propertyDependencies[key] = urns;
    });
    return {
      urn,
      type,
      name,
      custom: req.getCustom(),
      parent: parent?.urn,
      inputs,
      dependencies: [...new Set(req.getDependenciesList().map(map))],
      propertyDependencies,
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
      protect: req.getProtect() === true,
      ignoreChanges: req.getIgnorechangesList(),
      replaceOnChanges: req.getReplaceonchangesList(),
    };
  }

  private mockUrn(parent: string, type: string, name: string): string {
    const monitor = this.pulumi.runtime.getMonitor() as unknown as MockMonitorLike;
    return monitor.newUrn(parent, type, name);
  }

  /** Inputs as the monitor got them, with unknowns as the sentinel string and secret envelopes kept. */
  private fromProgram(v: unknown): unknown {
    if (this.pulumi.isUnknown(v)) return UNKNOWN;
    if (Array.isArray(v)) return v.map((x) => this.fromProgram(x));
    if (v && typeof v === "object") {
      const out: PropertyMap = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = this.fromProgram(x);
      return out;
    }
    return v;
  }

  private async onNewResource(
    ctx: RunContext,
    args: PulumiNs.runtime.MockResourceArgs,
  ): Promise<PulumiNs.runtime.MockResourceResult> {
    const req = ctx.current;
    ctx.current = undefined;
    if (!req || req.getType() !== args.type || req.getName() !== args.name) {
      throw new Error(
        `${args.type} ${args.name}: only registered resources are supported (no Resource.get / read)`,
      );
    }
    const reg = this.registration(ctx, req, this.fromProgram(args.inputs) as PropertyMap);
    ctx.registered.add(reg.urn);
    if (!reg.custom) return this.componentStep(ctx, reg);
    const change = this.newChange(ctx, reg.urn, reg.type, true, "same");
    try {
      if (!reg.type.startsWith("pulumi-nodejs:dynamic"))
        throw new Error(`only dynamic resources are supported, not ${reg.type}`);
      return await this.customStep(ctx, reg, change);
    } catch (err) {
      change.error = errorText(err);
      ctx.errors.push(`${reg.urn}: ${change.error}`);
      throw err;
    }
  }

  private componentStep(ctx: RunContext, reg: Registration): PulumiNs.runtime.MockResourceResult {
    const old = this.live(ctx, reg.urn);
    this.newChange(ctx, reg.urn, reg.type, false, old ? "same" : "create");
    const now = new Date().toISOString();
    const entry: StateResource = {
      urn: reg.urn,
      custom: false,
      type: reg.type,
      inputs: {},
      outputs: old?.outputs ?? {},
      ...(reg.parent ? { parent: reg.parent } : {}),
      ...(reg.dependencies.length ? { dependencies: reg.dependencies } : {}),
      created: old?.created ?? now,
      modified: old?.modified ?? now,
    };
    // An unchanged entry stays the same object, so its sealed (encrypted) form is reused at the next write.
    if (old && isDeepStrictEqual(old, entry)) this.elide(ctx);
    else {
      if (old) this.replaceEntry(ctx, old, entry);
      else ctx.snapshot.resources.push(entry);
      this.save(ctx);
    }
    return { id: undefined, state: {} };
  }

  private stateFor(
    reg: Registration,
    base: Partial<StateResource>,
    id: string,
    inputs: PropertyMap,
    outputs: PropertyMap,
  ): StateResource {
    const now = new Date().toISOString();
    return {
      urn: reg.urn,
      custom: true,
      id,
      type: reg.type,
      inputs,
      outputs,
      ...(reg.parent ? { parent: reg.parent } : {}),
      ...(reg.protect ? { protect: true } : {}),
      ...(reg.dependencies.length ? { dependencies: reg.dependencies } : {}),
      ...(Object.keys(reg.propertyDependencies).length
        ? { propertyDependencies: reg.propertyDependencies }
        : {}),
      ...(reg.additionalSecretOutputs.length ? { additionalSecretOutputs: reg.additionalSecretOutputs } : {}),
      created: base.created ?? now,
      modified: now,
    };
  }

  private async check(
    reg: Registration,
    olds: PropertyMap | undefined,
    news: PropertyMap,
  ): Promise<PropertyMap> {
    const result = await this.plugin!.check(reg.urn, olds ? wire(olds) : {}, wire(news));
    if (result.failures.length) {
      throw new Error(`check failed: ${result.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
    }
    // The plugin strips secrets; the engine marks them again from the inputs it sent.
    return annotateSecrets(result.inputs, news);
  }

  private async create(
    ctx: RunContext,
    reg: Registration,
    change: ResourceChange,
    inputs: PropertyMap,
    base: Partial<StateResource> = {},
  ) {
    if (ctx.preview) return { id: "", state: inputs };
    const pending: PendingOperation = {
      type: "creating",
      resource: this.stateFor(reg, base, "", inputs, {}),
    };
    try {
      const res = await this.withPending(ctx, pending, () =>
        this.timed(ctx, change, () => this.plugin!.create(reg.urn, wire(inputs))),
      );
      const outputs = markSecrets(res.properties, inputs, reg.additionalSecretOutputs);
      const entry = this.stateFor(reg, base, res.id, inputs, outputs);
      change.id = res.id;
      ctx.snapshot.resources.push(entry);
      return { id: res.id, state: outputs, entry };
    } catch (err) {
      if (err instanceof ResourceInitError) {
        const outputs = markSecrets(err.properties, inputs, reg.additionalSecretOutputs);
        const entry = {
          ...this.stateFor(reg, base, err.id, inputs, outputs),
          initErrors: err.reasons.length ? err.reasons : [err.message],
        };
        ctx.snapshot.resources.push(entry);
        this.save(ctx);
      }
      throw err;
    }
  }

  private async deleteResource(ctx: RunContext, r: StateResource, change: ResourceChange): Promise<void> {
    if (r.custom) {
      if (r.protect) throw new Error("resource is protected; remove `protect` and run up before deleting it");
      await this.withPending(ctx, { type: "deleting", resource: r }, () =>
        this.timed(ctx, change, () =>
          this.plugin!.delete(r.urn, r.id ?? "", wire(r.outputs), wire(r.inputs)),
        ),
      );
    }
    this.replaceEntry(ctx, r, undefined);
    this.save(ctx);
  }

  private async customStep(
    ctx: RunContext,
    reg: Registration,
    change: ResourceChange,
  ): Promise<PulumiNs.runtime.MockResourceResult> {
    const old = this.live(ctx, reg.urn);
    let news = reg.inputs;
    if (old && reg.ignoreChanges.length) {
      news = { ...news };
      for (const k of reg.ignoreChanges) {
        if (k in old.inputs) news[k] = old.inputs[k];
        else delete news[k];
      }
    }
    const inputs = await this.check(reg, old?.inputs, news);
    if (!old) {
      change.op = "create";
      const made = await this.create(ctx, reg, change, inputs);
      if (!ctx.preview) this.save(ctx);
      return { id: made.id, state: made.state };
    }
    change.id = old.id;

    const diff = await this.plugin!.diff(
      reg.urn,
      old.id ?? "",
      wire(old.outputs),
      wire(inputs),
      wire(old.inputs),
    );
    const inputKeys = changedTopKeys(old.inputs, inputs);
    let changes = diff.changes;
    if (changes === "unknown") changes = inputKeys.length ? "some" : "none"; // the engine's own input diff
    const replaces = [...diff.replaces];
    for (const k of inputKeys) {
      if ((reg.replaceOnChanges.includes(k) || reg.replaceOnChanges.includes("*")) && !replaces.includes(k)) {
        replaces.push(k);
        changes = "some";
      }
    }
    const drift = new Set(old.driftKeys ?? []);
    if (changes === "some") {
      const keys = [...new Set([...inputKeys, ...replaces, ...drift])].sort();
      change.changedKeys = keys;
      change.replaceKeys = [...replaces].sort();
      for (const k of keys) {
        change.reasons[k] = drift.has(k)
          ? "drift"
          : k === "__provider"
            ? "provider code change"
            : inputKeys.includes(k)
              ? "input change"
              : k === "notAfter"
                ? "renewal window"
                : "provider diff";
      }
    }

    if (changes === "some" && replaces.length) {
      change.op = "replace";
      const dbr = reg.deleteBeforeReplace ?? diff.deleteBeforeReplace;
      change.deleteBeforeReplace = dbr;
      if (old.protect && reg.protect) throw new Error("unable to replace a protected resource");
      // A replacement recomputes defaults: Check again with no olds (step_generator.go).
      const fresh = await this.check(reg, undefined, news);
      if (ctx.preview) return { id: "", state: fresh };
      if (dbr) {
        await this.deleteResource(ctx, old, change);
        const made = await this.create(ctx, reg, change, fresh, {});
        this.save(ctx);
        return { id: made.id, state: made.state };
      }
      const made = await this.create(ctx, reg, change, fresh, {});
      // The old one is deleted after every dependent has been updated. Entries are replaced, never changed
      // in place (their encrypted form is cached per entry).
      const condemned = { ...old, delete: true };
      this.replaceEntry(ctx, old, condemned);
      ctx.condemned.push(condemned);
      this.save(ctx);
      return { id: made.id, state: made.state };
    }

    if (changes === "some" || old.initErrors?.length) {
      change.op = "update";
      if (changes !== "some") change.reasons["(initErrors)"] = "init errors";
      if (ctx.preview) return { id: old.id, state: inputs };
      const pending: PendingOperation = { type: "updating", resource: old };
      try {
        const res = await this.withPending(ctx, pending, () =>
          this.timed(ctx, change, () =>
            this.plugin!.update(reg.urn, old.id ?? "", wire(old.outputs), wire(inputs), wire(old.inputs)),
          ),
        );
        const outputs = markSecrets(res.properties, inputs, reg.additionalSecretOutputs);
        this.replaceEntry(ctx, old, this.stateFor(reg, old, old.id ?? "", inputs, outputs));
        this.save(ctx);
        return { id: old.id, state: outputs };
      } catch (err) {
        if (err instanceof ResourceInitError) {
          const outputs = markSecrets(err.properties, inputs, reg.additionalSecretOutputs);
          this.replaceEntry(ctx, old, {
            ...this.stateFor(reg, old, err.id || old.id || "", inputs, outputs),
            initErrors: err.reasons.length ? err.reasons : [err.message],
          });
          this.save(ctx);
        }
        throw err;
      }
    }

    // Same: the new inputs and dependencies are recorded, the old outputs kept (SameStep).
    change.op = "same";
    if (!ctx.preview) {
      const same = { ...this.stateFor(reg, old, old.id ?? "", inputs, old.outputs), modified: old.modified };
      if (isDeepStrictEqual(old, same)) this.elide(ctx);
      else {
        this.replaceEntry(ctx, old, same);
        this.save(ctx);
      }
    }
    return { id: old.id, state: old.outputs };
  }

  // --- deletes and refresh --------------------------------------------------------------------------

  /** Resources the program did not register this run, and the old halves of replacements. */
  private deletionCandidates(ctx: RunContext): StateResource[] {
    return ctx.snapshot.resources.filter((r) => r.delete || !ctx.registered.has(r.urn));
  }

  /** Deletes (or, in a preview, plans deleting) `victims`, every resource after the victims that depend on it. */
  private async deleteAll(ctx: RunContext, victims: StateResource[]): Promise<void> {
    const tasks = new Map<StateResource, Promise<void>>();
    const visiting = new Set<StateResource>(); // the recursion stack: an edge back into it is a cycle, skipped
    const run = (v: StateResource): Promise<void> => {
      const existing = tasks.get(v);
      if (existing) return existing;
      visiting.add(v);
      const dependents = victims.filter((w) => w !== v && !visiting.has(w) && depsOf(w).includes(v.urn));
      const waits = dependents.map(run);
      visiting.delete(v);
      const task = Promise.allSettled(waits).then(async (settled) => {
        const change = this.newChange(ctx, v.urn, v.type, v.custom, "delete");
        change.id = v.id;
        if (settled.some((s) => s.status === "rejected")) {
          change.error = "skipped: a dependent failed to delete";
          throw new Error(change.error);
        }
        if (ctx.preview) return;
        try {
          await this.deleteResource(ctx, v, change);
        } catch (err) {
          change.error = errorText(err);
          ctx.errors.push(`${v.urn}: delete failed: ${change.error}`);
          throw err;
        }
      });
      tasks.set(v, task);
      return task;
    };
    await Promise.allSettled(victims.map(run));
  }

  private async refreshAll(ctx: RunContext, persist: boolean): Promise<void> {
    const persistBefore = ctx.persist;
    ctx.persist = persist;
    try {
      await Promise.all(
        [...ctx.snapshot.resources].map(async (r) => {
          if (!r.custom) {
            if (ctx.kind === "refresh") this.newChange(ctx, r.urn, r.type, false, "same");
            return;
          }
          const change = this.newChange(ctx, r.urn, r.type, true, "same");
          change.id = r.id;
          try {
            const res = await this.timed(ctx, change, () =>
              this.plugin!.read(r.urn, r.id ?? "", wire(r.outputs), wire(r.inputs)),
            );
            if (!res.id) {
              change.op = "delete";
              this.replaceEntry(ctx, r, undefined);
              this.elide(ctx);
              return;
            }
            const outputs = markSecrets(res.properties, r.inputs, r.additionalSecretOutputs, r.outputs);
            const inputs = res.inputs ? markSecrets(res.inputs, r.inputs, [], r.inputs) : r.inputs;
            const drift = [
              ...new Set([...changedTopKeys(r.outputs, outputs), ...changedTopKeys(r.inputs, inputs)]),
            ]
              .filter((k) => k !== "__provider")
              .sort();
            if (drift.length) {
              change.op = "refresh-drift";
              change.changedKeys = drift;
              for (const k of drift) change.reasons[k] = "drift";
            }
            const driftKeys = [...new Set([...(r.driftKeys ?? []), ...drift])].sort();
            this.replaceEntry(ctx, r, {
              ...r,
              id: res.id,
              inputs,
              outputs,
              ...(driftKeys.length ? { driftKeys } : {}),
            });
            this.elide(ctx);
          } catch (err) {
            change.error = errorText(err);
            ctx.errors.push(`${r.urn}: read failed: ${change.error}`);
          }
        }),
      );
    } finally {
      ctx.persist = persistBefore;
    }
  }

  // --- results --------------------------------------------------------------------------------------

  private result(ctx: RunContext): OperationResult {
    const stackUrn = `urn:pulumi:${this.options.stack}::${this.options.project}::${STACK_TYPE}::${this.options.project}-${this.options.stack}`;
    const rawOutputs =
      ctx.componentOutputs.get(stackUrn) ??
      (ctx.kind === "destroy" ? {} : (ctx.snapshot.resources.find((r) => r.urn === stackUrn)?.outputs ?? {}));
    const counts: Partial<Record<StepOp, number>> = {};
    for (const c of ctx.changes) if (!c.error) counts[c.op] = (counts[c.op] ?? 0) + 1;
    const result: OperationResult = {
      operation: ctx.kind,
      project: this.options.project,
      stack: this.options.stack,
      resources: ctx.changes,
      ...(ctx.refreshed ? { refreshed: ctx.refreshed } : {}),
      outputs: unwrapSecrets(rawOutputs) as Record<string, unknown>,
      secretOutputs: Object.keys(rawOutputs).filter((k) => containsSecrets(rawOutputs[k])),
      counts,
      failed: ctx.changes.filter((c) => c.error).length,
      errors: ctx.errors,
      warnings: ctx.warnings,
      durationMs: Date.now() - ctx.t0,
      format: () => formatResult(result),
    };
    return result;
  }
}

// ------------------------------------------------------------------------------------------------------
// Display, in the manner of the Pulumi CLI

const SYMBOL: Record<StepOp, string> = {
  same: "  ",
  create: "+ ",
  update: "~ ",
  replace: "+-",
  delete: "- ",
  read: "> ",
  "refresh-drift": "~ ",
};

const PLANNED: Record<StepOp, string> = {
  same: "",
  create: "create",
  update: "update",
  replace: "replace",
  delete: "delete",
  read: "read",
  "refresh-drift": "refresh",
};
const DONE: Record<StepOp, string> = {
  same: "",
  create: "created",
  update: "updated",
  replace: "replaced",
  delete: "deleted",
  read: "read",
  "refresh-drift": "refreshed",
};

function showValue(v: unknown, secret: boolean): string {
  if (secret) return "[secret]";
  if (v === UNKNOWN) return "output<unknown>";
  return JSON.stringify(v, (_k, x: unknown) => (x === UNKNOWN ? "output<unknown>" : x));
}

export function formatResult(result: OperationResult): string {
  const planning = result.operation === "preview";
  const verbs: Record<OperationKind, string> = {
    preview: "Previewing update",
    up: "Updating",
    refresh: "Refreshing",
    destroy: "Destroying",
  };
  const lines = [`${verbs[result.operation]} (${result.stack}):`, ""];
  const drifted = (result.refreshed ?? []).filter((r) => r.op !== "same");
  if (result.refreshed) {
    lines.push(
      `Refreshed ${result.refreshed.filter((r) => r.custom).length} resources${drifted.length ? ":" : ", no drift"}`,
    );
    for (const r of drifted) {
      const what = r.op === "delete" ? "gone from the device" : `drift: ${r.changedKeys.join(", ")}`;
      lines.push(`    ${SYMBOL[r.op]} ${r.type} ${r.name} (${what})`);
    }
    lines.push("");
  }
  const typeWidth = Math.max(4, ...result.resources.map((r) => r.type.length));
  const nameWidth = Math.max(4, ...result.resources.map((r) => r.name.length));
  lines.push(
    `     ${"Type".padEnd(typeWidth)}  ${"Name".padEnd(nameWidth)}  ${planning ? "Plan" : "Status"}`,
  );
  for (const r of result.resources) {
    const label = r.error ? `${PLANNED[r.op] || "step"} failed` : (planning ? PLANNED : DONE)[r.op];
    const keys = r.changedKeys.map(
      (k) => `${r.replaceKeys.includes(k) ? "+-" : "~"}${k} (${r.reasons[k] ?? "changed"})`,
    );
    const info = [
      keys.length ? `[diff: ${keys.join(", ")}]` : "",
      r.reasons["(initErrors)"] ? "[init errors: update to finish initialization]" : "",
      r.op === "replace" && r.deleteBeforeReplace ? "[delete-before-replace]" : "",
      r.error ? `**failed**: ${r.error}` : "",
    ]
      .filter(Boolean)
      .join(" ");
    lines.push(
      ` ${SYMBOL[r.op]}  ${r.type.padEnd(typeWidth)}  ${r.name.padEnd(nameWidth)}  ${label.padEnd(9)} ${info}`.trimEnd(),
    );
  }
  const outputNames = Object.keys(result.outputs);
  if (outputNames.length) {
    lines.push("", "Outputs:");
    const width = Math.max(...outputNames.map((k) => k.length));
    for (const k of outputNames)
      lines.push(`    ${k.padEnd(width)}: ${showValue(result.outputs[k], result.secretOutputs.includes(k))}`);
  }
  const parts: string[] = [];
  const c = result.counts;
  const word = (op: StepOp, planned: string, done: string) => {
    if (c[op]) parts.push(`${c[op]} ${planning ? planned : done}`);
  };
  word("create", "to create", "created");
  word("update", "to update", "updated");
  word("replace", "to replace", "replaced");
  word("delete", "to delete", "deleted");
  word("refresh-drift", "drifted", "drifted");
  word("read", "to read", "read");
  if (c.same) parts.push(`${c.same} unchanged`);
  if (result.failed) parts.push(`${result.failed} failed`);
  lines.push("", `Resources: ${parts.join(", ") || "none"}`);
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  for (const e of result.errors) lines.push(`error: ${e}`);
  lines.push(`Duration: ${(result.durationMs / 1000).toFixed(1)}s`);
  return lines.join("\n");
}
