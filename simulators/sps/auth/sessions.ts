import { randomBytes } from "node:crypto";

export interface Session {
  id: string;
  user: string;
  lastSeen: number;
  /** Value a browser-like client must echo in X-Token (SPS ≥ 7.5, wire notes §1.3). */
  xToken: string;
}

/** Login sessions, ended by 20 minutes (configurable) of inactivity as the docs say. */
export class Sessions {
  private readonly byId = new Map<string, Session>();

  constructor(
    private readonly idleMs: () => number,
    private readonly onEnd: (sessionId: string) => void,
  ) {}

  create(user: string): Session {
    // 40 hex characters, the shape of the documented example cookie.
    const session = {
      id: randomBytes(20).toString("hex"),
      user,
      lastSeen: Date.now(),
      xToken: randomBytes(16).toString("hex"),
    };
    this.byId.set(session.id, session);
    return session;
  }

  /** The live session with that id, refreshed; undefined when unknown or idle too long (which ends it). */
  use(id: string | undefined): Session | undefined {
    if (id === undefined) return undefined;
    const session = this.byId.get(id);
    if (!session) return undefined;
    if (Date.now() - session.lastSeen > this.idleMs()) {
      this.end(id);
      return undefined;
    }
    session.lastSeen = Date.now();
    return session;
  }

  remainingSeconds(session: Session): number {
    return Math.max(0, Math.round((session.lastSeen + this.idleMs() - Date.now()) / 1000));
  }

  /** Ends idle sessions, so a forgotten transaction stops holding the configuration lock. */
  sweep(): void {
    const now = Date.now();
    for (const session of [...this.byId.values()]) {
      if (now - session.lastSeen > this.idleMs()) this.end(session.id);
    }
  }

  expireAll(): void {
    for (const id of [...this.byId.keys()]) this.end(id);
  }

  private end(id: string): void {
    this.byId.delete(id);
    this.onEnd(id);
  }
}

/** The session id from `Cookie: session_id=…`, or from a `session_id` header as the docs word it. */
export function sessionIdFrom(headers: Record<string, string | string[] | undefined>): string | undefined {
  const cookie = headers.cookie;
  const cookies = Array.isArray(cookie) ? cookie.join("; ") : (cookie ?? "");
  for (const part of cookies.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === "session_id") return part.slice(eq + 1).trim();
  }
  const header = headers["session_id"];
  return Array.isArray(header) ? header[0] : header;
}
