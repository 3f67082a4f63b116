import { randomBytes } from "node:crypto";
import { z } from "zod";

/**
 * Device object IDs we create: letters, digits, space and ._()- only. Real Axis IDs use spaces and
 * parentheses; anything else (XML metacharacters, control characters, quotes) is refused before it could
 * reach a device.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._()-]*$/;
const SUFFIX_LENGTH = 9; // "-" plus 8 hex digits

export const idPrefixSchema = z
  .string()
  .min(1, "must not be empty")
  .max(
    128 - SUFFIX_LENGTH,
    `must be at most ${128 - SUFFIX_LENGTH} characters (a generation suffix is added)`,
  )
  .regex(
    ID_PATTERN,
    "may hold only letters, digits, space and . _ ( ) -, and must start with a letter or digit",
  );

/** A device ID unique to this generation of the object, so a replacement never collides with its predecessor. */
export function generationId(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}
