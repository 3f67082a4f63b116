/**
 * The bench's fleet program: the site layout of examples/site for N cameras and several SPS appliances.
 *
 * Per camera: the site CA in the camera's CA store (AxisCaCertificate), an HTTPS certificate whose key is
 * made on the camera and whose CSR the site CA signs (AxisCertificate, deviceCsr), the HTTPS binding
 * (AxisHttpsBinding), an 802.1X client certificate made the same way (AxisCertificate; Axis wants its ID to be
 * its common name, so both carry the certificate generation) and wired 802.1X validating the RADIUS server
 * with the site CA (AxisDot1x). Per appliance: a web certificate from a key made on the appliance
 * (SpsCsr), a timestamping certificate uploaded with its key (SpsX509), a local operator's password
 * (SpsPassword).
 *
 * A rotation changes `siteCaCertificate`/`siteCaPrivateKey`, the TSA certificates and `generation`: every
 * certificate on every device is replaced in one `up`. `trustedCas` holds the old and the new CA throughout,
 * so the provider (and the prober) trust what each camera serves before, during and after.
 *
 * Devices are named: their connections (URL, credentials, trust) are in the stack config
 * `pulumi-axis-sps:devices`, as a fleet's stack keeps them, and each resource names its device.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  AxisCaCertificate,
  AxisCertificate,
  AxisDot1x,
  AxisHttpsBinding,
  SpsCsr,
  SpsPassword,
  SpsX509,
} from "pulumi-axis-sps";

interface CameraConfig {
  name: string;
}

interface ApplianceConfig {
  name: string;
  url: string;
}

export = () => {
  const config = new pulumi.Config();
  const cameras = config.requireObject<CameraConfig[]>("cameras");
  const appliances = config.getObject<ApplianceConfig[]>("appliances") ?? [];
  const siteCaCertificate = config.require("siteCaCertificate");
  const siteCaPrivateKey = config.requireSecret("siteCaPrivateKey");
  const generation = config.require("generation");
  const localCa = { certificate: siteCaCertificate, privateKey: siteCaPrivateKey, validityDays: 397 };

  for (const camera of cameras) {
    const device = camera.name;
    const siteCa = new AxisCaCertificate(`${camera.name}-site-ca`, {
      device,
      certificate: siteCaCertificate,
    });
    const https = new AxisCertificate(`${camera.name}-https`, {
      device,
      deviceCsr: { subject: { commonName: camera.name, organization: "bench" }, localCa },
      renewBeforeDays: 30,
    });
    new AxisHttpsBinding(`${camera.name}-https-binding`, {
      device,
      certificateId: https.certificateId,
      policy: "Https",
    });
    const dot1xId = `${camera.name}-dot1x-${generation}`;
    const dot1xCert = new AxisCertificate(`${camera.name}-dot1x-cert`, {
      device,
      exactId: dot1xId,
      deviceCsr: { subject: { commonName: dot1xId, organization: "bench" }, localCa },
      renewBeforeDays: 30,
    });
    new AxisDot1x(`${camera.name}-dot1x`, {
      device,
      identity: camera.name,
      clientCertificateId: dot1xCert.certificateId,
      caCertificateIds: [siteCa.certificateId],
    });
  }

  const tsa =
    config.requireSecretObject<Record<string, { certificate: string; privateKey: string }>>("spsTsa");
  for (const appliance of appliances) {
    const device = appliance.name;
    const host = new URL(appliance.url).hostname;
    new SpsCsr(`${appliance.name}-web`, {
      device,
      subject: [
        { name: "commonName", value: host },
        { name: "organizationName", value: "bench" },
      ],
      extensions: [
        { name: "extendedKeyUsage", value: "serverAuth", critical: false },
        { name: "subjectAltName", value: `IP:${host}`, critical: false },
      ],
      localCa,
      usage: "server",
      renewBeforeDays: 30,
    });
    new SpsX509(`${appliance.name}-tsa`, {
      device,
      certificate: tsa.apply((t) => t[appliance.name].certificate),
      privateKey: tsa.apply((t) => t[appliance.name].privateKey),
      issuerChain: siteCaCertificate,
      usage: "tsa",
      renewBeforeDays: 30,
    });
    new SpsPassword(`${appliance.name}-operator`, {
      device,
      localUser: "site-operator",
      plain: config.requireSecret("operatorPassword"),
      removeUserOnDelete: true,
    });
  }
  return { cameras: cameras.length, appliances: appliances.length };
};
