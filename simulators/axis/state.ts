import { CertificateStore } from "./store";
import type { ClientCertificate } from "./store";

/** Connection policy values: `HttpAndHttps` and `Https` are captured, `Http` is [INFERRED]. */
export type ConnectionPolicy = "Http" | "Https" | "HttpAndHttps";
export const CONNECTION_POLICIES: readonly ConnectionPolicy[] = ["Http", "Https", "HttpAndHttps"];

export interface WebServerTlsConfiguration {
  tls: boolean;
  /** `Admin` is the only policy since AXIS OS 7.10; `Operator`/`Viewer` are kept when sent (older firmware). */
  connectionPolicies: { Admin: ConnectionPolicy; Operator?: ConnectionPolicy; Viewer?: ConnectionPolicy };
  ciphers: string[];
  certificateId: string;
  caCertificateIds: string[];
  trustedCertificateIds: string[];
}

export interface Dot1XConfiguration {
  token: string;
  identity: string;
  anonymousId?: string;
  eapMethod: number;
  caCertificateIds: string[];
  /** EAPMethodConfiguration/TLSConfiguration/CertificateID; undefined until configured. */
  certificateId?: string;
  /** Stored but never returned (ONVIF: the response never includes Password). */
  password?: string;
}

/** The six ciphers AXIS OS 12.11 reports [CAPTURE]. */
export const DEFAULT_CIPHERS: readonly string[] = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
];

export const DOT1X_TOKEN = "EAPTLS_WIRED";
export const EAP_TLS = 13;

/** Everything a camera remembers, plus the hook that makes an HTTPS rebinding visible on the TLS listener. */
export class CameraState {
  readonly store = new CertificateStore();
  webServer: WebServerTlsConfiguration;
  dot1x: Dot1XConfiguration;

  constructor(
    /** Kept outside the store too, so HTTPS can fall back to it if the bound certificate vanishes. */
    readonly defaultHttps: ClientCertificate,
    private readonly onHttpsChanged: (served: ClientCertificate, chain: Buffer[]) => void,
  ) {
    this.webServer = {
      tls: true,
      connectionPolicies: { Admin: "HttpAndHttps" },
      ciphers: [...DEFAULT_CIPHERS],
      certificateId: defaultHttps.id,
      caCertificateIds: [],
      trustedCertificateIds: [],
    };
    // Unconfigured 802.1X [INFERRED]: the schema requires Identity and EAPMethod, so an empty identity and
    // EAP-TLS (the only method of the EAPTLS_WIRED set) with no certificates.
    this.dot1x = { token: DOT1X_TOKEN, identity: "", eapMethod: EAP_TLS, caCertificateIds: [] };
  }

  /** The certificate the HTTPS listener must present now. */
  httpsCertificate(): ClientCertificate {
    const bound = this.store.clients.get(this.webServer.certificateId);
    return bound?.privateKey ? bound : this.defaultHttps;
  }

  /** Sends the bound certificate, with the web server's CACertificates as the chain, to the TLS listener. */
  applyHttps(): void {
    const chain = this.webServer.caCertificateIds
      .map((id) => this.store.cas.get(id)?.der)
      .filter((der): der is Buffer => der !== undefined);
    this.onHttpsChanged(this.httpsCertificate(), chain);
  }

  /** Why a certificate may not be deleted, or undefined when it is free. */
  inUseBy(id: string): string | undefined {
    const web = this.webServer;
    if (web.certificateId === id) return "HTTPS";
    if (web.caCertificateIds.includes(id) || web.trustedCertificateIds.includes(id)) return "HTTPS chain";
    if (this.dot1x.certificateId === id || this.dot1x.caCertificateIds.includes(id)) return "IEEE 802.1X";
    return undefined;
  }

  clientCertificateCount(): number {
    return this.store.clients.size;
  }
}
