import { viewOf } from "../http/context";
import type { RequestContext } from "../http/context";
import { notFound } from "../http/errors";
import { listReply, objectReply, siblingMeta } from "../http/envelope";
import type { Reply } from "../http/envelope";
import type { Route } from "../http/router";

// [N] no trust-store page was found; the path and the body ({name, ca_certificates}) are this simulator's
// choice. They are read-only here: the CSR chain validation only needs to read them.
export const TRUST_STORES = "/api/configuration/policies/trust_stores";

function list(ctx: RequestContext): Reply {
  return listReply(TRUST_STORES, [...viewOf(ctx).trustStores.keys()]);
}

function show(ctx: RequestContext): Reply {
  const stores = viewOf(ctx).trustStores;
  const store = stores.get(ctx.params.key!);
  if (!store) throw notFound(ctx.path);
  const siblings = [...stores.keys()].map((k) => `${TRUST_STORES}/${k}`);
  return objectReply(
    200,
    store.key,
    { ca_certificates: store.caCertificates, name: store.name },
    siblingMeta(`${TRUST_STORES}/${store.key}`, siblings),
  );
}

export const trustStoreRoutes: Route[] = [
  { pattern: TRUST_STORES, auth: true, methods: { GET: list } },
  { pattern: `${TRUST_STORES}/:key`, auth: true, methods: { GET: show } },
];
