import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";

import type * as GrpcJsNs from "@grpc/grpc-js";
import type * as ProviderGrpcPbNs from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as ProviderPbNs from "@pulumi/pulumi/proto/provider_pb";
import type * as StatusPbNs from "@pulumi/pulumi/proto/status_pb";
import type * as StructPbNs from "google-protobuf/google/protobuf/struct_pb";

// Types come from this repository's copy; the values are loaded from whichever @pulumi/pulumi the caller picks.
type ProviderPb = typeof ProviderPbNs;
type ProviderGrpcPb = typeof ProviderGrpcPbNs;
type StatusPb = typeof StatusPbNs;
type StructPb = typeof StructPbNs;
type GrpcJs = typeof GrpcJsNs;
type Client = InstanceType<ProviderGrpcPb["ResourceProviderClient"]>;

/** What the engine sends for a value not known until apply (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type PropertyMap = Record<string, unknown>;

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface PluginCheckResult {
  inputs: PropertyMap;
  failures: CheckFailure[];
}

export interface PluginDiffResult {
  changes: "none" | "some" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
}

export interface PluginCreateResult {
  id: string;
  properties: PropertyMap;
}

export interface PluginReadResult {
  /** "" when the resource is gone (the engine then drops it from state). */
  id: string;
  properties: PropertyMap;
  /** Present only when the provider's read returned inputs. */
  inputs?: PropertyMap;
}

export interface PluginUpdateResult {
  properties: PropertyMap;
}

/**
 * A create or update that the plugin reported as `pulumirpc.ErrorResourceInitFailed` (the provider threw an
 * error carrying `id`): the object exists on the device but did not finish initializing. The engine records
 * it in state with `initErrors` and issues an update (or replace) on the next `up`.
 */
export class ResourceInitError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: PropertyMap,
    readonly reasons: string[],
  ) {
    super(message);
    this.name = "ResourceInitError";
  }
}

/** A failed gRPC call, with the method and gRPC status code. */
export class PluginCallError extends Error {
  constructor(
    readonly method: string,
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = "PluginCallError";
  }
}

export interface PluginStartOptions {
  /** The plugin's working directory: `require()` in serialized providers resolves from here (the project root). */
  cwd: string;
  /** Extra environment for the plugin process (PULUMI_NODEJS_PROJECT, PULUMI_CONFIG, ...). */
  env?: Record<string, string | undefined>;
  /** The @pulumi/pulumi package directory to use; resolved from `cwd` when omitted. */
  pulumiDir?: string;
  /** The node binary; the current one by default (npm scripts run Node 22 from devDependencies). */
  nodePath?: string;
  /** How long to wait for the port line (default 30 s). */
  startTimeoutMs?: number;
}

/** The directory of the @pulumi/pulumi package as resolved from `from` (a directory). */
export function resolvePulumiDir(from: string): string {
  return dirname(createRequire(join(resolve(from), "noop.js")).resolve("@pulumi/pulumi/package.json"));
}

/** Deep copy without `undefined` (protobuf Struct rejects it), with `unknown` markers left to the caller. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : plain(v)));
  if (value && typeof value === "object") {
    const out: PropertyMap = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plain(v);
    return out;
  }
  return value;
}

/**
 * The real Pulumi dynamic-provider plugin (`@pulumi/pulumi/cmd/dynamic-provider`) in a child process,
 * driven over gRPC as the engine drives `pulumi-resource-pulumi-nodejs`.
 */
export class DynamicProviderPlugin {
  private stdoutText = "";
  private stderrText = "";
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly client: Client,
    private readonly pb: ProviderPb,
    private readonly statusPb: StatusPb,
    private readonly structPb: StructPb,
    readonly port: number,
    readonly pulumiDir: string,
  ) {}

  static async start(options: PluginStartOptions): Promise<DynamicProviderPlugin> {
    const cwd = resolve(options.cwd);
    const pulumiDir = options.pulumiDir ? resolve(options.pulumiDir) : resolvePulumiDir(cwd);
    const req = createRequire(join(pulumiDir, "package.json"));
    const entry = req.resolve("@pulumi/pulumi/cmd/dynamic-provider");
    const grpcPb = req(join(pulumiDir, "proto", "provider_grpc_pb")) as ProviderGrpcPb;
    const pb = req(join(pulumiDir, "proto", "provider_pb")) as ProviderPb;
    const statusPb = req(join(pulumiDir, "proto", "status_pb")) as StatusPb;
    // The copies the generated stubs require, so messages pass their instanceof checks.
    const protoReq = createRequire(join(pulumiDir, "proto", "provider_pb.js"));
    const structPb = protoReq("google-protobuf/google/protobuf/struct_pb") as StructPb;
    const grpc = protoReq("@grpc/grpc-js") as GrpcJs;
    if (!existsSync(entry)) throw new Error(`dynamic provider plugin not found at ${entry}`);

    const child = spawn(options.nodePath ?? process.execPath, [entry, "127.0.0.1:0"], {
      cwd,
      env: { ...process.env, PULUMI_NODEJS_PROJECT: "project", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const port = await new Promise<number>((resolvePort, reject) => {
      const timer = setTimeout(
        () => fail(new Error(`plugin did not announce a port in time\n${stderr}`)),
        options.startTimeoutMs ?? 30_000,
      );
      const fail = (err: Error) => {
        clearTimeout(timer);
        child.kill("SIGKILL");
        reject(err);
      };
      const onData = (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
        const nl = stdout.indexOf("\n");
        if (nl < 0) return;
        const line = stdout.slice(0, nl).trim();
        stdout = stdout.slice(nl + 1);
        child.stdout!.off("data", onData);
        clearTimeout(timer);
        const n = Number(line);
        if (!Number.isInteger(n) || n <= 0)
          return fail(new Error(`plugin printed ${JSON.stringify(line)} instead of a port\n${stderr}`));
        resolvePort(n);
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
      child.once("error", fail);
      child.once("exit", (code, signal) =>
        fail(new Error(`plugin exited (${code ?? signal}) before announcing a port\n${stderr}`)),
      );
    });
    const client = new grpcPb.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const plugin = new DynamicProviderPlugin(child, client, pb, statusPb, structPb, port, pulumiDir);
    plugin.stdoutText = stdout;
    plugin.stderrText = stderr;
    child.removeAllListeners("exit");
    child.stderr!.removeAllListeners("data");
    child.stdout!.on("data", (c: Buffer) => (plugin.stdoutText += c.toString("utf8")));
    child.stderr!.on("data", (c: Buffer) => (plugin.stderrText += c.toString("utf8")));
    child.once("exit", () => (plugin.exited = true));
    await new Promise<void>((res, rej) =>
      client.waitForReady(Date.now() + 10_000, (err) => (err ? rej(err) : res())),
    );
    return plugin;
  }

  /** The plugin process's id (bench: RSS sampling from /proc/<pid>/status); undefined once it has exited. */
  get pid(): number | undefined {
    return this.exited ? undefined : this.child.pid;
  }

  /** Everything the plugin wrote: stdout after the port line, and stderr. */
  output(): { stdout: string; stderr: string } {
    return { stdout: this.stdoutText, stderr: this.stderrText };
  }

  private struct(value: PropertyMap) {
    return this.structPb.Struct.fromJavaScript(plain(value) as Record<string, never>);
  }

  private call<Req, Res>(method: string, request: Req): Promise<Res> {
    if (this.exited)
      return Promise.reject(
        new PluginCallError(method, undefined, `${method}: the plugin process has exited`),
      );
    const fn = (
      this.client as unknown as Record<
        string,
        (
          r: Req,
          cb: (
            e: (Error & { code?: number; metadata?: { get(k: string): unknown[] } }) | null,
            r: Res,
          ) => void,
        ) => void
      >
    )[method];
    return new Promise((res, rej) =>
      fn.call(this.client, request, (err, response) => {
        if (!err) return res(response);
        const init = this.initFailure(err);
        rej(
          init ??
            new PluginCallError(
              method,
              err.code,
              `${method}: ${(err as { details?: string }).details ?? err.message}`,
            ),
        );
      }),
    );
  }

  /** Decodes `pulumirpc.ErrorResourceInitFailed` from `grpc-status-details-bin`, as the engine does. */
  private initFailure(
    err: Error & { metadata?: { get(k: string): unknown[] }; details?: string },
  ): ResourceInitError | undefined {
    const raw = err.metadata?.get("grpc-status-details-bin")?.[0];
    if (!raw) return undefined;
    const status = this.statusPb.Status.deserializeBinary(
      raw instanceof Uint8Array ? raw : Buffer.from(String(raw), "binary"),
    );
    for (const any of status.getDetailsList()) {
      if (!any.getTypeUrl().endsWith("pulumirpc.ErrorResourceInitFailed")) continue;
      const detail = this.pb.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
      return new ResourceInitError(
        status.getMessage() || err.details || err.message,
        detail.getId(),
        (detail.getProperties()?.toJavaScript() ?? {}) as PropertyMap,
        detail.getReasonsList(),
      );
    }
    return undefined;
  }

  /** Configure: the whole stack config, keys namespaced (`project:key`); secret values may be envelopes. */
  async configure(config: PropertyMap): Promise<{ acceptSecrets: boolean; supportsPreview: boolean }> {
    const req = new this.pb.ConfigureRequest();
    req.setArgs(this.struct(config));
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    req.setSendsOldInputs(true);
    req.setSendsOldInputsToDelete(true);
    const variables = req.getVariablesMap();
    for (const [k, v] of Object.entries(config))
      variables.set(k, typeof v === "string" ? v : JSON.stringify(v));
    const resp = await this.call<typeof req, InstanceType<ProviderPb["ConfigureResponse"]>>("configure", req);
    return { acceptSecrets: resp.getAcceptsecrets(), supportsPreview: resp.getSupportspreview() };
  }

  async check(urn: string, olds: PropertyMap, news: PropertyMap): Promise<PluginCheckResult> {
    const req = new this.pb.CheckRequest();
    req.setUrn(urn);
    req.setName(nameOf(urn));
    req.setType(typeOf(urn));
    req.setOlds(this.struct(olds));
    req.setNews(this.struct(news));
    const resp = await this.call<typeof req, InstanceType<ProviderPb["CheckResponse"]>>("check", req);
    return {
      inputs: (resp.getInputs()?.toJavaScript() ?? {}) as PropertyMap,
      failures: resp.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(
    urn: string,
    id: string,
    olds: PropertyMap,
    news: PropertyMap,
    oldInputs: PropertyMap,
  ): Promise<PluginDiffResult> {
    const req = new this.pb.DiffRequest();
    req.setUrn(urn);
    req.setName(nameOf(urn));
    req.setType(typeOf(urn));
    req.setId(id);
    req.setOlds(this.struct(olds));
    req.setNews(this.struct(news));
    req.setOldInputs(this.struct(oldInputs));
    const resp = await this.call<typeof req, InstanceType<ProviderPb["DiffResponse"]>>("diff", req);
    const C = this.pb.DiffResponse.DiffChanges;
    const changes =
      resp.getChanges() === C.DIFF_SOME ? "some" : resp.getChanges() === C.DIFF_NONE ? "none" : "unknown";
    return { changes, replaces: resp.getReplacesList(), deleteBeforeReplace: resp.getDeletebeforereplace() };
  }

  /**
   * Create. With `preview` the plugin is not called: it answers supportsPreview=false, so the engine returns
   * the inputs as the outputs and an empty ID (provider_plugin.go), and the program sees the rest as unknown.
   */
  async create(urn: string, props: PropertyMap, preview = false): Promise<PluginCreateResult> {
    if (preview) return { id: "", properties: props };
    const req = new this.pb.CreateRequest();
    req.setUrn(urn);
    req.setName(nameOf(urn));
    req.setType(typeOf(urn));
    req.setProperties(this.struct(props));
    const resp = await this.call<typeof req, InstanceType<ProviderPb["CreateResponse"]>>("create", req);
    if (!resp.getId())
      throw new PluginCallError("create", undefined, `create: provider returned an empty ID for ${urn}`);
    return { id: resp.getId(), properties: (resp.getProperties()?.toJavaScript() ?? {}) as PropertyMap };
  }

  async read(urn: string, id: string, props: PropertyMap, inputs: PropertyMap): Promise<PluginReadResult> {
    const req = new this.pb.ReadRequest();
    req.setUrn(urn);
    req.setName(nameOf(urn));
    req.setType(typeOf(urn));
    req.setId(id);
    req.setProperties(this.struct(props));
    req.setInputs(this.struct(inputs));
    const resp = await this.call<typeof req, InstanceType<ProviderPb["ReadResponse"]>>("read", req);
    const result: PluginReadResult = {
      id: resp.getId(),
      properties: (resp.getProperties()?.toJavaScript() ?? {}) as PropertyMap,
    };
    if (resp.hasInputs()) result.inputs = resp.getInputs()!.toJavaScript() as PropertyMap;
    return result;
  }

  /** Update. With `preview` the plugin is not called and the new inputs come back (supportsPreview=false). */
  async update(
    urn: string,
    id: string,
    olds: PropertyMap,
    news: PropertyMap,
    oldInputs: PropertyMap,
    preview = false,
  ): Promise<PluginUpdateResult> {
    if (preview) return { properties: news };
    const req = new this.pb.UpdateRequest();
    req.setUrn(urn);
    req.setName(nameOf(urn));
    req.setType(typeOf(urn));
    req.setId(id);
    req.setOlds(this.struct(olds));
    req.setNews(this.struct(news));
    req.setOldInputs(this.struct(oldInputs));
    const resp = await this.call<typeof req, InstanceType<ProviderPb["UpdateResponse"]>>("update", req);
    return { properties: (resp.getProperties()?.toJavaScript() ?? {}) as PropertyMap };
  }

  async delete(urn: string, id: string, props: PropertyMap, oldInputs: PropertyMap): Promise<void> {
    const req = new this.pb.DeleteRequest();
    req.setUrn(urn);
    req.setName(nameOf(urn));
    req.setType(typeOf(urn));
    req.setId(id);
    req.setProperties(this.struct(props));
    req.setOldInputs(this.struct(oldInputs));
    await this.call("delete", req);
  }

  /** Closes the channel and kills the process (it never exits on its own). */
  async stop(): Promise<void> {
    this.client.close();
    if (this.exited) return;
    const gone = new Promise<void>((res) => this.child.once("exit", () => res()));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 3000);
    await gone;
    clearTimeout(timer);
  }
}

function nameOf(urn: string): string {
  return urn.split("::").slice(3).join("::");
}

function typeOf(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop() ?? qualified;
}
