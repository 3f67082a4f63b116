export type FaultKind =
  "commitFailure" | "http503" | "resetBeforeApply" | "resetAfterApply" | "delayMs" | "lockedByOther";

export interface FaultSpec {
  kind: FaultKind;
  /** How many matching requests it hits; default 1, Infinity for "until cleared". */
  times?: number;
  /** For delayMs. */
  ms?: number;
  /** For http503: the Retry-After header, in seconds (default 1). */
  retryAfterSeconds?: number;
}

export interface FaultRequest {
  method: string;
  path: string;
  /** The route pattern, e.g. "/api/configuration/x509/:key". */
  route: string;
}

/**
 * "login", "open", "commit", "rollback" name the transaction operations; any other string is
 * "METHOD /path" or "METHOD /route/:pattern", or just a path or pattern (any method).
 */
export type FaultMatch = string | RegExp | ((req: FaultRequest) => boolean);

const ALIASES: Record<string, string> = {
  login: "GET /api/authentication",
  open: "POST /api/transaction",
  commit: "PUT /api/transaction",
  rollback: "DELETE /api/transaction",
};

function matches(match: FaultMatch, req: FaultRequest): boolean {
  if (typeof match === "function") return match(req);
  if (match instanceof RegExp) return match.test(`${req.method} ${req.path}`);
  const m = ALIASES[match] ?? match;
  return [`${req.method} ${req.path}`, `${req.method} ${req.route}`, req.path, req.route].includes(m);
}

interface Armed {
  id: number;
  match: FaultMatch;
  spec: FaultSpec;
  left: number;
}

export class FaultRegistry {
  private armed: Armed[] = [];
  private nextId = 1;

  add(match: FaultMatch, spec: FaultSpec): number {
    const id = this.nextId++;
    this.armed.push({ id, match, spec, left: spec.times ?? 1 });
    return id;
  }

  remove(id: number): void {
    this.armed = this.armed.filter((a) => a.id !== id);
  }

  clear(): void {
    this.armed = [];
  }

  /** The faults this request triggers, each use counted against its `times`. */
  take(req: FaultRequest): FaultSpec[] {
    const hit = this.armed.filter((a) => a.left > 0 && matches(a.match, req));
    for (const a of hit) a.left -= 1;
    this.armed = this.armed.filter((a) => a.left > 0);
    return hit.map((a) => a.spec);
  }
}
