import { createHash } from "node:crypto";
import { Pool } from "undici";
import type { DeviceConnection } from "./connection";
import { stripUndefined } from "../common/diff";
import { deviceLabel } from "./connection";
import { DigestSession, parseChallenges, pickDigestChallenge } from "./digest";
import { DeviceError, isDeviceError } from "./errors";
import { ReadAnswers } from "./readAnswers";
import { DEFAULT_RETRY, parseRetryAfter, withRetry } from "./retry";
import type { RetryPolicy } from "./retry";
import { trustingConnector } from "./tls";

export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  /** What the caller is doing, for error messages: "GetCertificates", "commit transaction", … */
  operation: string;
  headers?: Record<string, string>;
  body?: string;
  /** Safe to send again after a failure that may have reached the device. */
  idempotent: boolean;
  /** Send no Authorization header (e.g. a login that carries its own). */
  noAuth?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

type AuthScheme = "unknown" | "basic" | "digest";

const DEFAULT_CONNECT_MS = 10_000;
/**
 * An endpoint idle this long gives back its pool (connections, TLS context, request queue). Devices close idle
 * keep-alive connections sooner than this (Axis: seconds), so nothing is lost that the device had kept, and a
 * fleet's plugin holds pools only for the devices it is working on, not for every device it has touched.
 */
const DEFAULT_IDLE_MS = 10_000;
const DEFAULT_REQUEST_MS = 30_000;
const USER_AGENT = "pulumi-axis-sps/0.1 (+node)";

/**
 * One device's HTTP endpoint: a keep-alive pool, its trust decision, and the auth state that lets every
 * request after the first go out already authorized (Basic, or Digest with the nonce count advanced).
 */
export class DeviceHttp {
  readonly device: string;
  private readonly origin: string;
  private readonly basePath: string;
  /** Made on first use and given back after `idleMs` without a request. */
  private pool?: Pool;
  /**
   * Outlives the pools: it keeps the device's TLS sessions, so a connection opened after an idle release
   * (or after the device closed a kept-alive one) resumes instead of making a full handshake.
   */
  private connector?: ReturnType<typeof trustingConnector>;
  private readonly connectMs: number;
  private readonly idleMs: number;
  private inFlight = 0;
  private idleTimer?: NodeJS.Timeout;
  private readonly retryPolicy: RetryPolicy;
  private readonly requestMs: number;
  private scheme: AuthScheme = "unknown";
  private digest?: DigestSession;
  /** While the first request learns the auth scheme, the others wait for it instead of each taking a 401. */
  private learning?: Promise<unknown>;
  /** Read answers shared by the resources of this device until our own writes change them. */
  readonly answers = new ReadAnswers();

  private constructor(private readonly conn: DeviceConnection) {
    const url = new URL(conn.url);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, "");
    this.device = deviceLabel(conn.url);
    this.connectMs = conn.timeouts?.connectMs ?? DEFAULT_CONNECT_MS;
    this.requestMs = conn.timeouts?.requestMs ?? DEFAULT_REQUEST_MS;
    this.idleMs = conn.timeouts?.idleMs ?? DEFAULT_IDLE_MS;
    this.retryPolicy = { ...DEFAULT_RETRY, ...stripUndefined(conn.retry ?? {}) };
  }

  /** The pool for a request about to go out: the open one, or a new one after an idle release. */
  private acquirePool(): Pool {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.inFlight++;
    return (this.pool ??= new Pool(this.origin, {
      // Small devices serve two requests at a time; more connections would only queue there and cost handshakes.
      connections: this.conn.maxConnections ?? 2,
      connect: (this.connector ??= trustingConnector(this.device, this.conn.tls, this.connectMs)),
      headersTimeout: this.requestMs,
      bodyTimeout: this.requestMs,
      keepAliveTimeout: 30_000,
    }));
  }

  private releasePool(): void {
    if (--this.inFlight > 0) return;
    this.idleTimer = setTimeout(() => {
      if (this.inFlight === 0) this.closePool();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private closePool(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const idle = this.pool;
    this.pool = undefined;
    idle?.close().catch(() => undefined);
  }

  /**
   * The shared endpoint for a connection. Pools live on globalThis because the provider module may be
   * loaded more than once in the plugin process (once per serialized provider text).
   */
  static for(conn: DeviceConnection): DeviceHttp {
    const registry = endpointRegistry();
    const key = connectionKey(conn);
    let endpoint = registry.get(key);
    if (!endpoint) {
      endpoint = new DeviceHttp(conn);
      registry.set(key, endpoint);
    }
    return endpoint;
  }

  /**
   * Closes now the pools of a device's endpoints that have no request in flight (`device` as errors name
   * it: the URL's origin), instead of after `idleMs`: for when other devices are waiting for their turn.
   */
  static releaseIdle(device: string): void {
    for (const endpoint of endpointRegistry().values()) {
      if (endpoint.device === device && endpoint.inFlight === 0) endpoint.closePool();
    }
  }

  /**
   * Forgets what every device answered: what a new plugin process (a new Pulumi command) starts from. For
   * tests and tools that run several commands, or change a device by hand, in one process.
   */
  static forgetAnswers(): void {
    for (const endpoint of endpointRegistry().values()) endpoint.answers.forget();
  }

  /** Closes every pooled endpoint; for tests and short-lived tools. */
  static async closeAll(): Promise<void> {
    const registry = endpointRegistry();
    const all = [...registry.values()];
    registry.clear();
    await Promise.all(
      all.map((e) => {
        clearTimeout(e.idleTimer);
        return e.pool?.close().catch(() => undefined);
      }),
    );
  }

  /** Sends a request with retries for transient failures, per the device's retry policy. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    return withRetry(
      this.retryPolicy,
      () => this.authorizedRequest(req),
      (err) => isDeviceError(err) && err.transient && (req.idempotent || !err.maybeApplied),
    );
  }

  private async authorizedRequest(req: HttpRequest): Promise<HttpResponse> {
    if (req.noAuth) return this.send(req, undefined);
    while (this.scheme === "unknown" && this.learning) await this.learning.catch(() => undefined);
    if (this.scheme === "unknown") {
      const attempt = this.authenticate(req);
      this.learning = attempt;
      try {
        return await attempt;
      } finally {
        if (this.learning === attempt) this.learning = undefined;
      }
    }
    return this.authenticate(req);
  }

  private async authenticate(req: HttpRequest): Promise<HttpResponse> {
    const first = await this.send(req, this.currentAuthorization(req));
    if (first.status !== 401) return first;
    const sentScheme = this.scheme;
    const challenges = parseChallenges(first.headers["www-authenticate"]);
    const digest = pickDigestChallenge(challenges);
    if (digest) {
      // A fresh nonce: our first contact, a stale nonce, or a device that refused our nonce count after
      // requests crossed on parallel connections. One retry with it; a second 401 means bad credentials.
      this.scheme = "digest";
      this.digest = new DigestSession(digest);
      const second = await this.send(req, this.currentAuthorization(req));
      if (second.status !== 401) return second;
      throw this.unauthorized(req);
    }
    if (challenges.some((c) => c.scheme === "basic")) {
      if (!this.basicAllowed()) {
        throw new DeviceError(
          "DEVICE_INSECURE_AUTH_REFUSED",
          "the device asks for Basic authentication over plain HTTP, which would send the password in clear; use https:// or set allowBasicOverHttp: true",
          { device: this.device, operation: req.operation, status: 401 },
        );
      }
      if (sentScheme === "basic") throw this.unauthorized(req);
      this.scheme = "basic";
      const second = await this.send(req, this.currentAuthorization(req));
      if (second.status !== 401) return second;
      throw this.unauthorized(req);
    }
    throw this.unauthorized(req);
  }

  private unauthorized(req: HttpRequest): DeviceError {
    return new DeviceError(
      "DEVICE_UNAUTHORIZED",
      `the device refused the credentials of user "${this.conn.username}" (HTTP 401)`,
      {
        device: this.device,
        operation: req.operation,
        status: 401,
      },
    );
  }

  private basicAllowed(): boolean {
    return this.origin.startsWith("https:") || this.conn.allowBasicOverHttp === true;
  }

  private currentAuthorization(req: HttpRequest): string | undefined {
    if (this.scheme === "digest" && this.digest) {
      return this.digest.authorize(
        req.method,
        this.basePath + req.path,
        this.conn.username,
        this.conn.password,
      );
    }
    // Preemptive Basic only where the channel is verified TLS: the password then reaches no one but the device.
    const verifiedTls = this.origin.startsWith("https:") && this.conn.tls?.insecure !== true;
    if (this.scheme === "basic" || (this.scheme === "unknown" && verifiedTls)) {
      if (!this.basicAllowed()) return undefined;
      const token = Buffer.from(`${this.conn.username}:${this.conn.password}`, "utf8").toString("base64");
      return `Basic ${token}`;
    }
    return undefined;
  }

  private async send(req: HttpRequest, authorization: string | undefined): Promise<HttpResponse> {
    const pool = this.acquirePool();
    try {
      return await this.exchange(pool, req, authorization);
    } finally {
      this.releasePool();
    }
  }

  private async exchange(
    pool: Pool,
    req: HttpRequest,
    authorization: string | undefined,
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = { "user-agent": USER_AGENT, ...req.headers };
    if (authorization) headers.authorization = authorization;
    if (req.body !== undefined) headers["content-length"] = String(Buffer.byteLength(req.body));
    const ctx = { device: this.device, operation: req.operation };
    let res;
    try {
      res = await pool.request({
        method: req.method,
        path: this.basePath + req.path,
        headers,
        body: req.body,
        signal: AbortSignal.timeout(this.requestMs),
      });
    } catch (err) {
      throw translateNetworkError(err, ctx, req.idempotent);
    }
    let body: string;
    try {
      body = await res.body.text();
    } catch (err) {
      throw translateNetworkError(err, ctx, req.idempotent);
    }
    // undici marks the connection free a tick after the body ends; without this yield a request sent right
    // away opens a second connection (and, on HTTPS, pays a second handshake).
    await new Promise((resolve) => setImmediate(resolve));
    if (res.statusCode === 502 || res.statusCode === 503 || res.statusCode === 504) {
      throw new DeviceError("DEVICE_HTTP_ERROR", `HTTP ${res.statusCode} (device busy or unavailable)`, {
        ...ctx,
        status: res.statusCode,
        transient: true,
        retryAfterMs: parseRetryAfter(res.headers["retry-after"]),
      });
    }
    return { status: res.statusCode, headers: res.headers, body };
  }
}

function translateNetworkError(
  err: unknown,
  ctx: { device: string; operation: string },
  idempotent: boolean,
): DeviceError {
  if (isDeviceError(err)) return err;
  const e = err as { code?: string; name?: string; message?: string };
  const code = e.code ?? e.name ?? "";
  const text = `${code ? code + ": " : ""}${e.message ?? String(err)}`;
  if (code === "UND_ERR_CONNECT_TIMEOUT") {
    return new DeviceError("DEVICE_TIMEOUT", `connect timed out (${text})`, {
      ...ctx,
      transient: true,
      cause: err,
    });
  }
  if (["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "TimeoutError", "AbortError"].includes(code)) {
    // The request went out: the device may have acted on it.
    return new DeviceError("DEVICE_TIMEOUT", `no answer in time (${text})`, {
      ...ctx,
      transient: true,
      maybeApplied: true,
      cause: err,
    });
  }
  if (["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"].includes(code)) {
    return new DeviceError("DEVICE_UNREACHABLE", text, { ...ctx, transient: true, cause: err });
  }
  // A reset or closed socket mid-exchange: the request may have been applied; only idempotent ones are safe.
  return new DeviceError("DEVICE_UNREACHABLE", text, {
    ...ctx,
    transient: true,
    maybeApplied: !idempotent,
    cause: err,
  });
}

function connectionKey(conn: DeviceConnection): string {
  // The password is part of the key (a rotated password is a new endpoint) but only as a hash.
  return createHash("sha256")
    .update(
      JSON.stringify([
        conn.url,
        conn.username,
        conn.password,
        conn.tls,
        conn.allowBasicOverHttp,
        conn.timeouts,
        conn.retry,
        conn.maxConnections,
      ]),
    )
    .digest("hex");
}

function endpointRegistry(): Map<string, DeviceHttp> {
  const slot = Symbol.for("pulumi-axis-sps.transport.endpoints");
  const g = globalThis as unknown as Record<symbol, Map<string, DeviceHttp> | undefined>;
  return (g[slot] ??= new Map());
}
