import { createHash } from "node:crypto";

// SHA-512 crypt ("$6$", Drepper's spec, CRYPT(5)): the hash format the seed's password "hash" field carries.
// Needed so a user whose password object was created from a hash can still log in to the simulator.

const ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ORDER: ReadonlyArray<readonly [number, number, number]> = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
];

function sha512(...parts: Buffer[]): Buffer {
  const h = createHash("sha512");
  for (const p of parts) h.update(p);
  return h.digest();
}

function repeatTo(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = block[i % block.length]!;
  return out;
}

function encode24(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = "";
  for (let i = 0; i < n; i++) {
    out += ITOA64[w & 0x3f];
    w >>= 6;
  }
  return out;
}

/** `setting` is "$6$[rounds=N$]salt[$…]" or a bare salt. */
export function sha512Crypt(password: string, setting: string): string {
  let rest = setting.startsWith("$6$") ? setting.slice(3) : setting;
  let rounds = 5000;
  let custom = false;
  const m = /^rounds=(\d+)\$/.exec(rest);
  if (m) {
    rounds = Math.min(999_999_999, Math.max(1000, Number(m[1])));
    custom = true;
    rest = rest.slice(m[0].length);
  }
  const saltText = rest.split("$")[0]!.slice(0, 16);
  const key = Buffer.from(password, "utf8");
  const salt = Buffer.from(saltText, "utf8");

  const b = sha512(key, salt, key);
  const a = createHash("sha512").update(key).update(salt).update(repeatTo(b, key.length));
  for (let i = key.length; i > 0; i >>= 1) a.update(i & 1 ? b : key);
  const aDigest = a.digest();

  const p = repeatTo(sha512(...Array<Buffer>(key.length).fill(key)), key.length);
  const s = repeatTo(sha512(...Array<Buffer>(16 + aDigest[0]!).fill(salt)), salt.length);

  let c = aDigest;
  for (let i = 0; i < rounds; i++) {
    const h = createHash("sha512");
    h.update(i & 1 ? p : c);
    if (i % 3) h.update(s);
    if (i % 7) h.update(p);
    h.update(i & 1 ? c : p);
    c = h.digest();
  }
  const encoded =
    ORDER.map(([x, y, z]) => encode24(c[x]!, c[y]!, c[z]!, 4)).join("") + encode24(0, 0, c[63]!, 2);
  return `$6$${custom ? `rounds=${rounds}$` : ""}${saltText}$${encoded}`;
}
