/** What a handler answers; the server adds the common headers (Content-Type, Content-Language, Allow). */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Meta = Record<string, unknown>;

export function parentOf(path: string): string | null {
  const cut = path.lastIndexOf("/");
  return cut <= 0 ? null : path.slice(0, cut);
}

/**
 * `first`/`last`/`next`/`previous` point at siblings at the same level, null when there is none
 * (wire notes §0). `transaction` is present under /api/configuration, as in every documented sample there.
 */
export function siblingMeta(href: string, siblings: readonly string[]): Meta {
  const i = siblings.indexOf(href);
  return {
    first: siblings[0] ?? null,
    href,
    last: siblings[siblings.length - 1] ?? null,
    next: i >= 0 && i + 1 < siblings.length ? siblings[i + 1]! : null,
    parent: parentOf(href),
    previous: i > 0 ? siblings[i - 1]! : null,
    ...(href.startsWith("/api/configuration") ? { transaction: "/api/transaction" } : {}),
  };
}

export function plainMeta(href: string): Meta {
  return {
    href,
    parent: parentOf(href),
    ...(href.startsWith("/api/configuration") ? { transaction: "/api/transaction" } : {}),
  };
}

export function objectReply(status: number, key: string, body: unknown, meta: Meta): Reply {
  return { status, body: { body, key, meta } };
}

/** The answer to a successful POST: the new key and where it lives (seed "Response" samples). */
export function createdReply(key: string, collection: string): Reply {
  return { status: 201, body: { key, meta: plainMeta(`${collection}/${key}`) } };
}

export function listReply(href: string, keys: readonly string[], meta: Meta = plainMeta(href)): Reply {
  return {
    status: 200,
    body: { items: keys.map((key) => ({ key, meta: { href: `${href}/${key}` } })), meta },
  };
}

/** A reference as GET shows it: {"key", "meta": {"href"}}; written back as the bare key string. */
export function referenceJson(collection: string, key: string | null): unknown {
  return key === null ? null : { key, meta: { href: `${collection}/${key}` } };
}
