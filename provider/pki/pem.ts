import "reflect-metadata";
import { PemConverter } from "@peculiar/x509";

export interface PemBlock {
  type: string;
  der: Buffer;
}

/** Thrown for input that is not what it claims to be; `message` is safe to show (it never quotes the input). */
export class PkiInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PkiInputError";
  }
}

/** Every PEM block in a text, in order. Text with no BEGIN line is an error, as is a truncated block. */
export function pemBlocks(text: string): PemBlock[] {
  const begins = (text.match(/-----BEGIN [A-Z0-9 ]+-----/g) ?? []).length;
  const ends = (text.match(/-----END [A-Z0-9 ]+-----/g) ?? []).length;
  if (begins === 0) throw new PkiInputError("is not PEM (no -----BEGIN ...----- line)");
  if (begins !== ends) throw new PkiInputError("is truncated PEM (BEGIN and END lines do not pair up)");
  let structs;
  try {
    structs = PemConverter.decodeWithHeaders(text);
  } catch {
    throw new PkiInputError("is malformed PEM");
  }
  if (structs.length !== begins) throw new PkiInputError("is malformed PEM (a block could not be decoded)");
  return structs.map((s) => ({ type: s.type, der: Buffer.from(s.rawData) }));
}

/** PEM armour around DER, 64 characters a line, as OpenSSL writes it. */
export function toPem(type: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64");
  return `-----BEGIN ${type}-----\n${b64.replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END ${type}-----\n`;
}

/** Base64 as devices send it (no armour), tolerating line breaks; rejects anything else. */
export function fromBase64(text: string): Buffer {
  const compact = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new PkiInputError("is not base64");
  }
  return Buffer.from(compact, "base64");
}
