import type { IncomingMessage, ServerResponse } from "node:http";
import type { Semaphore } from "../shared/semaphore";
import { sleep } from "../shared/sleep";
import type { HttpAuthenticator } from "./auth";
import type { AxisCounters } from "./counters";
import { operationElement, renderEnvelope, renderFault } from "./envelope";
import type { FaultInjector } from "./faultInjection";
import { SoapFault, actionNotSupported } from "./faults";
import type { OperationContext } from "./operations";
import { findOperation } from "./operations";
import type { CameraState } from "./state";
import type { XmlNode } from "./xmlWriter";

export type ListenerKind = "http" | "https";

export interface EndpointDeps {
  readonly counters: () => AxisCounters;
  readonly authenticators: Readonly<Record<ListenerKind, HttpAuthenticator>>;
  readonly semaphore: Semaphore;
  readonly latencyMs: number;
  readonly maxBodyBytes: number;
  readonly faults: FaultInjector;
  readonly state: CameraState;
  readonly operationContext: OperationContext;
  readonly enforceConnectionPolicies: boolean;
  readonly urls: () => Readonly<Record<ListenerKind, string>>;
}

const PATH = "/vapix/services";
const SOAP_CONTENT_TYPE = "application/soap+xml; charset=utf-8";
/** Content-Types working clients send (Axis doc curl, Keyfactor, rs4acap, oadm, acap-rs). */
const ACCEPTED_MEDIA_TYPES = new Set(["application/soap+xml", "application/xml", "text/xml"]);

function html(
  res: ServerResponse,
  status: number,
  title: string,
  headers: Record<string, string | string[]> = {},
): void {
  const body = `<HTML><HEAD><TITLE>${status} ${title}</TITLE></HEAD><BODY><H1>${status} ${title}</H1></BODY></HTML>\n`;
  res.writeHead(status, {
    ...headers,
    "Content-Type": "text/html; charset=iso-8859-1",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

function soap(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { "Content-Type": SOAP_CONTENT_TYPE, "Content-Length": Buffer.byteLength(xml) });
  res.end(xml);
}

/** Reads the body, or undefined (after answering 413) when it exceeds the limit. */
async function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      res.setHeader("Connection", "close");
      html(res, 413, "Request Entity Too Large");
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Destroys the connection without an HTTP response, like a device that reboots or drops mid-request. */
function reset(req: IncomingMessage): void {
  req.socket.destroy();
}

/**
 * `POST /vapix/services`: the request pipeline of one simulated camera. Every request queues for one of
 * `maxConcurrentRequests` slots, pays `latencyMs`, is authenticated per listener, then dispatched on the
 * Body's first element by namespace URI + local name.
 */
export class ServicesEndpoint {
  constructor(private readonly deps: EndpointDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse, listener: ListenerKind): Promise<void> {
    const { deps } = this;
    deps.counters().requests++;
    const path = (req.url ?? "").split("?")[0];
    if (path !== PATH) return html(res, 404, "Not Found");
    const release = await deps.semaphore.acquire();
    try {
      await sleep(deps.latencyMs);
      const body = await readBody(req, res, deps.maxBodyBytes);
      if (body === undefined) return;
      if (req.method !== "POST") return html(res, 405, "Method Not Allowed", { Allow: "POST" });
      if (this.redirectForPolicy(req, res, listener)) return;
      const auth = deps.authenticators[listener].check(req.headers.authorization, req.method, req.url ?? "");
      if (!auth.ok) {
        deps.counters().unauthorized++;
        return html(res, 401, "Unauthorized", { "WWW-Authenticate": auth.challenges });
      }
      const mediaType = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
      // [INFERRED] strict: only the media types real clients are known to use.
      if (!ACCEPTED_MEDIA_TYPES.has(mediaType)) return html(res, 415, "Unsupported Media Type");
      await this.dispatch(req, res, body);
    } finally {
      release();
    }
  }

  /**
   * ConnectionPolicies/Admin = Https sends HTTP clients to HTTPS (and Http the reverse), as the device's
   * "allow access through" setting does [INFERRED: redirect status and target not captured].
   */
  private redirectForPolicy(req: IncomingMessage, res: ServerResponse, listener: ListenerKind): boolean {
    if (!this.deps.enforceConnectionPolicies) return false;
    const policy = this.deps.state.webServer.connectionPolicies.Admin;
    const target: ListenerKind | undefined =
      policy === "Https" && listener === "http"
        ? "https"
        : policy === "Http" && listener === "https"
          ? "http"
          : undefined;
    if (!target) return false;
    html(res, 302, "Found", { Location: `${this.deps.urls()[target]}${req.url ?? PATH}` });
    return true;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const { deps } = this;
    let nodes: XmlNode[];
    try {
      const operation = operationElement(body);
      const name = operation.local;
      const byOp = deps.counters().requestsByOperation;
      byOp[name] = (byOp[name] ?? 0) + 1;

      const injected = deps.faults.take(name);
      if (injected?.kind === "delayMs") await sleep(injected.delayMs);
      if (injected?.kind === "http503") {
        return html(res, 503, "Service Unavailable", {
          "Retry-After": String(injected.retryAfterSeconds ?? 1),
        });
      }
      if (injected?.kind === "resetBeforeApply") return reset(req);
      if (injected?.kind === "soapReceiver" || injected?.kind === "soapSender") {
        const code = injected.kind === "soapReceiver" ? "Receiver" : "Sender";
        const subcodes = injected.subcode ? [injected.subcode] : [];
        throw new SoapFault(code, subcodes, injected.reason ?? "Injected fault");
      }

      const handler = findOperation(operation);
      if (!handler) throw actionNotSupported();
      nodes = await handler(operation, deps.operationContext);
      if (injected?.kind === "resetAfterApply") return reset(req);
    } catch (err) {
      const fault =
        err instanceof SoapFault
          ? err
          : new SoapFault(
              "Receiver",
              ["ter:Action"],
              `Internal error: ${err instanceof Error ? err.message : String(err)}`,
            );
      return soap(res, fault.httpStatus, renderFault(fault));
    }
    soap(res, 200, renderEnvelope(nodes));
  }
}
