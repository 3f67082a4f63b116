import * as pulumi from "@pulumi/pulumi";
import { AxisCaCertificate, AxisCertificate } from "../../../provider";

/**
 * Two resources on a camera named in the stack config `pulumi-axis-sps:devices`. Stack config (namespace =
 * project): deviceName, caCertificate (the PEM to put in the camera's CA store).
 */
export = () => {
  const config = new pulumi.Config();
  const device = config.require("deviceName");
  const ca = new AxisCaCertificate("site-ca", { device, certificate: config.require("caCertificate") });
  const onboard = new AxisCertificate("onboard", {
    device,
    selfSigned: { subject: { commonName: "named.camera.test" }, validityDays: 400 },
  });
  return { caId: ca.certificateId, onboardId: onboard.certificateId, deviceUrl: onboard.deviceUrl };
};
