import type { DeviceConnection } from "../transport/connection";
import type { DeviceRef } from "../common/connections";
import { resolveDevice } from "../common/connections";
import { DeviceError, isDeviceError } from "../transport/errors";
import { DeviceHttp } from "../transport/http";
import { parseRetryAfter, sleep } from "../transport/retry";
import type { SpsErrorBody } from "./errors";
import { SpsApiError, isSpsError } from "./errors";

/** A reference as SPS returns it on GET; on PUT only the key string is sent. */
export interface SpsReference {
  key: string;
  meta?: { href?: string };
}

export interface SpsEnvelope<T = unknown> {
  key?: string;
  body?: T;
  items?: Array<{ key: string; meta?: { href?: string }; body?: unknown }>;
  meta?: Record<string, unknown>;
}

export interface Fingerprint {
  digest: string;
  hash_algorithm: string;
}

export interface X509Body {
  fingerprint: Fingerprint;
  subject: string;
}

export interface NameValue {
  name: string;
  value: string;
}

export interface CsrExtension {
  name: "basicConstraints" | "keyUsage" | "extendedKeyUsage" | "subjectAltName" | "subjectInfoAccess";
  value: string;
  critical: boolean;
}

export interface CsrBody {
  certificate_chain: string | string[] | null;
  fingerprint: Fingerprint;
  subject: NameValue[];
  extensions: CsrExtension[];
  pem: string;
  public_key: string;
}

export interface ManagementCertificates {
  ca: string;
  server: string;
  tsa: string;
}

export type PasswordFormat = { plain: string } | { hash: string; nthash?: string } | { nthash: string };

const USER_AGENT = "pulumi-axis-sps/0.1 (SPS REST client; non-browser)";
const DEFAULT_LOCK_WAIT_MS = 60_000;

interface SessionState {
  cookie?: string;
  login?: Promise<string>;
  inTransaction: boolean;
  /** A rollback that did not get through; done before the next transaction opens. */
  rollbackOwed?: boolean;
  /** Transactions of this appliance run one at a time in this process. */
  /** Transactions asked for and not started yet; they are committed together. */
  pending: PendingWork[];
  draining: boolean;
}

function sessions(): Map<string, SessionState> {
  const slot = Symbol.for("pulumi-axis-sps.sps.sessions");
  const g = globalThis as unknown as Record<symbol, Map<string, SessionState> | undefined>;
  return (g[slot] ??= new Map());
}

/** Thrown inside a transaction when the session ended under it: the whole transaction has to be redone. */
class SessionLostError extends DeviceError {
  constructor(device: string, operation: string) {
    super(
      "SPS_API_ERROR",
      "the session expired during the transaction; its changes were discarded by the appliance",
      {
        device,
        operation,
        status: 401,
        transient: true,
      },
    );
    this.name = "SessionLostError";
  }
}

/** A transient failure inside a transaction, before its commit: the transaction was rolled back. */
class BeforeCommit extends Error {
  constructor(override readonly cause: unknown) {
    super((cause as Error).message);
    this.name = "BeforeCommit";
  }
}

const REDO_LIMIT = 3;
/** Changes committed together at most. */
const BATCH_LIMIT = 50;

interface PendingWork {
  message: string;
  work: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** The SPS REST API of one appliance: login, transactions, and one method per endpoint operation. */
export class SpsClient {
  private readonly http: DeviceHttp;
  private readonly session: SessionState;

  private readonly conn: DeviceConnection;

  constructor(device: DeviceRef) {
    this.conn = resolveDevice(device);
    const conn = this.conn;
    this.http = DeviceHttp.for(conn);
    const key = `${this.http.device}\n${conn.username}`;
    let s = sessions().get(key);
    if (!s) {
      s = { inTransaction: false, pending: [], draining: false };
      sessions().set(key, s);
    }
    this.session = s;
  }

  get device(): string {
    return this.http.device;
  }

  // ---- session -------------------------------------------------------------------------------------

  /** Logs in with Basic credentials and keeps the `session_id` cookie. Concurrent callers share one login. */
  async login(): Promise<string> {
    if (!this.conn.url.toLowerCase().startsWith("https:") && !this.conn.allowBasicOverHttp) {
      throw new DeviceError(
        "DEVICE_INSECURE_AUTH_REFUSED",
        "SPS logs in with Basic credentials; use https:// (or allowBasicOverHttp: true)",
        {
          device: this.device,
          operation: "login",
        },
      );
    }
    this.session.login ??= this.doLogin().finally(() => (this.session.login = undefined));
    return this.session.login;
  }

  private async doLogin(): Promise<string> {
    const token = Buffer.from(`${this.conn.username}:${this.conn.password}`, "utf8").toString("base64");
    const res = await this.http.request({
      method: "GET",
      path: "/api/authentication",
      operation: "login",
      headers: { authorization: `Basic ${token}`, accept: "application/json", "user-agent": USER_AGENT },
      idempotent: true,
      noAuth: true,
    });
    if (res.status === 401 || res.status === 403) {
      throw new DeviceError(
        "DEVICE_UNAUTHORIZED",
        `the appliance refused the credentials of user "${this.conn.username}" (HTTP ${res.status})`,
        {
          device: this.device,
          operation: "login",
          status: res.status,
        },
      );
    }
    if (res.status !== 200) throw this.error("login", res.status, res.body, res.headers["retry-after"]);
    const cookies = [res.headers["set-cookie"] ?? []].flat();
    const match = cookies.map((c) => /(?:^|;\s*)session_id=([^;]+)/.exec(c)).find((m) => m);
    if (!match)
      throw new DeviceError(
        "DEVICE_BAD_RESPONSE",
        "login answered 200 without a session_id cookie (check the clocks of SPS and this machine)",
        { device: this.device, operation: "login" },
      );
    this.session.cookie = match[1];
    return match[1];
  }

  /**
   * One REST call with the session cookie. Outside a transaction an expired session is renewed and the
   * call repeated; inside one the appliance has dropped the transaction, so the caller must start over.
   */
  async call<T = unknown>(
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    operation: string,
    body?: unknown,
    idempotent = method === "GET" || method === "DELETE",
  ): Promise<SpsEnvelope<T>> {
    const deadline = Date.now() + (this.conn.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
    let res;
    for (let attempt = 1; ; attempt++) {
      const cookie = this.session.cookie ?? (await this.login());
      res = await this.send(method, path, operation, cookie, body, idempotent);
      if (res.status === 401) {
        if (this.session.inTransaction) throw new SessionLostError(this.device, operation);
        this.session.cookie = undefined;
        res = await this.send(method, path, operation, await this.login(), body, idempotent);
      }
      if (res.status >= 200 && res.status < 300) break;
      const error = this.error(operation, res.status, res.body, res.headers["retry-after"]);
      // Outside a transaction nothing of ours holds the lock: wait for the other administrator.
      const wait = Math.min(4_000, 250 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      if (error.code !== "SPS_LOCKED" || this.session.inTransaction || Date.now() + wait > deadline)
        throw error;
      await sleep(wait);
    }
    if (!res.body) return {};
    try {
      return JSON.parse(res.body) as SpsEnvelope<T>;
    } catch {
      throw new DeviceError("DEVICE_BAD_RESPONSE", `HTTP ${res.status} with a body that is not JSON`, {
        device: this.device,
        operation,
        status: res.status,
      });
    }
  }

  private send(
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    operation: string,
    cookie: string,
    body: unknown,
    idempotent: boolean,
  ) {
    const headers: Record<string, string> = {
      cookie: `session_id=${cookie}`,
      accept: "application/json",
      "user-agent": USER_AGENT,
    };
    let text: string | undefined;
    if (method === "POST" || method === "PUT") {
      // SPS answers 411 to a POST without a length: send an explicit empty body when there is no payload.
      text = body === undefined ? "" : JSON.stringify(body);
      if (body !== undefined) headers["content-type"] = "application/json";
    }
    return this.http.request({
      method,
      path,
      operation,
      headers,
      body: text,
      idempotent,
      noAuth: true,
    });
  }

  private error(
    operation: string,
    status: number,
    body: string,
    retryAfter: string | string[] | undefined,
  ): SpsApiError {
    let parsed: SpsErrorBody | undefined;
    try {
      parsed = (JSON.parse(body) as { error?: SpsErrorBody }).error;
    } catch {
      parsed = undefined;
    }
    return new SpsApiError(this.device, operation, status, parsed, parseRetryAfter(retryAfter));
  }

  // ---- transactions --------------------------------------------------------------------------------

  openTransaction(): Promise<SpsEnvelope> {
    // Opening an open transaction changes nothing, so a lost answer can be asked again.
    return this.call("POST", "/api/transaction", "open transaction", undefined, true);
  }

  commitTransaction(message: string): Promise<SpsEnvelope> {
    return this.call("PUT", "/api/transaction", "commit transaction", {
      status: "commit",
      commit_message: message,
    });
  }

  rollbackTransaction(): Promise<SpsEnvelope> {
    return this.call("DELETE", "/api/transaction", "roll back transaction");
  }

  getTransaction(): Promise<SpsEnvelope<{ status: string; commit_message?: string }>> {
    return this.call("GET", "/api/transaction", "read transaction");
  }

  /**
   * Runs `work` in a transaction: commits when it succeeds, rolls back when anything fails, so a failure
   * leaves nothing behind. Transactions of one appliance never overlap inside this process, and works asked
   * for at the same moment share one transaction and one commit. When another
   * administrator holds the configuration lock, or the session dies under the transaction, the whole
   * transaction is tried again after a capped, jittered wait, for at most `lockWaitMs`.
   */
  withTransaction<T>(message: string, work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.session.pending.push({ message, work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.session.draining) {
        this.session.draining = true;
        // Let the calls the engine makes at the same moment join before the first transaction opens.
        setImmediate(() => void this.drain());
      }
    });
  }

  /**
   * Runs what is pending, everything that waits at that moment in one transaction and one commit (an SPS
   * commit is slow and locks the whole configuration). If that transaction fails, each piece is run again
   * in a transaction of its own, so one bad change cannot take the others down with it.
   */
  private async drain(): Promise<void> {
    try {
      while (this.session.pending.length > 0) {
        const batch = this.session.pending.splice(0, BATCH_LIMIT);
        if (batch.length > 1) {
          try {
            const results = await this.transactionWithRetry(
              batch.map((b) => b.message).join("; "),
              async () => {
                const out: unknown[] = [];
                for (const b of batch) out.push(await b.work());
                return out;
              },
            );
            batch.forEach((b, i) => b.resolve(results[i]));
            continue;
          } catch {
            // fall through: one at a time tells whose change the appliance refused
          }
        }
        for (const b of batch) {
          try {
            b.resolve(await this.transactionWithRetry(b.message, b.work));
          } catch (err) {
            b.reject(err);
          }
        }
      }
    } finally {
      this.session.draining = false;
    }
  }

  private async transactionWithRetry<T>(message: string, work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + (this.conn.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
    let redone = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transactionOnce(message, work);
      } catch (err) {
        const wait = Math.min(4_000, 250 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
        const inner = err instanceof BeforeCommit ? err.cause : err;
        const locked = isSpsError(inner) && inner.code === "SPS_LOCKED";
        // Anything transient before the commit was rolled back with the transaction, so the whole of it can
        // be done again safely; a few times, unlike a lock, which is worth waiting for until lockWaitMs.
        const redo =
          !locked && (err instanceof SessionLostError || err instanceof BeforeCommit) && redone < REDO_LIMIT;
        if (!(locked && Date.now() + wait <= deadline) && !redo) throw inner;
        if (redo) redone++;
        if (err instanceof SessionLostError) this.session.cookie = undefined;
        await sleep(locked ? wait : Math.min(wait, 500));
      }
    }
  }

  private async transactionOnce<T>(message: string, work: () => Promise<T>): Promise<T> {
    // A transaction whose rollback did not get through may still be open in this session: clear it first.
    if (this.session.rollbackOwed) {
      await this.rollbackTransaction();
      this.session.rollbackOwed = false;
    }
    try {
      await this.openTransaction();
    } catch (err) {
      throw isDeviceError(err) && err.transient && !isSpsError(err) ? new BeforeCommit(err) : err;
    }
    this.session.inTransaction = true;
    try {
      let result: T;
      try {
        result = await work();
      } catch (err) {
        await this.abandon(err);
        throw isDeviceError(err) && err.transient && !(err instanceof SessionLostError)
          ? new BeforeCommit(err)
          : err;
      }
      try {
        await this.commit(message);
      } catch (err) {
        await this.abandon(err);
        // Not committed (commit() made sure), so everything was rolled back and may be done again.
        throw isDeviceError(err) && err.transient && !(err instanceof SessionLostError)
          ? new BeforeCommit(err)
          : err;
      }
      return result;
    } finally {
      this.session.inTransaction = false;
    }
  }

  /** Rolls back after a failure (a lost session has nothing left to roll back). */
  private async abandon(err: unknown): Promise<void> {
    if (err instanceof SessionLostError) return;
    this.session.inTransaction = false;
    await this.rollbackTransaction().catch(() => {
      this.session.rollbackOwed = true;
    });
  }

  /**
   * Commits. When the answer is lost after the appliance may have committed, the transaction's status says
   * what happened: closed means committed (a failed commit leaves it open), so the change is not redone.
   */
  private async commit(message: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.commitTransaction(message);
        return;
      } catch (err) {
        if (!isDeviceError(err) || err instanceof SessionLostError) throw err;
        // A commit refused while nothing is open: an earlier attempt whose answer was lost went through.
        const lostAnswer = err.maybeApplied || (attempt > 1 && isSpsError(err) && err.status === 400);
        if (!lostAnswer || attempt >= 3) throw err;
        const status = (await this.getTransaction()).body?.status;
        if (status === "closed") return;
        // Still open: the commit did not happen (or is still running); give it a moment, then ask again.
        await sleep(100 * attempt);
        if ((await this.getTransaction()).body?.status === "closed") return;
      }
    }
  }

  // ---- passwords, private keys, X.509 --------------------------------------------------------------

  async createPassword(password: PasswordFormat): Promise<string> {
    return keyOf(
      await this.call("POST", "/api/configuration/passwords", "create password", password),
      "create password",
    );
  }

  /** The password object's properties, or undefined when the appliance no longer has it. */
  getPassword(key: string): Promise<SpsEnvelope | undefined> {
    return orMissing(
      this.call("GET", `/api/configuration/passwords/${encodeURIComponent(key)}`, "read password"),
    );
  }

  async createPrivateKey(pem: string): Promise<string> {
    return keyOf(
      await this.call("POST", "/api/configuration/private_keys", "create private key", pem),
      "create private key",
    );
  }

  getPrivateKey(
    key: string,
  ): Promise<SpsEnvelope<{ "public-key-fingerprint": Fingerprint; type: string }> | undefined> {
    return orMissing(
      this.call("GET", `/api/configuration/private_keys/${encodeURIComponent(key)}`, "read private key"),
    );
  }

  async createX509(input: {
    certificate: string;
    private_key: string;
    issuer_chain: string[];
  }): Promise<string> {
    return keyOf(await this.call("POST", "/api/configuration/x509", "create X.509", input), "create X.509");
  }

  getX509(key: string): Promise<SpsEnvelope<X509Body> | undefined> {
    return orMissing(this.call("GET", `/api/configuration/x509/${encodeURIComponent(key)}`, "read X.509"));
  }

  // ---- certificate signing requests ----------------------------------------------------------------

  async createCsr(input: { subject: NameValue[]; extensions: CsrExtension[] }): Promise<string> {
    return keyOf(await this.call("POST", "/api/pki/certificate/requests", "create CSR", input), "create CSR");
  }

  async listCsrs(): Promise<Array<{ key: string; body?: CsrBody }>> {
    const res = await this.call<CsrBody>("GET", "/api/pki/certificate/requests", "list CSRs");
    return (res.items ?? []).map((i) => ({ key: i.key, body: i.body as CsrBody | undefined }));
  }

  getCsr(key: string): Promise<SpsEnvelope<CsrBody> | undefined> {
    return orMissing(
      this.call("GET", `/api/pki/certificate/requests/${encodeURIComponent(key)}`, "read CSR"),
    );
  }

  async deleteCsr(key: string): Promise<void> {
    await this.call("DELETE", `/api/pki/certificate/requests/${encodeURIComponent(key)}`, "delete CSR");
  }

  /** Sets the signed chain of a CSR; returns the X.509 identifier of the key + chain pair. */
  async setCsrChain(key: string, chain: string[], trustStore: string | null): Promise<string> {
    const res = await this.call(
      "PUT",
      `/api/pki/certificate/requests/${encodeURIComponent(key)}`,
      "set CSR chain",
      {
        certificate_chain: chain,
        trust_store: trustStore,
      },
    );
    return keyOf(res, "set CSR chain");
  }

  /** Sets a chain on whichever CSR its first certificate belongs to; returns the X.509 identifier. */
  async postCertificateChain(chain: string[], trustStore: string | null): Promise<string> {
    const res = await this.call("POST", "/api/pki/certificate", "set certificate chain", {
      certificate_chain: chain,
      trust_store: trustStore,
    });
    return keyOf(res, "set certificate chain");
  }

  // ---- the places that reference them --------------------------------------------------------------

  async getManagementCertificates(): Promise<ManagementCertificates> {
    const res = await this.call<{
      ca: { x509_identity: SpsReference };
      server: SpsReference;
      tsa: SpsReference;
    }>("GET", "/api/configuration/management/certificates", "read management certificates");
    const b = res.body;
    return { ca: refKey(b?.ca?.x509_identity), server: refKey(b?.server), tsa: refKey(b?.tsa) };
  }

  async putManagementCertificates(c: ManagementCertificates): Promise<void> {
    await this.call("PUT", "/api/configuration/management/certificates", "set management certificates", {
      ca: { selection: "identity", x509_identity: c.ca },
      server: c.server,
      tsa: c.tsa,
    });
  }

  async getRootPassword(): Promise<string> {
    const res = await this.call<SpsReference | string>(
      "GET",
      "/api/configuration/management/root_password",
      "read root password",
    );
    return typeof res.body === "string" ? res.body : refKey(res.body);
  }

  async putRootPassword(key: string): Promise<void> {
    await this.call("PUT", "/api/configuration/management/root_password", "set root password", key);
  }

  async listUsers(): Promise<Array<{ key: string; name: string; password: string }>> {
    const res = await this.call("GET", "/api/configuration/aaa/local_database/users", "list local users");
    const users = await Promise.all((res.items ?? []).map((i) => this.getUser(i.key)));
    return users.filter((u): u is { key: string; name: string; password: string } => u !== undefined);
  }

  async getUser(key: string): Promise<{ key: string; name: string; password: string } | undefined> {
    const res = await orMissing(
      this.call<{ name: string; password: SpsReference }>(
        "GET",
        `/api/configuration/aaa/local_database/users/${encodeURIComponent(key)}`,
        "read local user",
      ),
    );
    if (!res?.body) return undefined;
    return { key, name: res.body.name, password: refKey(res.body.password) };
  }

  async putUser(key: string, user: { name: string; password: string }): Promise<void> {
    await this.call(
      "PUT",
      `/api/configuration/aaa/local_database/users/${encodeURIComponent(key)}`,
      "set local user",
      user,
    );
  }

  async createUser(user: { name: string; password: string }): Promise<string> {
    return keyOf(
      await this.call("POST", "/api/configuration/aaa/local_database/users", "create local user", user),
      "create local user",
    );
  }

  async deleteUser(key: string): Promise<void> {
    await this.call(
      "DELETE",
      `/api/configuration/aaa/local_database/users/${encodeURIComponent(key)}`,
      "delete local user",
    );
  }

  async listTrustStores(): Promise<string[]> {
    const res = await this.call("GET", "/api/configuration/policies/trust_stores", "list trust stores");
    return (res.items ?? []).map((i) => i.key);
  }
}

function keyOf(res: SpsEnvelope, operation: string): string {
  if (typeof res.key !== "string" || !res.key)
    throw new Error(`${operation}: the appliance answered without a key`);
  return res.key;
}

function refKey(ref: SpsReference | string | null | undefined): string {
  if (!ref) return "";
  return typeof ref === "string" ? ref : ref.key;
}

async function orMissing<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isDeviceError(err) && err.status === 404) return undefined;
    throw err;
  }
}
