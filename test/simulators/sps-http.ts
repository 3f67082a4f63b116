// A deliberately small HTTPS client for the SPS simulator tests: plain node:https, one fresh TLS connection
// per request (so certificate rebinding is observable), and hand-kept session cookie. No provider code.
import { request } from "node:https";
import type { IncomingHttpHeaders } from "node:http";
import type { TLSSocket } from "node:tls";
import { connect } from "node:tls";

export interface SpsResponse {
  status: number;
  headers: IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  peerFingerprint256: string;
}

export interface RequestOptions {
  json?: unknown;
  headers?: Record<string, string>;
}

export class SpsHttp {
  sessionId: string | undefined;

  constructor(
    readonly baseUrl: string,
    readonly ca: string,
    /** For certificates made for other names: the chain is still verified, the host name is not. */
    private readonly skipHostnameCheck = false,
  ) {}

  send(method: string, path: string, opts: RequestOptions = {}): Promise<SpsResponse> {
    const url = new URL(path, this.baseUrl);
    const payload = opts.json === undefined ? undefined : Buffer.from(JSON.stringify(opts.json));
    const headers: Record<string, string> = { "User-Agent": "sps-sim-test/1.0", ...opts.headers };
    if (payload) {
      headers["Content-Type"] ??= "application/json";
      headers["Content-Length"] = String(payload.length);
    } else if (method === "POST" || method === "PUT") {
      headers["Content-Length"] = "0";
    }
    if (this.sessionId) headers.Cookie = `session_id=${this.sessionId}`;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          headers,
          ca: this.ca,
          agent: false,
          servername: "localhost",
          ...(this.skipHostnameCheck ? { checkServerIdentity: () => undefined } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          const fp = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              json: text ? JSON.parse(text) : undefined,
              peerFingerprint256: fp,
            });
          });
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  async login(user: string, password: string): Promise<SpsResponse> {
    const res = await this.send("GET", "/api/authentication", {
      headers: { Authorization: `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}` },
    });
    const cookie = ([] as string[])
      .concat(res.headers["set-cookie"] ?? [])
      .find((c) => c.startsWith("session_id="));
    if (cookie) this.sessionId = cookie.slice("session_id=".length).split(";")[0];
    return res;
  }
}

/** Writes a request byte for byte (curl -X POST without data sends neither Content-Length nor a body). */
export function rawRequest(baseUrl: string, ca: string, text: string): Promise<string> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), ca, servername: "localhost" }, () =>
      socket.write(text),
    );
    let out = "";
    socket.on("data", (d: Buffer) => {
      out += d.toString("utf8");
      if (/\r\n\r\n[\s\S]*\}$/.test(out)) socket.end();
    });
    socket.on("end", () => resolve(out));
    socket.on("error", reject);
  });
}
