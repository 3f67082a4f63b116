import { createHash } from "node:crypto";
import type { RequestContext } from "../http/context";
import type { Reply } from "../http/envelope";
import type { Route } from "../http/router";
import type { ApplianceState } from "../state/model";

/** Changes whenever the committed configuration does: a cheap drift signal, as on the box. */
function configHash(state: ApplianceState): string {
  const material = JSON.stringify({
    config: state.config,
    passwords: [...state.passwords.keys()],
    privateKeys: [...state.privateKeys.keys()],
    x509: [...state.x509.values()].map((x) => x.sha256),
  });
  return createHash("sha1").update(material).digest("hex");
}

// [V] Without a session /api/info answers a reduced body; an authenticated call adds the version fields.
function info(ctx: RequestContext): Reply {
  const { options, store } = ctx.appliance;
  const body: Record<string, unknown> = {
    domainname: "example.com",
    hostname: options.hostname,
    nickname: options.hostname,
    support_link: "https://support.oneidentity.com/",
  };
  if (ctx.session) {
    Object.assign(body, {
      analytics_enabled: false,
      build_date: "2026-01-01",
      config_hash: configHash(store.committed),
      firmware_version: "7.5.1",
      roles: ["central-management"],
      version: "7.5.1",
    });
  }
  return { status: 200, body: { body, key: "info", meta: { href: "/api/info", parent: "/api" } } };
}

export const infoRoutes: Route[] = [{ pattern: "/api/info", auth: false, methods: { GET: info } }];
