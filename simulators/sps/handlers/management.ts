import { bodyObject, changeConfig, onlyFields, viewOf } from "../http/context";
import type { RequestContext } from "../http/context";
import { syntacticError } from "../http/errors";
import { referenceJson, siblingMeta } from "../http/envelope";
import type { Reply } from "../http/envelope";
import type { Route } from "../http/router";
import { COLLECTION_PATH } from "../state/references";
import { addPassword } from "./passwords";
import { referenceKey } from "./references";

const MANAGEMENT = "/api/configuration/management";
const CERTIFICATES = `${MANAGEMENT}/certificates`;
const ROOT_PASSWORD = `${MANAGEMENT}/root_password`;
// [V] the children of /api/configuration/management (6.9.5), for sibling links only.
const MANAGEMENT_CHILDREN = [
  "certificates",
  "disk_fillup_prevention",
  "email",
  "exported_configuration_encryption",
  "health_monitoring",
  "license",
  "root_password",
  "snmp",
  "soap",
  "splunk_forwarder",
  "support_info",
  "webinterface",
].map((c) => `${MANAGEMENT}/${c}`);

function certificatesBody(ctx: RequestContext) {
  const { ca, server, tsa } = viewOf(ctx).config.certificates;
  const x509 = COLLECTION_PATH.x509;
  return {
    ca: { selection: "identity", x509_identity: referenceJson(x509, ca) },
    server: referenceJson(x509, server),
    tsa: referenceJson(x509, tsa),
  };
}

function getCertificates(ctx: RequestContext): Reply {
  return {
    status: 200,
    body: {
      body: certificatesBody(ctx),
      key: "certificates",
      meta: siblingMeta(CERTIFICATES, MANAGEMENT_CHILDREN),
    },
  };
}

// A PUT replaces the whole object: all three places must be given.
function putCertificates(ctx: RequestContext): Reply {
  const body = bodyObject(ctx);
  onlyFields(body, ["ca", "server", "tsa"]);
  const ca = body.ca;
  if (typeof ca !== "object" || ca === null || Array.isArray(ca))
    throw syntacticError('The field "ca" must be an object.');
  const caBody = ca as Record<string, unknown>;
  onlyFields(caBody, ["selection", "x509_identity"]);
  // "selection … Must be set to identity".
  if (caBody.selection !== "identity") throw syntacticError('The field "ca.selection" must be "identity".');
  const next = {
    ca: referenceKey(caBody.x509_identity, "ca.x509_identity"),
    server: referenceKey(body.server, "server"),
    tsa: referenceKey(body.tsa, "tsa"),
  };
  changeConfig(ctx, (draft) => {
    const old = draft.config.certificates;
    draft.config.certificates = next;
    return {
      result: undefined,
      changes: [{ type: "replace", path: CERTIFICATES, old_value: old, new_value: next }],
    };
  });
  return getCertificates(ctx);
}

function getRootPassword(ctx: RequestContext): Reply {
  const key = viewOf(ctx).config.rootPassword;
  return {
    status: 200,
    // [R] the body is the password reference, expanded like every reference on GET.
    body: {
      body: referenceJson(COLLECTION_PATH.password, key),
      key: "root_password",
      meta: siblingMeta(ROOT_PASSWORD, MANAGEMENT_CHILDREN),
    },
  };
}

// Either the key of a password object as a JSON string, or {"plain": …} to replace it in one step.
function putRootPassword(ctx: RequestContext): Reply {
  const body = ctx.body;
  changeConfig(ctx, (draft) => {
    let key: string;
    if (typeof body === "string") {
      key = referenceKey(body, "root_password");
    } else if (
      typeof body === "object" &&
      body !== null &&
      !Array.isArray(body) &&
      Object.keys(body).join() === "plain"
    ) {
      key = addPassword(draft, body).key;
    } else {
      throw syntacticError('The root password must be a password key as a JSON string, or {"plain": "…"}.');
    }
    const old = draft.config.rootPassword;
    draft.config.rootPassword = key;
    return {
      result: undefined,
      changes: [{ type: "replace", path: ROOT_PASSWORD, old_value: old, new_value: key }],
    };
  });
  return getRootPassword(ctx);
}

export const managementRoutes: Route[] = [
  { pattern: CERTIFICATES, auth: true, methods: { GET: getCertificates, PUT: putCertificates } },
  { pattern: ROOT_PASSWORD, auth: true, methods: { GET: getRootPassword, PUT: putRootPassword } },
];
