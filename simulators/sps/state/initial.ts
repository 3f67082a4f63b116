import { createPrivateKey } from "node:crypto";
import { passwordRecord } from "../auth/passwords";
import { newObjectKey, newUserKey } from "../core";
import { x509Record } from "../handlers/x509";
import type { TrustStoreSeed } from "../options";
import type { Authority } from "../pki/authority";
import { issueIdentity } from "../pki/authority";
import { parseCertificates } from "../pki/certificates";
import { subtle } from "../pki/lib";
import type { ApplianceState, TrustStore, X509Object } from "./model";
import { markReferenced } from "./reclaim";

export async function authorityIdentity(ca: Authority): Promise<X509Object> {
  const der = Buffer.from(await subtle.exportKey("pkcs8", ca.keys.privateKey));
  const pem = createPrivateKey({ key: der, format: "der", type: "pkcs8" })
    .export({ type: "pkcs8", format: "pem" })
    .toString();
  return x509Record(ca.certificate, [], pem);
}

/** A web certificate for the loopback listener, signed by the internal CA (which is sent along). */
export async function webIdentity(ca: Authority, commonName = "localhost"): Promise<X509Object> {
  const issued = await issueIdentity(ca, { commonName, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
  return x509Record(parseCertificates(issued.certificatePem)[0]!, [ca.certificate], issued.privateKeyPem);
}

async function tsaIdentity(ca: Authority): Promise<X509Object> {
  const issued = await issueIdentity(ca, { commonName: "SPS timestamping authority", serverAuth: false });
  return x509Record(parseCertificates(issued.certificatePem)[0]!, [ca.certificate], issued.privateKeyPem);
}

/** A factory-fresh appliance: admin user, root password, internal CA, web and TSA certificates, trust stores. */
export async function initialState(params: {
  username: string;
  password: string;
  internalCa: Authority;
  externalCa: Authority;
  trustStores: TrustStoreSeed[];
  defaultTrustStoreKey: string;
}): Promise<ApplianceState> {
  const ca = await authorityIdentity(params.internalCa);
  const server = await webIdentity(params.internalCa);
  const tsa = await tsaIdentity(params.internalCa);
  const admin = passwordRecord(newObjectKey(), { plain: params.password });
  const root = passwordRecord(newObjectKey(), { plain: newObjectKey() });
  const stores: TrustStore[] = [
    { key: params.defaultTrustStoreKey, name: "default", caCertificates: [params.externalCa.certificatePem] },
    ...params.trustStores.map((s) => ({
      key: s.key ?? newObjectKey(),
      name: s.name,
      caCertificates: [...s.caCertificates],
    })),
  ];
  const state: ApplianceState = {
    passwords: new Map([admin, root].map((p) => [p.key, p])),
    privateKeys: new Map(),
    x509: new Map([ca, server, tsa].map((x) => [x.key, x])),
    csrs: new Map(),
    trustStores: new Map(stores.map((s) => [s.key, s])),
    config: {
      certificates: { ca: ca.key, server: server.key, tsa: tsa.key },
      rootPassword: root.key,
      users: [{ key: newUserKey(), name: params.username, password: admin.key }],
    },
  };
  markReferenced(state);
  return state;
}
