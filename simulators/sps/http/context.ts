import type { IncomingHttpHeaders } from "node:http";
import type { Session } from "../auth/sessions";
import type { Appliance } from "../core";
import type { FaultSpec } from "../faults";
import type { ApplianceState } from "../state/model";
import type { Change } from "../state/store";
import { syntacticError, unauthenticated } from "./errors";
import type { Method } from "./router";

export interface RequestContext {
  method: Method;
  path: string;
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON; undefined when the request had no body. */
  body: unknown;
  session: Session | undefined;
  appliance: Appliance;
  /** Faults armed for this request that a handler acts on itself (commitFailure). */
  faults: FaultSpec[];
}

export function sessionOf(ctx: RequestContext): Session {
  if (!ctx.session) throw unauthenticated(ctx.path);
  return ctx.session;
}

export function viewOf(ctx: RequestContext): ApplianceState {
  return ctx.appliance.store.view(ctx.session?.id);
}

/** A configuration change in the caller's transaction (opened on first change, refused under another's lock). */
export function changeConfig<T>(
  ctx: RequestContext,
  mutate: (draft: ApplianceState) => { result: T; changes: Change[] },
): T {
  const session = sessionOf(ctx);
  return ctx.appliance.store.change(session.id, session.user, mutate);
}

export function bodyObject(ctx: RequestContext): Record<string, unknown> {
  const body = ctx.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw syntacticError("The request body must be a JSON object.");
  }
  return body as Record<string, unknown>;
}

/** Fields outside `allowed` are refused: a typo must not pass silently as "field not set". */
export function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw syntacticError(`Unknown field(s): ${extra.join(", ")}.`);
}

export function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== "string") throw syntacticError(`The field "${name}" must be a string.`);
  return value;
}
