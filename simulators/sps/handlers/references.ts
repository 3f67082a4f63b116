import { syntacticError } from "../http/errors";

/**
 * A reference as written on PUT: the bare key string. The expanded GET form ({key, meta}) is refused,
 * following the doc's "use the value of the returned key … and remove any child elements (including the key)".
 * [N] what the box answers to the expanded form; SyntacticError chosen.
 */
export function referenceKey(value: unknown, field: string): string {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "object" && value !== null && "key" in value) {
    throw syntacticError(`The reference "${field}" must be written as the key string, not as an object.`);
  }
  throw syntacticError(`The reference "${field}" must be a key string.`);
}
