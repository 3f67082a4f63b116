import * as pulumi from "@pulumi/pulumi";
import { AxisCaCertificate, AxisCertificate, AxisHttpsBinding, SpsPassword } from "../../../provider";

/**
 * Load: ten cameras with four resources each and one appliance with fifty, all in one plugin process and
 * all in flight at once. Config: cameras (JSON list of {url, username, caCertificate}),
 * cameraPassword, sps ({url, username, caCertificate}), spsPassword, siteCa, siteCaKey, users (count).
 */
export = () => {
  const config = new pulumi.Config();
  const cameras =
    config.requireObject<Array<{ url: string; username: string; caCertificate: string }>>("cameras");
  const siteCa = config.require("siteCa");
  const localCa = { certificate: siteCa, privateKey: config.requireSecret("siteCaKey") };
  cameras.forEach((c, i) => {
    const device = {
      url: c.url,
      username: c.username,
      password: config.requireSecret("cameraPassword"),
      tls: { caCertificate: `${c.caCertificate}\n${siteCa}` },
    };
    new AxisCaCertificate(`cam${i}-radius`, { device, certificate: siteCa });
    const https = new AxisCertificate(`cam${i}-https`, {
      device,
      deviceCsr: { subject: { commonName: `cam${i}` }, localCa },
    });
    new AxisHttpsBinding(`cam${i}-binding`, { device, certificateId: https.certificateId });
    new AxisCertificate(`cam${i}-client`, { device, commonNameFromId: true, selfSigned: { subject: {} } });
  });
  const sps = config.requireObject<{ url: string; username: string; caCertificate: string }>("sps");
  const device = {
    url: sps.url,
    username: sps.username,
    password: config.requireSecret("spsPassword"),
    tls: { caCertificate: sps.caCertificate },
  };
  for (let i = 0; i < config.requireNumber("users"); i++) {
    new SpsPassword(`user${i}`, {
      device,
      localUser: `user${i}`,
      plain: `password-${i}`,
      removeUserOnDelete: true,
    });
  }
  return {};
};
