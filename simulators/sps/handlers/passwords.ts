import { passwordRecord } from "../auth/passwords";
import { bodyObject, changeConfig, viewOf } from "../http/context";
import type { RequestContext } from "../http/context";
import { notFound, syntacticError } from "../http/errors";
import { createdReply, objectReply, siblingMeta } from "../http/envelope";
import type { Reply } from "../http/envelope";
import type { Route } from "../http/router";
import { newObjectKey } from "../core";
import type { ApplianceState, PasswordObject } from "../state/model";

const COLLECTION = "/api/configuration/passwords";

/** The documented formats: plain, hash, nthash, or hash and nthash together; nothing else. */
export function parsePasswordInput(value: unknown): { plain?: string; hash?: string; nthash?: string } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw syntacticError("The password must be a JSON object with plain, hash or nthash.");
  }
  const body = value as Record<string, unknown>;
  const fields = Object.keys(body).sort().join(",");
  if (!["plain", "hash", "nthash", "hash,nthash"].includes(fields)) {
    throw syntacticError(
      `Invalid password format (${fields || "empty"}): use plain, hash, nthash, or hash and nthash.`,
    );
  }
  for (const [name, v] of Object.entries(body)) {
    if (typeof v !== "string" || v === "")
      throw syntacticError(`The field "${name}" must be a non-empty string.`);
  }
  const input = body as { plain?: string; hash?: string; nthash?: string };
  if (input.hash !== undefined && !/^\$[0-9a-z]+\$/.test(input.hash)) {
    throw syntacticError('The field "hash" must be a crypt(5) salted hash such as "$6$…".');
  }
  if (input.nthash !== undefined && !/^[0-9a-fA-F]{32}$/.test(input.nthash)) {
    throw syntacticError('The field "nthash" must be 32 hexadecimal characters.');
  }
  return input;
}

/** Creates the object in the draft; used by POST and by the one-step forms ({plain: …} in a reference). */
export function addPassword(draft: ApplianceState, value: unknown): PasswordObject {
  const record = passwordRecord(newObjectKey(), parsePasswordInput(value));
  draft.passwords.set(record.key, record);
  return record;
}

function create(ctx: RequestContext): Reply {
  const body = bodyObject(ctx);
  const key = changeConfig(ctx, (draft) => {
    const record = addPassword(draft, body);
    return { result: record.key, changes: [{ type: "create", path: `${COLLECTION}/${record.key}` }] };
  });
  return createdReply(key, COLLECTION);
}

// [N] the GET-by-key body is not documented. Nothing secret-derived is shown: clients may rely on the
// object's existence (200 vs 404) only.
function show(ctx: RequestContext): Reply {
  const view = viewOf(ctx);
  const key = ctx.params.key!;
  if (!view.passwords.has(key)) throw notFound(ctx.path);
  const siblings = [...view.passwords.keys()].map((k) => `${COLLECTION}/${k}`);
  return objectReply(200, key, {}, siblingMeta(`${COLLECTION}/${key}`, siblings));
}

// "the GET method is not permitted on this endpoint" and "the DELETE and PUT methods are not permitted".
export const passwordRoutes: Route[] = [
  { pattern: COLLECTION, auth: true, methods: { POST: create } },
  { pattern: `${COLLECTION}/:key`, auth: true, methods: { GET: show } },
];
