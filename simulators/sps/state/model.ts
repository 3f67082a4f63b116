// Plain data only, so a transaction can stage a structuredClone of the whole appliance and a commit can
// swap it in.

export interface PasswordObject {
  key: string;
  /** scrypt verifier of a plain password, so logins can be checked without keeping the plaintext. */
  verifier?: { salt: string; hash: string };
  /** crypt(5) string when the client sent one (or the appliance derived one). */
  hash?: string;
  nthash?: string;
  /** Ever referenced from a configuration place: decides which reclamation switch applies at commit. */
  everReferenced: boolean;
}

export interface PrivateKeyObject {
  key: string;
  pem: string;
  sshFingerprint: string;
  everReferenced: boolean;
}

export interface X509Object {
  key: string;
  certificatePem: string;
  issuerChainPems: string[];
  privateKeyPem: string;
  sha256: string;
  subject: string;
  /** The CSR this X.509 identifier was made from, if any. */
  csrKey?: string;
  everReferenced: boolean;
}

export interface UserObject {
  key: string;
  name: string;
  password: string | null;
}

export interface CsrObject {
  key: string;
  pem: string;
  fingerprint: string;
  publicKeyPem: string;
  privateKeyPem: string;
  subject: Array<{ name: string; value: string }>;
  extensions: Array<{ name: string; value: string; critical: boolean }>;
  certificateChain: string[] | null;
}

export interface TrustStore {
  key: string;
  name: string;
  caCertificates: string[];
}

export interface ConfigState {
  certificates: { ca: string; server: string; tsa: string };
  rootPassword: string | null;
  users: UserObject[];
}

export interface ApplianceState {
  passwords: Map<string, PasswordObject>;
  privateKeys: Map<string, PrivateKeyObject>;
  x509: Map<string, X509Object>;
  csrs: Map<string, CsrObject>;
  trustStores: Map<string, TrustStore>;
  config: ConfigState;
}

export type ObjectKind = "password" | "private_key" | "x509";

/** A configuration place that holds a reference: "ca", "server", "tsa", "root_password" or "user:<user key>". */
export type Place = "ca" | "server" | "tsa" | "root_password" | `user:${string}`;

export interface Reference {
  place: Place;
  kind: ObjectKind;
  key: string;
}

export function cloneState(state: ApplianceState): ApplianceState {
  return structuredClone(state);
}

/** Every reference the configuration holds. Private keys have no referencing place modelled here. */
export function referencesOf(state: ApplianceState): Reference[] {
  const { certificates, rootPassword, users } = state.config;
  const refs: Reference[] = [
    { place: "ca", kind: "x509", key: certificates.ca },
    { place: "server", kind: "x509", key: certificates.server },
    { place: "tsa", kind: "x509", key: certificates.tsa },
  ];
  if (rootPassword !== null) refs.push({ place: "root_password", kind: "password", key: rootPassword });
  for (const user of users) {
    if (user.password !== null)
      refs.push({ place: `user:${user.key}`, kind: "password", key: user.password });
  }
  return refs;
}

export function collectionOf(
  state: ApplianceState,
  kind: ObjectKind,
): Map<string, { everReferenced: boolean }> {
  if (kind === "password") return state.passwords;
  if (kind === "private_key") return state.privateKeys;
  return state.x509;
}
