import * as pulumi from "@pulumi/pulumi";
// The resource classes are the package's own: their serialized providers require
// "pulumi-axis-sps/dist/provider/..." in the plugin, which resolves from the plugin's cwd.
import { AxisCertificate, AxisHttpsBinding } from "../../../provider";

/**
 * A camera serving HTTPS with an uploaded certificate (signed by a site CA), plus a certificate made on the
 * camera. Stack config (namespace = project): url, username, password (secret), caCertificate,
 * certificatePem, privateKeyPem (secret), chainPem (optional), onboard ("true" to add the on-device certificate).
 */
export = () => {
  const config = new pulumi.Config();
  const device = {
    url: config.require("url"),
    username: config.require("username"),
    password: config.requireSecret("password"),
    tls: { caCertificate: config.require("caCertificate") },
  };
  const site = new AxisCertificate("site", {
    device,
    pem: {
      certificate: config.require("certificatePem"),
      privateKey: config.requireSecret("privateKeyPem"),
      chain: config.get("chainPem"),
    },
  });
  const https = new AxisHttpsBinding("https", { device, certificateId: site.certificateId });
  const outputs: Record<string, pulumi.Output<unknown>> = {
    siteCertificateId: site.certificateId,
    siteFingerprint: site.fingerprintSha256,
    httpsCertificateId: https.certificateId,
    device: https.deviceUrl,
  };
  if (config.get("onboard") === "true") {
    const onboard = new AxisCertificate("onboard", {
      device,
      selfSigned: { subject: { commonName: "onboard.camera.test" }, validityDays: 400 },
      renewBeforeDays: 30,
    });
    outputs.onboardCertificateId = onboard.certificateId;
  }
  return outputs;
};
