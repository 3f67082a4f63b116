/**
 * One stack per site: every camera of the site gets the RADIUS CA, an HTTPS certificate whose key is made on
 * the camera and signed by the site CA, its HTTPS binding and wired 802.1X; the site's SPS appliance gets a
 * web certificate from a key made on the appliance (signed by the same CA) and a local operator's password.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  AxisCaCertificate,
  AxisCertificate,
  AxisDot1x,
  AxisHttpsBinding,
  SpsCsr,
  SpsPassword,
} from "pulumi-axis-sps";

interface CameraConfig {
  name: string;
  url: string;
  username: string;
  /** PEM of the CA (or self-signed certificate) the camera's HTTPS presents today. */
  caCertificate?: string;
  /** SHA-256 pin instead of a CA, for cameras still on their factory certificate. */
  fingerprintSha256?: string;
  dot1xIdentity?: string;
}

interface ApplianceConfig {
  url: string;
  username: string;
  caCertificate?: string;
}

export = () => {
  const config = new pulumi.Config();
  const cameras = config.requireObject<CameraConfig[]>("cameras");
  const cameraPassword = config.requireSecret("cameraPassword");
  const siteCaCertificate = config.require("siteCaCertificate");
  const siteCaPrivateKey = config.requireSecret("siteCaPrivateKey");
  const radiusCaCertificate = config.require("radiusCaCertificate");
  const renewBeforeDays = config.getNumber("renewBeforeDays") ?? 30;
  const validityDays = config.getNumber("certificateValidityDays") ?? 397;
  const localCa = { certificate: siteCaCertificate, privateKey: siteCaPrivateKey, validityDays };

  const summary: Record<string, pulumi.Output<unknown>> = {};

  for (const camera of cameras) {
    // Trust what the camera serves today and what this stack will make it serve.
    const device = {
      url: camera.url,
      username: camera.username,
      password: cameraPassword,
      tls: {
        caCertificate: [camera.caCertificate, siteCaCertificate].filter(Boolean).join("\n"),
        fingerprintSha256: camera.fingerprintSha256,
      },
    };
    const radiusCa = new AxisCaCertificate(`${camera.name}-radius-ca`, {
      device,
      certificate: radiusCaCertificate,
    });
    const https = new AxisCertificate(`${camera.name}-https`, {
      device,
      deviceCsr: { subject: { commonName: camera.name, organization: pulumi.getStack() }, localCa },
      renewBeforeDays,
    });
    const binding = new AxisHttpsBinding(`${camera.name}-https-binding`, {
      device,
      certificateId: https.certificateId,
      policy: "Https",
    });
    // Axis wants an 802.1X client certificate's ID to be its common name: each generation gets a new ID
    // and name, so a replacement is made, 802.1X moves to it, and only then is the old one deleted.
    const dot1xCert = new AxisCertificate(`${camera.name}-dot1x-cert`, {
      device,
      idPrefix: `${camera.name}-dot1x`,
      commonNameFromId: true,
      deviceCsr: { subject: { organization: pulumi.getStack() }, localCa },
      renewBeforeDays,
    });
    new AxisDot1x(`${camera.name}-dot1x`, {
      device,
      identity: camera.dot1xIdentity ?? camera.name,
      clientCertificateId: dot1xCert.certificateId,
      clientCertificatePem: dot1xCert.certificatePem,
      caCertificateIds: [radiusCa.certificateId],
    });
    summary[camera.name] = pulumi
      .all([https.certificateId, https.fingerprintSha256, https.notAfter, binding.certificateId])
      .apply(([certificate, fingerprint, expires, served]) => ({
        certificate,
        fingerprint,
        expires,
        httpsServes: served,
      }));
  }

  const appliance = config.getObject<ApplianceConfig>("sps");
  if (appliance) {
    const device = {
      url: appliance.url,
      username: appliance.username,
      password: config.requireSecret("spsPassword"),
      tls: { caCertificate: [appliance.caCertificate, siteCaCertificate].filter(Boolean).join("\n") },
    };
    const host = new URL(appliance.url).hostname;
    const web = new SpsCsr("sps-web", {
      device,
      subject: [
        { name: "commonName", value: host },
        { name: "organizationName", value: pulumi.getStack() },
      ],
      extensions: [
        { name: "extendedKeyUsage", value: "serverAuth", critical: false },
        {
          name: "subjectAltName",
          value: /^[\d.]+$/.test(host) ? `IP:${host}` : `DNS:${host}`,
          critical: false,
        },
      ],
      localCa,
      usage: "server",
      renewBeforeDays,
    });
    new SpsPassword("sps-operator", {
      device,
      localUser: config.get("operatorUser") ?? "site-operator",
      plain: config.requireSecret("operatorPassword"),
      removeUserOnDelete: true,
    });
    summary.sps = pulumi
      .all([web.x509Key, web.fingerprintSha256, web.notAfter])
      .apply(([certificate, fingerprint, expires]) => ({
        certificate,
        fingerprint,
        expires,
      }));
  }

  return { devices: summary };
};
