import { passwordMatches } from "../auth/passwords";
import { authenticationFailure } from "../http/errors";
import type { RequestContext } from "../http/context";
import type { Reply } from "../http/envelope";
import type { Route } from "../http/router";
import type { ApplianceState } from "../state/model";

function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!m) return undefined;
  // "Make sure that user credentials are encoded in UTF-8."
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Logins check the committed configuration: a password changed in an open transaction is not yet in force. */
export function credentialsValid(state: ApplianceState, user: string, password: string): boolean {
  const account = state.config.users.find((u) => u.name === user);
  const record = account?.password ? state.passwords.get(account.password) : undefined;
  return record !== undefined && passwordMatches(record, password);
}

function login(ctx: RequestContext): Reply {
  const { appliance } = ctx;
  const creds = basicCredentials(ctx.headers.authorization);
  if (!creds || !credentialsValid(appliance.store.committed, creds.user, creds.password)) {
    const err = authenticationFailure();
    Object.assign(err.headers, { "WWW-Authenticate": 'Basic realm="SPS REST API"' });
    throw err;
  }
  const session = appliance.sessions.create(creds.user);
  appliance.counters.logins += 1;
  ctx.session = session;
  return {
    status: 200,
    body: { meta: { href: "/api/authentication", parent: "/api" } },
    headers: { "Set-Cookie": `session_id=${session.id}; Path=/; Secure; HttpOnly` },
  };
}

export const authRoutes: Route[] = [{ pattern: "/api/authentication", auth: false, methods: { GET: login } }];
