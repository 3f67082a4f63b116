import { createPrivateKey, randomBytes } from "node:crypto";
import type { Server as HttpServer } from "node:http";
import { createServer as createHttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { Semaphore } from "../shared/semaphore";
import { HttpAuthenticator } from "./auth";
import type { AxisCounters } from "./counters";
import { copyCounters, emptyCounters } from "./counters";
import {
  defaultHttpsCertificate,
  eccDeviceIdCertificate,
  rsaDeviceIdCertificate,
  sharedPki,
} from "./deviceIdentity";
import type { ListenerKind } from "./endpoint";
import { ServicesEndpoint } from "./endpoint";
import type { InjectedFault } from "./faultInjection";
import { FaultInjector } from "./faultInjection";
import type { OperationContext } from "./operations";
import type { AxisSimulatorOptions, ResolvedOptions } from "./options";
import {
  createCertificate,
  generateKey,
  keyMatchesCertificate,
  parseCertificate,
  pemToDer,
  privateKeyPem,
  sha256Hex,
  subjectJson,
  toPem,
} from "./pki";
import type { Dot1XConfiguration, WebServerTlsConfiguration } from "./state";
import { CameraState } from "./state";
import type { ClientCertificate } from "./store";
import { caCertificate, clientCertificate, isValidCertificateId } from "./store";

/** A client certificate as the control surface reports it. */
export interface SimulatedCertificate {
  readonly id: string;
  readonly der: Buffer;
  readonly pem: string;
  /** SHA-256 of the DER, lower-case hex without separators. */
  readonly fingerprintSha256: string;
  readonly hasPrivateKey: boolean;
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface SimulatedCaCertificate {
  readonly id: string;
  readonly der: Buffer;
  readonly pem: string;
  readonly fingerprintSha256: string;
  readonly subject: string;
}

function resolveOptions(o: AxisSimulatorOptions): ResolvedOptions {
  const mac = (o.mac ?? `ACCC8E${randomBytes(3).toString("hex")}`).toUpperCase();
  if (!/^[0-9A-F]{12}$/.test(mac)) throw new Error("mac must be 12 hexadecimal digits");
  return {
    host: o.host ?? "127.0.0.1",
    httpPort: o.httpPort ?? 0,
    httpsPort: o.httpsPort ?? 0,
    mac,
    name: o.name ?? `axis-${mac.toLowerCase()}`,
    username: o.username ?? "root",
    password: o.password ?? randomBytes(12).toString("base64url"),
    httpAuth: o.httpAuth ?? "digest",
    httpsAuth: o.httpsAuth ?? "basic",
    digestAlgorithms: o.digestAlgorithms ?? ["MD5"],
    nonceLifetimeMs: o.nonceLifetimeMs ?? 300_000,
    latencyMs: o.latencyMs ?? 0,
    keyGenerationMs: o.keyGenerationMs ?? 0,
    onDeviceKeyType: o.onDeviceKeyType ?? "EC-P256",
    maxConcurrentRequests: o.maxConcurrentRequests ?? 2,
    maxCertificates: o.maxCertificates ?? 20,
    maxCaCertificates: o.maxCaCertificates ?? 100,
    rsaDeviceId: o.rsaDeviceId ?? false,
    dot1xRequireCommonNameMatch: o.dot1xRequireCommonNameMatch ?? true,
    enforceConnectionPolicies: o.enforceConnectionPolicies ?? true,
    maxBodyBytes: o.maxBodyBytes ?? 1024 * 1024,
  };
}

function listen(server: HttpServer | HttpsServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * One simulated Axis camera (AXIS OS 12.11 behaviour) serving `POST /vapix/services` on an HTTP and an HTTPS
 * listener. The HTTPS listener always presents the certificate bound in the web server TLS configuration.
 */
export class AxisSimulator {
  readonly httpUrl: string;
  readonly httpsUrl: string;
  readonly username: string;
  readonly password: string;
  /** 12 upper-case hex digits; also the serial number. */
  readonly mac: string;
  /** `AXIS_<MAC>`. */
  readonly realm: string;
  readonly name: string;
  /** PEM of the initial self-signed HTTPS certificate: the trust anchor for the HTTPS listener as started. */
  readonly caCertificatePem: string;

  private readonly state: CameraState;
  private readonly faults = new FaultInjector();
  private stats: AxisCounters = emptyCounters();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly options: ResolvedOptions,
    private readonly httpServer: HttpServer,
    private readonly httpsServer: HttpsServer,
    ports: { http: number; https: number },
    state: CameraState,
  ) {
    const host = urlHost(options.host);
    this.httpUrl = `http://${host}:${ports.http}`;
    this.httpsUrl = `https://${host}:${ports.https}`;
    this.username = options.username;
    this.password = options.password;
    this.mac = options.mac;
    this.realm = `AXIS_${options.mac}`;
    this.name = options.name;
    this.caCertificatePem = toPem(state.defaultHttps.der);
    this.state = state;
  }

  static async start(options: AxisSimulatorOptions = {}): Promise<AxisSimulator> {
    const o = resolveOptions(options);
    const pki = await sharedPki(o.rsaDeviceId);
    const [eccId, rsaId, https] = await Promise.all([
      eccDeviceIdCertificate(pki, o.mac),
      o.rsaDeviceId ? rsaDeviceIdCertificate(pki, o.mac) : undefined,
      defaultHttpsCertificate(o.mac, o.name),
    ]);
    const defaultHttps = clientCertificate(https.id, https.der, "default-https", https.privateKey);

    // The HTTPS server exists before the state so the state's rebind hook can reach it.
    const httpsServer = createHttpsServer({
      key: privateKeyPem(https.privateKey),
      cert: toPem(https.der),
    });
    const state = new CameraState(defaultHttps, (served, chain) => {
      if (!served.privateKey) return;
      httpsServer.setSecureContext({
        key: privateKeyPem(served.privateKey),
        cert: [served.der, ...chain].map((der) => toPem(der)).join(""),
      });
    });
    state.store.putClient(clientCertificate(eccId.id, eccId.der, "device-id", eccId.privateKey));
    if (rsaId) state.store.putClient(clientCertificate(rsaId.id, rsaId.der, "device-id", rsaId.privateKey));
    state.store.putClient(defaultHttps);
    const cas = [
      pki.axisRootEcc,
      pki.axisIntermediateEcc,
      pki.axisRootRsa,
      pki.axisIntermediateRsa,
      ...pki.publicRoots,
    ];
    for (const ca of cas) if (ca) state.store.putCa(caCertificate(ca.id, ca.der));

    const httpServer = createHttpServer();
    const [http, httpsPort] = await Promise.all([
      listen(httpServer, o.host, o.httpPort),
      listen(httpsServer, o.host, o.httpsPort),
    ]);
    const sim = new AxisSimulator(o, httpServer, httpsServer, { http, https: httpsPort }, state);
    sim.wire();
    // The listener was created with the initial certificate and no chain: no second secure context needed.
    return sim;
  }

  private wire(): void {
    const o = this.options;
    const authSettings = {
      realm: this.realm,
      username: o.username,
      password: o.password,
      digestAlgorithms: o.digestAlgorithms,
      nonceLifetimeMs: o.nonceLifetimeMs,
    };
    const operationContext: OperationContext = {
      state: this.state,
      settings: {
        maxCertificates: o.maxCertificates,
        maxCaCertificates: o.maxCaCertificates,
        keyGenerationMs: o.keyGenerationMs,
        onDeviceKeyType: o.onDeviceKeyType,
        dot1xRequireCommonNameMatch: o.dot1xRequireCommonNameMatch,
      },
    };
    const endpoint = new ServicesEndpoint({
      counters: () => this.stats,
      authenticators: {
        http: new HttpAuthenticator(o.httpAuth, authSettings),
        https: new HttpAuthenticator(o.httpsAuth, authSettings),
      },
      semaphore: new Semaphore(o.maxConcurrentRequests),
      latencyMs: o.latencyMs,
      maxBodyBytes: o.maxBodyBytes,
      faults: this.faults,
      state: this.state,
      operationContext,
      enforceConnectionPolicies: o.enforceConnectionPolicies,
      urls: () => ({ http: this.httpUrl, https: this.httpsUrl }),
    });
    const servers: Array<[HttpServer | HttpsServer, ListenerKind]> = [
      [this.httpServer, "http"],
      [this.httpsServer, "https"],
    ];
    for (const [server, kind] of servers) {
      server.on("request", (req, res) => {
        endpoint.handle(req, res, kind).catch(() => req.socket.destroy());
      });
      server.on("connection", (socket: Socket) => {
        this.stats.connections++;
        this.sockets.add(socket);
        socket.once("close", () => this.sockets.delete(socket));
      });
    }
    this.httpsServer.on("secureConnection", (socket: TLSSocket) => {
      this.stats.tlsHandshakes++;
      if (socket.isSessionReused()) this.stats.tlsResumed++;
    });
  }

  /** Closes both listeners and every open connection. */
  async stop(): Promise<void> {
    const closed = [this.httpServer, this.httpsServer].map(
      (server) => new Promise<void>((resolve) => server.close(() => resolve())),
    );
    for (const socket of this.sockets) socket.destroy();
    this.httpServer.closeAllConnections();
    this.httpsServer.closeAllConnections();
    await Promise.all(closed);
  }

  // --- Control surface: changes behind the client's back ---------------------------------------------

  listCertificates(): SimulatedCertificate[] {
    return [...this.state.store.clients.values()].map((c) => ({
      id: c.id,
      der: c.der,
      pem: toPem(c.der),
      fingerprintSha256: sha256Hex(c.der),
      hasPrivateKey: c.privateKey !== undefined,
      subject: c.cert.subject,
      issuer: c.cert.issuer,
      notBefore: new Date(c.cert.validFrom),
      notAfter: new Date(c.cert.validTo),
    }));
  }

  listCaCertificates(): SimulatedCaCertificate[] {
    return [...this.state.store.cas.values()].map((c) => ({
      id: c.id,
      der: c.der,
      pem: toPem(c.der),
      fingerprintSha256: sha256Hex(c.der),
      subject: c.cert.subject,
    }));
  }

  /**
   * Deletes a client or CA certificate without any in-use check (like removing it on the device's web page
   * or a partial reset). References elsewhere are left as they are, except HTTPS: if the bound certificate
   * goes, the camera falls back to its initial self-signed certificate (re-added to the store if it was
   * deleted too) and the binding is updated to it, so HTTPS keeps working. Returns false if the ID is unknown.
   */
  deleteCertificate(id: string): boolean {
    if (!this.state.store.delete(id)) return false;
    if (this.state.webServer.certificateId === id) {
      const fallback = this.state.defaultHttps;
      if (!this.state.store.clients.has(fallback.id)) this.state.store.putClient(fallback);
      this.state.webServer = { ...this.state.webServer, certificateId: fallback.id };
    }
    this.state.webServer = {
      ...this.state.webServer,
      caCertificateIds: this.state.webServer.caCertificateIds.filter((ca) => ca !== id),
    };
    this.state.applyHttps();
    return true;
  }

  /**
   * New key and new self-signed certificate (same subject, fresh validity) under the same ID, keeping its
   * position in the listing; the HTTPS listener follows if it is the bound certificate. Returns the new entry.
   */
  async replaceCertificate(id: string): Promise<SimulatedCertificate> {
    const old = this.state.store.clients.get(id);
    if (!old) throw new Error(`no client certificate ${JSON.stringify(id)}`);
    const privateKey = await generateKey(
      old.privateKey?.asymmetricKeyType === "rsa" ? "RSA-2048" : "EC-P256",
    );
    const now = Date.now();
    const der = await createCertificate({
      subject: subjectJson(old.der),
      subjectKey: privateKey,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 365 * 24 * 3600_000),
    });
    this.state.store.putClient(
      clientCertificate(id, der, old.origin === "device-id" ? "control" : old.origin, privateKey),
    );
    if (this.state.webServer.certificateId === id) this.state.applyHttps();
    return this.listCertificates().find((c) => c.id === id) as SimulatedCertificate;
  }

  /** Adds a certificate (client when a key is given, else CA) without any capacity or ID checks. */
  addCertificate(input: { id: string; certificatePem: string; privateKeyPem?: string }): void {
    if (!isValidCertificateId(input.id)) throw new Error("invalid certificate ID");
    const der = pemToDer(input.certificatePem);
    const cert = der ? parseCertificate(der) : undefined;
    if (!der || !cert) throw new Error("certificatePem is not a PEM certificate");
    if (input.privateKeyPem === undefined) {
      this.state.store.putCa(caCertificate(input.id, der));
      return;
    }
    const key = createPrivateKey(input.privateKeyPem);
    if (!keyMatchesCertificate(cert, key)) throw new Error("private key does not match the certificate");
    this.state.store.putClient(clientCertificate(input.id, der, "control", key));
    if (this.state.webServer.certificateId === input.id) this.state.applyHttps();
  }

  /** Binds HTTPS to a client certificate with a private key, as SetWebServerTlsConfiguration would. */
  rebindHttps(id: string): void {
    const entry: ClientCertificate | undefined = this.state.store.clients.get(id);
    if (!entry?.privateKey) throw new Error(`no client certificate with a private key ${JSON.stringify(id)}`);
    this.state.webServer = { ...this.state.webServer, certificateId: id };
    this.state.applyHttps();
  }

  /** Overwrites parts of the web server TLS configuration (no validation: a test may want nonsense). */
  setWebServerTls(partial: Partial<WebServerTlsConfiguration>): void {
    this.state.webServer = { ...this.state.webServer, ...partial };
    this.state.applyHttps();
  }

  getWebServerTls(): WebServerTlsConfiguration {
    return structuredClone(this.state.webServer);
  }

  /** Overwrites parts of the 802.1X configuration (no validation: dangling IDs are allowed). */
  setDot1x(partial: Partial<Dot1XConfiguration>): void {
    this.state.dot1x = { ...this.state.dot1x, ...partial };
  }

  getDot1x(): Dot1XConfiguration {
    return structuredClone(this.state.dot1x);
  }

  /** SHA-256 (hex) of the certificate the HTTPS listener presents now. */
  servedHttpsFingerprint(): string {
    return sha256Hex(this.state.httpsCertificate().der);
  }

  /** Arms a fault for an operation local name (e.g. `SetWebServerTlsConfiguration`) or `*` for any. */
  injectFault(operation: string, fault: InjectedFault): void {
    this.faults.inject(operation, fault);
  }

  clearFaults(operation?: string): void {
    this.faults.clear(operation);
  }

  counters(): AxisCounters {
    return copyCounters(this.stats);
  }

  resetCounters(): void {
    this.stats = emptyCounters();
  }
}
