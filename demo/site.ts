import type { AxisSimulator } from "../simulators/axis";
import type { SpsSimulator } from "../simulators/sps";
import type { Issued } from "../test/support/pki";

/** The running simulators of the demo site and the CAs it made. */
export interface DemoSite {
  siteCa: Issued;
  radiusCa: Issued;
  cameraNames: string[];
  cameraPassword: string;
  operatorPassword: string;
  cameras: AxisSimulator[];
  sps: SpsSimulator;
}

export type ConfigValue = string | { value: string; secret?: boolean };

/** The stack configuration of examples/site for the running simulators (Pulumi.demo.yaml, filled in). */
export function siteConfig(site: DemoSite): Record<string, ConfigValue> {
  const secret = (value: string) => ({ value, secret: true });
  return {
    cameras: JSON.stringify(
      site.cameras.map((c, i) => ({
        name: site.cameraNames[i],
        url: c.httpsUrl,
        username: c.username,
        caCertificate: c.caCertificatePem,
      })),
    ),
    cameraPassword: secret(site.cameraPassword),
    siteCaCertificate: site.siteCa.certPem,
    siteCaPrivateKey: secret(site.siteCa.keyPem),
    radiusCaCertificate: site.radiusCa.certPem,
    sps: JSON.stringify({
      url: site.sps.url,
      username: site.sps.username,
      caCertificate: site.sps.caCertificatePem,
    }),
    spsPassword: secret(site.sps.password),
    operatorPassword: secret(site.operatorPassword),
    renewBeforeDays: "30",
  };
}
