import type { ApplianceState } from "./state/model";

/** Plain, detached view of the committed appliance for tests to assert on. */
export interface CommittedSnapshot {
  certificates: { ca: string; server: string; tsa: string };
  rootPassword: string | null;
  users: Array<{ key: string; name: string; password: string | null }>;
  passwords: string[];
  privateKeys: Array<{ key: string; fingerprint: string }>;
  x509: Array<{ key: string; sha256: string; subject: string; certificatePem: string; csrKey?: string }>;
  csrs: Array<{ key: string; fingerprint: string; certificateChain: string[] | null }>;
  trustStores: Array<{ key: string; name: string }>;
}

export function snapshotOf(state: ApplianceState): CommittedSnapshot {
  return structuredClone({
    certificates: state.config.certificates,
    rootPassword: state.config.rootPassword,
    users: state.config.users,
    passwords: [...state.passwords.keys()],
    privateKeys: [...state.privateKeys.values()].map((k) => ({ key: k.key, fingerprint: k.sshFingerprint })),
    x509: [...state.x509.values()].map((x) => ({
      key: x.key,
      sha256: x.sha256,
      subject: x.subject,
      certificatePem: x.certificatePem,
      ...(x.csrKey ? { csrKey: x.csrKey } : {}),
    })),
    csrs: [...state.csrs.values()].map((c) => ({
      key: c.key,
      fingerprint: c.fingerprint,
      certificateChain: c.certificateChain,
    })),
    trustStores: [...state.trustStores.values()].map((t) => ({ key: t.key, name: t.name })),
  });
}
