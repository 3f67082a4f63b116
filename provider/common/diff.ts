/** Structural equality of plain JSON values, ignoring keys whose value is undefined. */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, canonical(x)]),
    );
  }
  return v;
}

/** Keys (outside `ignore`) whose values differ between two input objects. */
export function changedKeys(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  ignore: string[],
): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  return [...keys].filter((k) => !ignore.includes(k) && !sameJson(olds[k], news[k])).sort();
}

/**
 * Whether the serialized provider changed. Reported as an update with no replacement, so state picks up
 * the new code instead of refreshing and destroying with stale code forever.
 */
export function providerChanged(olds: object, news: object): boolean {
  const a = (olds as { __provider?: unknown }).__provider;
  const b = (news as { __provider?: unknown }).__provider;
  return a !== undefined && b !== undefined && a !== b;
}

/** The object without its undefined-valued keys (state and gRPC Structs have no "undefined"). */
export function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
