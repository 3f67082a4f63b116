import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";

/** What the engine sends for a value not known until apply (pulumi preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/** True when the value or anything inside it is not known yet. */
export function hasUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(hasUnknown);
  if (value && typeof value === "object") return Object.values(value).some(hasUnknown);
  return false;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** Property paths as Pulumi shows them: `pem.certificate`, `caCertificateIds[1]`. */
export function propertyPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    "",
  );
}

/**
 * Validates inputs with a zod schema and turns every issue into a CheckFailure naming its property.
 * Issues on values that are still unknown (preview) are dropped: they are checked again at apply time.
 */
export function schemaFailures<T>(
  schema: z.ZodType<T>,
  inputs: unknown,
): { value?: T; failures: pulumi.dynamic.CheckFailure[] } {
  // The plugin adds the serialized provider to every input set; it is not the user's to validate.
  const { __provider: _provider, ...userInputs } = (inputs ?? {}) as Record<string, unknown>;
  const result = schema.safeParse(userInputs);
  if (result.success) return { value: result.data, failures: [] };
  const failures = result.error.issues
    .filter((issue) => !isUnknownAlong(inputs, issue.path))
    .map((issue) => ({ property: propertyPath(issue.path) || "(inputs)", reason: issue.message }));
  return { failures };
}

function isUnknownAlong(root: unknown, path: PropertyKey[]): boolean {
  for (let i = 0; i <= path.length; i++) if (isUnknown(valueAt(root, path.slice(0, i)))) return true;
  return false;
}

/** Collects failures from semantic checks that may throw a PkiInputError-like error. */
export class FailureList {
  readonly items: pulumi.dynamic.CheckFailure[] = [];

  add(property: string, reason: string): void {
    this.items.push({ property, reason });
  }

  /** Runs a check of one known value; its thrown message becomes the failure's reason. */
  attempt<T>(property: string, value: unknown, fn: () => T): T | undefined {
    if (value === undefined || hasUnknown(value)) return undefined;
    try {
      return fn();
    } catch (err) {
      this.add(property, `${property} ${(err as Error).message}`);
      return undefined;
    }
  }
}
