import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import type { PasswordObject } from "../state/model";
import { sha512Crypt } from "./shacrypt";

/** Builds the stored form of a new password object; the plaintext itself is never kept. */
export function passwordRecord(
  key: string,
  input: { plain?: string; hash?: string; nthash?: string },
): PasswordObject {
  const record: PasswordObject = { key, everReferenced: false };
  if (input.plain !== undefined) {
    const salt = randomBytes(16).toString("hex");
    record.verifier = { salt, hash: scryptSync(input.plain, salt, 32).toString("hex") };
    // "If you send the password in plaintext format, the API creates the hash for the password."
    record.hash = sha512Crypt(
      input.plain,
      randomBytes(12)
        .toString("base64")
        .replace(/[^A-Za-z0-9./]/g, ".")
        .slice(0, 16),
    );
  }
  if (input.hash !== undefined) record.hash = input.hash;
  if (input.nthash !== undefined) record.nthash = input.nthash.toLowerCase();
  return record;
}

export function passwordMatches(record: PasswordObject, plain: string): boolean {
  if (record.verifier) {
    const got = scryptSync(plain, record.verifier.salt, 32);
    return timingSafeEqual(got, Buffer.from(record.verifier.hash, "hex"));
  }
  if (record.hash?.startsWith("$6$")) {
    const salt = record.hash.slice(0, record.hash.lastIndexOf("$"));
    const computed = sha512Crypt(plain, salt);
    return (
      computed.length === record.hash.length &&
      timingSafeEqual(Buffer.from(computed), Buffer.from(record.hash))
    );
  }
  // [R] only SHA-512 crypt is checked; an nthash-only password cannot be used to log in here.
  return false;
}
