import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { sessionIdFrom } from "../auth/sessions";
import type { Appliance } from "../core";
import type { FaultSpec } from "../faults";
import type { RequestContext } from "./context";
import type { Reply } from "./envelope";
import { parentOf } from "./envelope";
import {
  SpsError,
  configurationLocked,
  lengthRequired,
  methodNotAllowed,
  notFound,
  serviceUnavailable,
  syntacticError,
  unauthenticated,
  unauthorized,
  unsupportedMediaType,
} from "./errors";
import type { Limiter } from "./limiter";
import type { Method, Router } from "./router";
import { allowOf } from "./router";
import { OTHER_ADMIN } from "../state/store";

const MAX_BODY = 4 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy(new Error("body too large"));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function errorReply(err: SpsError, path: string): Reply {
  return {
    status: err.status,
    body: {
      error: { type: err.type, message: err.message, details: err.details },
      meta: { href: path, parent: parentOf(path) },
    },
    headers: err.headers,
  };
}

/** Every response carries Content-Type, Content-Language and Allow ("Message format", wire notes §0). */
function send(res: ServerResponse, reply: Reply, allow: string[]): void {
  const payload = Buffer.from(JSON.stringify(reply.body));
  res.writeHead(reply.status, {
    "Content-Type": "application/json",
    "Content-Language": "en",
    Allow: allow.join(", "),
    "Content-Length": String(payload.length),
    ...reply.headers,
  });
  res.end(payload);
}

function parseJson(raw: Buffer, headers: IncomingMessage["headers"]): unknown {
  if (raw.length === 0) return undefined;
  const type = (headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") throw unsupportedMediaType(type);
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw syntacticError("The request body is not valid JSON.");
  }
}

export class Pipeline {
  constructor(
    private readonly appliance: Appliance,
    private readonly router: Router,
    private readonly limiter: Limiter,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { appliance } = this;
    const method = (req.method ?? "GET").toUpperCase();
    const path = new URL(req.url ?? "/", "https://sps.invalid").pathname;
    const matched = this.router.match(path);
    const routeName = matched?.route.pattern ?? path;
    appliance.counters.requests += 1;
    const byRoute = appliance.counters.requestsByRoute;
    byRoute[`${method} ${routeName}`] = (byRoute[`${method} ${routeName}`] ?? 0) + 1;

    const release = await this.limiter.acquire();
    res.on("close", release);
    const allow = matched ? allowOf(matched.route) : [];
    try {
      const raw = await readBody(req);
      const reply = await this.process(req, res, method, path, matched, raw);
      if (reply) send(res, reply, allow);
    } catch (err) {
      if (res.destroyed) return;
      const spsError =
        err instanceof SpsError
          ? err
          : new SpsError(500, "InternalError", err instanceof Error ? err.message : String(err));
      send(res, errorReply(spsError, path), allow);
    } finally {
      release();
    }
  }

  private async process(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    matched: ReturnType<Router["match"]>,
    raw: Buffer,
  ): Promise<Reply | undefined> {
    const { appliance } = this;
    const { options } = appliance;
    // [V] 411 on a body-less POST /api/transaction; applied to every POST/PUT as an HTTP server would.
    if (
      (method === "POST" || method === "PUT") &&
      req.headers["content-length"] === undefined &&
      req.headers["transfer-encoding"] === undefined
    ) {
      throw lengthRequired();
    }
    if (options.latencyMs > 0) await sleep(options.latencyMs);

    const faults = appliance.faults.take({ method, path, route: matched?.route.pattern ?? path });
    for (const f of faults) if (f.kind === "delayMs") await sleep(f.ms ?? 0);
    const terminal = faults.find((f) => f.kind !== "delayMs" && f.kind !== "commitFailure");
    if (terminal) this.fireBeforeApply(terminal, res);
    if (res.destroyed) return undefined;

    if (!matched) throw notFound(path);
    const { route, params } = matched;
    appliance.sessions.sweep();
    const session = appliance.sessions.use(sessionIdFrom(req.headers));
    if (route.auth && !session) throw unauthenticated(path);
    const handler = route.methods[method as Method];
    if (!handler) throw methodNotAllowed(method, allowOf(route));
    // [C] SPS ≥ 7.5: browser-like clients must echo the user/info token on changes.
    if (
      options.requireXTokenForBrowsers &&
      session &&
      method !== "GET" &&
      /Mozilla/.test(req.headers["user-agent"] ?? "") &&
      req.headers["x-token"] !== session.xToken
    ) {
      throw unauthorized(path, "missing or wrong X-Token");
    }
    const ctx: RequestContext = {
      method: method as Method,
      path,
      params,
      headers: req.headers,
      body: parseJson(raw, req.headers),
      session,
      appliance,
      faults,
    };
    const reply = await handler(ctx);
    if (terminal?.kind === "resetAfterApply") {
      res.destroy();
      return undefined;
    }
    const live = ctx.session;
    if (live && typeof reply.body === "object" && reply.body !== null && "meta" in reply.body) {
      const meta = (reply.body as { meta: Record<string, unknown> }).meta;
      // [V] meta.remaining_seconds appears on authenticated responses.
      meta.remaining_seconds = appliance.sessions.remainingSeconds(live);
    }
    return reply;
  }

  private fireBeforeApply(fault: FaultSpec, res: ServerResponse): void {
    switch (fault.kind) {
      case "http503":
        throw serviceUnavailable(fault.retryAfterSeconds ?? 1);
      case "resetBeforeApply":
        res.destroy();
        return;
      case "lockedByOther":
        throw configurationLocked(OTHER_ADMIN);
      default:
        return;
    }
  }
}
