import { randomBytes, randomUUID } from "node:crypto";
import type { Server } from "node:https";
import { createServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { passwordRecord } from "./auth/passwords";
import { Sessions } from "./auth/sessions";
import type { Appliance } from "./core";
import { newObjectKey } from "./core";
import type { SpsCounters } from "./counters";
import { emptyCounters } from "./counters";
import type { FaultMatch, FaultSpec } from "./faults";
import { FaultRegistry } from "./faults";
import { Limiter } from "./http/limiter";
import { Pipeline } from "./http/pipeline";
import type { ResolvedOptions, SpsSimulatorOptions } from "./options";
import { resolveOptions } from "./options";
import type { Authority } from "./pki/authority";
import { createAuthority, signCsr } from "./pki/authority";
import { toPem } from "./pki/certificates";
import { buildRouter } from "./routes";
import type { CommittedSnapshot } from "./snapshot";
import { snapshotOf } from "./snapshot";
import { initialState, webIdentity } from "./state/initial";
import type { ApplianceState, Place, X509Object } from "./state/model";
import { ApplianceStore } from "./state/store";

/** A configuration place the control surface can repoint: management/certificates slots, root, or a user by name. */
export type ControlPlace = "server" | "tsa" | "ca" | "root_password" | `user:${string}`;

/** Knobs that can be changed while the simulator runs. */
export type SpsKnobs = Pick<
  ResolvedOptions,
  | "latencyMs"
  | "commitMs"
  | "maxConcurrentRequests"
  | "sessionIdleMs"
  | "reclaimUnreferenced"
  | "purgeNeverReferenced"
  | "requireXTokenForBrowsers"
  | "requireCommitMessage"
  | "x509FingerprintHash"
>;

const X509_PLACES = new Set(["server", "tsa", "ca"]);

/**
 * An SPS appliance on loopback HTTPS, faithful to the seed document, with an out-of-band control surface
 * that plays "another administrator" and observes what clients did.
 */
export class SpsSimulator {
  private readonly sockets = new Set<Socket>();
  private servedSha256 = "";
  private counterState: SpsCounters;

  private constructor(
    private readonly appliance: Appliance,
    private readonly server: Server,
    readonly url: string,
    readonly defaultTrustStoreKey: string,
  ) {
    this.counterState = appliance.counters;
  }

  static async start(options: SpsSimulatorOptions = {}): Promise<SpsSimulator> {
    const resolved = resolveOptions(options, () => randomBytes(12).toString("base64url"));
    const [internalCa, externalCa] = await Promise.all([
      createAuthority("SPS internal CA"),
      createAuthority("SPS simulator external CA"),
    ]);
    const defaultTrustStoreKey = randomUUID();
    const state = await initialState({
      username: resolved.username,
      password: resolved.password,
      internalCa,
      externalCa,
      trustStores: resolved.trustStores,
      defaultTrustStoreKey,
    });
    const counters = emptyCounters();
    let onApplied = () => {};
    const store = new ApplianceStore(
      state,
      {
        get reclaimUnreferenced() {
          return resolved.reclaimUnreferenced;
        },
        get purgeNeverReferenced() {
          return resolved.purgeNeverReferenced;
        },
      },
      {
        opened: () => (appliance.counters.transactionsOpened += 1),
        committed: () => (appliance.counters.commits += 1),
        rolledBack: () => (appliance.counters.rollbacks += 1),
        configurationApplied: () => onApplied(),
      },
    );
    const sessions = new Sessions(
      () => resolved.sessionIdleMs,
      (id) => store.dropSession(id),
    );
    const appliance: Appliance = {
      options: resolved,
      store,
      sessions,
      counters,
      faults: new FaultRegistry(),
      internalCa,
      externalCa,
    };
    const web = serverIdentity(state);
    const pipeline = new Pipeline(
      appliance,
      buildRouter(),
      new Limiter(() => resolved.maxConcurrentRequests),
    );
    const server = createServer(
      { key: web.privateKeyPem, cert: certChain(web), minVersion: "TLSv1.2" },
      (req, res) => {
        void pipeline.handle(req, res);
      },
    );
    // [V] the docs' curl caveat: "417 - Expectation Failed" on Expect: 100-continue.
    server.on("checkContinue", (_req, res) => {
      res.writeHead(417, { "Content-Type": "application/json", "Content-Language": "en" });
      res.end(
        JSON.stringify({
          error: { type: "ExpectationFailed", message: "Expectation Failed", details: {} },
          meta: {},
        }),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(resolved.port, resolved.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const host = resolved.host.includes(":") ? `[${resolved.host}]` : resolved.host;
    const sim = new SpsSimulator(appliance, server, `https://${host}:${port}`, defaultTrustStoreKey);
    sim.servedSha256 = web.sha256;
    onApplied = () => sim.rebindWebCertificate();
    server.on("connection", (socket: Socket) => {
      sim.counterState.connections += 1;
      sim.sockets.add(socket);
      socket.on("close", () => sim.sockets.delete(socket));
    });
    server.on("secureConnection", () => (sim.counterState.tlsHandshakes += 1));
    return sim;
  }

  /** The built-in administrator's name. */
  get username(): string {
    return this.appliance.options.username;
  }

  /** The administrator's password at start (a client may change it through the API afterwards). */
  get password(): string {
    return this.appliance.options.password;
  }

  /** PEM of "SPS internal CA", which signs the web certificate at start and after replaceWebCertificate(). */
  get caCertificatePem(): string {
    return this.appliance.internalCa.certificatePem;
  }

  /** PEM of the outside CA that the default trust store trusts; signCsr() signs with it. */
  get externalCaCertificatePem(): string {
    return this.appliance.externalCa.certificatePem;
  }

  /** sha256 (colon hex) of the certificate the HTTPS listener presents now. */
  get servedCertificateSha256(): string {
    return this.servedSha256;
  }

  async stop(): Promise<void> {
    this.appliance.store.releaseExternalLock();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  configure(knobs: Partial<SpsKnobs>): void {
    Object.assign(this.appliance.options, knobs);
  }

  /** Arms a fault; returns an id for removeFault(). */
  injectFault(match: FaultMatch, spec: FaultSpec): number {
    return this.appliance.faults.add(match, spec);
  }

  removeFault(id: number): void {
    this.appliance.faults.remove(id);
  }

  clearFaults(): void {
    this.appliance.faults.clear();
  }

  /**
   * Repoints a place, committed at once, as another administrator would in the web UI (the configuration
   * lock must be free). Without `key` a fresh object is made (a password, or an X.509 object signed by the
   * internal CA). The same reference rules and reclamation as a commit apply. Returns the key now referenced.
   */
  async moveReference(place: ControlPlace, key?: string): Promise<string> {
    const fresh = key === undefined ? await this.freshObjectFor(place) : undefined;
    const target = key ?? fresh!.key;
    this.appliance.store.outOfBand((draft) => {
      if (fresh && "certificatePem" in fresh) draft.x509.set(fresh.key, fresh);
      else if (fresh) draft.passwords.set(fresh.key, fresh);
      setPlace(draft, toPlace(draft, place), target);
    });
    return target;
  }

  /** A new web certificate (internal CA, new key) referenced as `server` and committed by "someone else". */
  async replaceWebCertificate(): Promise<{ key: string; sha256: string }> {
    const key = await this.moveReference("server");
    return { key, sha256: this.appliance.store.committed.x509.get(key)!.sha256 };
  }

  /** Removes a CSR behind the client's back (its X.509 identifiers stay, as the seed says). */
  deleteCsr(key: string): boolean {
    let existed = false;
    this.appliance.store.immediate((state) => {
      existed = state.csrs.delete(key) || existed;
    });
    return existed;
  }

  /** Ends every session at once (their transactions are rolled back): the next request gets 401. */
  expireSessions(): void {
    this.appliance.sessions.expireAll();
  }

  /** Another administrator holds the configuration lock, for `ms` or until releaseLock(). */
  holdLock(ms?: number): void {
    this.appliance.store.holdExternalLock(ms);
  }

  releaseLock(): void {
    this.appliance.store.releaseExternalLock();
  }

  getCommitted(): CommittedSnapshot {
    return snapshotOf(this.appliance.store.committed);
  }

  counters(): SpsCounters {
    return structuredClone(this.counterState);
  }

  resetCounters(): void {
    Object.assign(this.counterState, emptyCounters());
  }

  /** Signs a CSR PEM with the external CA; returns the chain [leaf, CA] as PEM strings. */
  async signCsr(csrPem: string, validDays?: number): Promise<string[]> {
    const ca: Authority = this.appliance.externalCa;
    const leaf = await signCsr(ca, csrPem, validDays);
    return [toPem(leaf), ca.certificatePem];
  }

  private async freshObjectFor(place: ControlPlace): Promise<X509Object | ReturnType<typeof passwordRecord>> {
    if (X509_PLACES.has(place)) return webIdentity(this.appliance.internalCa, "localhost");
    return passwordRecord(newObjectKey(), { plain: randomBytes(12).toString("base64url") });
  }

  private rebindWebCertificate(): void {
    const web = serverIdentity(this.appliance.store.committed);
    if (web.sha256 === this.servedSha256) return;
    this.server.setSecureContext({ key: web.privateKeyPem, cert: certChain(web), minVersion: "TLSv1.2" });
    this.servedSha256 = web.sha256;
  }
}

function serverIdentity(state: ApplianceState): X509Object {
  return state.x509.get(state.config.certificates.server)!;
}

function certChain(identity: X509Object): string {
  return [identity.certificatePem, ...identity.issuerChainPems].join("");
}

function toPlace(state: ApplianceState, place: ControlPlace): Place {
  if (!place.startsWith("user:")) return place as Place;
  const user = state.config.users.find((u) => u.name === place.slice(5));
  if (!user) throw new Error(`no user named ${place.slice(5)}`);
  return `user:${user.key}`;
}

function setPlace(state: ApplianceState, place: Place, key: string): void {
  if (place === "server" || place === "tsa" || place === "ca") state.config.certificates[place] = key;
  else if (place === "root_password") state.config.rootPassword = key;
  else state.config.users.find((u) => `user:${u.key}` === place)!.password = key;
}
