/**
 * Raw-socket helpers for the Axis simulator tests: requests exactly as real clients send them, with a
 * small Digest (RFC 7616) implementation of the tests' own, so no client code is involved.
 */
import { createHash, randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { TLSSocket } from "node:tls";
import { XMLParser } from "fast-xml-parser";

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Header lines as sent, names lower-cased (Node joins repeated WWW-Authenticate lines in `headers`). */
  rawHeaders: Array<[string, string]>;
  body: string;
  /** SHA-256 fingerprint (AA:BB:… form) of the certificate the HTTPS listener presented. */
  peerFingerprint256?: string;
}

export interface RawRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  ca?: string[];
}

function pairs(raw: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i].toLowerCase(), raw[i + 1]]);
  return out;
}

export function rawRequest(req: RawRequest): Promise<RawResponse> {
  const url = new URL(req.url);
  const isHttps = url.protocol === "https:";
  const send = isHttps ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = send(
      url,
      {
        method: req.method ?? "POST",
        headers: {
          ...(req.body !== undefined ? { "Content-Length": String(Buffer.byteLength(req.body)) } : {}),
          ...req.headers,
        },
        agent: false,
        ...(isHttps ? { ca: req.ca, rejectUnauthorized: req.ca !== undefined } : {}),
      },
      (res) => {
        const fp = isHttps ? (res.socket as TLSSocket).getPeerCertificate().fingerprint256 : undefined;
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: pairs(res.rawHeaders),
            body: Buffer.concat(chunks).toString("utf8"),
            peerFingerprint256: fp,
          }),
        );
      },
    );
    r.on("error", reject);
    r.end(req.body);
  });
}

/** Parses one `WWW-Authenticate: Digest …` header into its params. */
export function digestParams(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.replace(/^Digest\s+/i, "").matchAll(/([a-z]+)=(?:"([^"]*)"|([^,\s]+))/gi)) {
    out[m[1].toLowerCase()] = m[2] ?? m[3];
  }
  return out;
}

export function digestAuthorization(o: {
  challenge: Record<string, string>;
  method: string;
  uri: string;
  username: string;
  password: string;
  nc: number;
  algorithm?: "MD5" | "SHA-256";
}): string {
  const algorithm = o.algorithm ?? (o.challenge.algorithm as "MD5" | "SHA-256" | undefined) ?? "MD5";
  const h = (s: string) =>
    createHash(algorithm === "MD5" ? "md5" : "sha256")
      .update(s)
      .digest("hex");
  const nc = o.nc.toString(16).padStart(8, "0");
  const cnonce = randomBytes(8).toString("hex");
  const ha1 = h(`${o.username}:${o.challenge.realm}:${o.password}`);
  const ha2 = h(`${o.method}:${o.uri}`);
  const response = h(`${ha1}:${o.challenge.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return (
    `Digest username="${o.username}", realm="${o.challenge.realm}", nonce="${o.challenge.nonce}", uri="${o.uri}", ` +
    `algorithm=${algorithm}, response="${response}", qop=auth, nc=${nc}, cnonce="${cnonce}"`
  );
}

/** Each WWW-Authenticate header line as sent. */
export function wwwAuthenticate(res: RawResponse): string[] {
  return res.rawHeaders.filter(([name]) => name === "www-authenticate").map(([, value]) => value);
}

export interface Target {
  httpUrl: string;
  httpsUrl: string;
  username: string;
  password: string;
  caCertificatePem: string;
}

/** A SOAP call as a real client makes it: HTTP → Digest handshake; HTTPS → Basic, verifying with `ca`. */
export async function soapCall(
  sim: Target,
  body: string,
  o: { via?: "http" | "https"; contentType?: string; ca?: string[] } = {},
): Promise<RawResponse> {
  const headers = { "Content-Type": o.contentType ?? "application/soap+xml; charset=utf-8" };
  if (o.via === "https") {
    const basic = Buffer.from(`${sim.username}:${sim.password}`).toString("base64");
    return rawRequest({
      url: `${sim.httpsUrl}/vapix/services`,
      headers: { ...headers, Authorization: `Basic ${basic}` },
      body,
      ca: o.ca ?? [sim.caCertificatePem],
    });
  }
  const url = `${sim.httpUrl}/vapix/services`;
  const first = await rawRequest({ url, headers, body });
  if (first.status !== 401) return first;
  const challenge = digestParams(wwwAuthenticate(first)[0]);
  const authorization = digestAuthorization({
    challenge,
    method: "POST",
    uri: "/vapix/services",
    username: sim.username,
    password: sim.password,
    nc: 1,
  });
  return rawRequest({ url, headers: { ...headers, Authorization: authorization }, body });
}

// --- Request bodies, verbatim from the Axis doc (seed) envelopes ------------------------------------

/** The seed document's ONVIF envelope, with its 8 namespace declarations and the doc's whitespace. */
export function tdsEnvelope(operation: string): string {
  return `<SOAP-ENV:Envelope    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"    xmlns:xs="http://www.w3.org/2001/XMLSchema"    xmlns:tds="http://www.onvif.org/ver10/device/wsdl"    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"    xmlns:xsd="http://www.w3.org/2001/XMLSchema"    xmlns:onvif="http://www.onvif.org/ver10/schema"    xmlns:tt="http://www.onvif.org/ver10/schema"    xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope">    <SOAP-ENV:Body>        ${operation}    </SOAP-ENV:Body></SOAP-ENV:Envelope>`;
}

/** The seed document's acertificates envelope (7 declarations). */
export function acertEnvelope(operation: string): string {
  return `<SOAP-ENV:Envelope    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"    xmlns:acertificates="http://www.axis.com/vapix/ws/certificates"    xmlns:acert="http://www.axis.com/vapix/ws/cert"    xmlns:xs="http://www.w3.org/2001/XMLSchema"    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"    xmlns:xsd="http://www.w3.org/2001/XMLSchema"    xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope">    <SOAP-ENV:Body>        ${operation}    </SOAP-ENV:Body></SOAP-ENV:Envelope>`;
}

/** The seed document's webserver envelope (7 declarations). */
export function awebEnvelope(operation: string): string {
  return `<SOAP-ENV:Envelope    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"    xmlns:aweb="http://www.axis.com/vapix/ws/webserver"    xmlns:acert="http://www.axis.com/vapix/ws/cert"    xmlns:xs="http://www.w3.org/2001/XMLSchema"    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"    xmlns:xsd="http://www.w3.org/2001/XMLSchema"    xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope">    <SOAP-ENV:Body>        ${operation}    </SOAP-ENV:Body></SOAP-ENV:Envelope>`;
}

/** Keyfactor / device_tool form: unprefixed envelope, default namespaces only. */
export function defaultNsEnvelope(operation: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body>${operation}</Body></Envelope>`;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  removeNSPrefix: true,
  parseTagValue: false,
  isArray: () => false,
});

/** Loose view of a response for assertions (prefix-free names; the wire shape is asserted on the text). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function parseBody(xml: string): any {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (parser.parse(xml) as any).Envelope.Body;
}

export interface FaultView {
  code: string;
  subcodes: string[];
  reason: string;
  detail: string;
}

export function faultOf(res: RawResponse): FaultView {
  const m = /<SOAP-ENV:Fault>.*<\/SOAP-ENV:Fault>/.exec(res.body);
  if (!m) throw new Error(`no fault in ${res.status} ${res.body.slice(0, 300)}`);
  const values = [...m[0].matchAll(/<SOAP-ENV:Value>([^<]*)<\/SOAP-ENV:Value>/g)].map((v) => v[1]);
  const reason = /<SOAP-ENV:Reason><SOAP-ENV:Text xml:lang="en"(?:\/>|>([^<]*)<\/SOAP-ENV:Text>)/.exec(m[0]);
  const detail = /<SOAP-ENV:Detail>(.*)<\/SOAP-ENV:Detail>/.exec(m[0]);
  return { code: values[0], subcodes: values.slice(1), reason: reason?.[1] ?? "", detail: detail?.[1] ?? "" };
}

/** Body content, envelope stripped. */
export function bodyOf(xml: string): string {
  return /<SOAP-ENV:Body>(.*)<\/SOAP-ENV:Body>/.exec(xml)?.[1] ?? "";
}

export function fingerprintColons(hex: string): string {
  return hex.toUpperCase().match(/../g)?.join(":") ?? "";
}
