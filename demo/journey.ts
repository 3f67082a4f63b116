/** The demo journey: the site stack from an empty state through drift and repair to destroy, every step checked. */
import { DeviceHttp } from "../provider/transport/http";
import { AxisSimulator } from "../simulators/axis";
import { SpsSimulator } from "../simulators/sps";
import type { Engine, OperationResult, ResourceChange } from "../test/engine/engine";
import { makeCa, makeLeaf } from "../test/support/pki";
import type { DemoSite } from "./site";

export const CAMERAS = ["cam1", "cam2", "cam3"];
const RESOURCES_PER_CAMERA = 5;

export class DemoFailure extends Error {}

/** Where the journey writes what it does; the demo prints it, tests keep it. */
export let log: (line: string) => void = (line) => console.log(line);
export function setLog(sink: (line: string) => void): void {
  log = sink;
}

function expect(condition: boolean, what: string): void {
  if (!condition) throw new DemoFailure(what);
  log(`  ✔ ${what}`);
}

function banner(title: string): void {
  log(`\n=== ${title} ${"=".repeat(Math.max(0, 96 - title.length))}`);
}

function show(result: OperationResult): OperationResult {
  log(result.format().replace(/^/gm, "  "));
  return result;
}

const changed = (r: OperationResult) => r.resources.filter((c) => c.custom && c.op !== "same");
const names = (cs: ResourceChange[]) => cs.map((c) => c.name).sort();
const custom = (r: OperationResult, op: string) =>
  r.resources.filter((c) => c.custom && c.op === op && !c.error).length;

export async function startSite(
  secrets: { cameraPassword?: string; operatorPassword?: string } = {},
): Promise<DemoSite> {
  const siteCa = await makeCa("Demo site CA");
  const radiusCa = await makeCa("Demo RADIUS CA");
  const password = secrets.cameraPassword ?? "demo-camera-password";
  const cameras = await Promise.all(CAMERAS.map((name) => AxisSimulator.start({ name, password })));
  // These cameras already had 802.1X set up by hand: the stack takes it over, and destroy puts it back.
  for (const camera of cameras) {
    const legacy = await makeLeaf(radiusCa, "legacy-dot1x");
    camera.addCertificate({
      id: "legacy-dot1x",
      certificatePem: legacy.certPem,
      privateKeyPem: legacy.keyPem,
    });
    camera.addCertificate({ id: "legacy-radius", certificatePem: radiusCa.certPem });
    camera.setDot1x({
      identity: "legacy",
      certificateId: "legacy-dot1x",
      caCertificateIds: ["legacy-radius"],
    });
  }
  const sps = await SpsSimulator.start();
  return {
    siteCa,
    radiusCa,
    cameraNames: CAMERAS,
    cameraPassword: password,
    operatorPassword: secrets.operatorPassword ?? "demo-operator-password",
    cameras,
    sps,
  };
}

export async function stopSite(site: DemoSite): Promise<void> {
  await DeviceHttp.closeAll();
  await Promise.all([...site.cameras.map((c) => c.stop()), site.sps.stop()]);
}

function deviceRequests(site: DemoSite): number {
  return site.cameras.reduce((n, c) => n + c.counters().requests, 0) + site.sps.counters().requests;
}

function resetCounters(site: DemoSite): void {
  for (const c of site.cameras) c.resetCounters();
  site.sps.resetCounters();
}

/** `checkpoint` runs after every step (tests read the saved state there). */
export async function journey(
  site: DemoSite,
  engine: Engine,
  checkpoint: (step: string) => void | Promise<void> = () => undefined,
): Promise<void> {
  const total = CAMERAS.length * RESOURCES_PER_CAMERA + 2;
  const before = site.cameras.map((c) => ({
    https: c.getWebServerTls().certificateId,
    ids: c
      .listCertificates()
      .map((x) => x.id)
      .sort(),
  }));

  banner("1. pulumi preview");
  resetCounters(site);
  const preview = show(await engine.preview());
  expect(
    changed(preview).length === total && changed(preview).every((c) => c.op === "create"),
    `the plan creates all ${total} resources`,
  );
  expect(deviceRequests(site) === 0, "preview sent nothing to any device");

  await checkpoint("preview");
  banner("2. pulumi up");
  const up = show(await engine.up());
  expect(up.failed === 0 && custom(up, "create") === total, `${total} resources created`);
  const outputs = up.outputs.devices as Record<string, { fingerprint: string; httpsServes: string }>;
  site.cameras.forEach((camera, i) => {
    const served = camera.servedHttpsFingerprint();
    expect(
      served === outputs[CAMERAS[i]].fingerprint.replace(/:/g, ""),
      `${CAMERAS[i]} serves its new certificate over HTTPS, signed by the site CA`,
    );
  });
  expect(
    site.sps.servedCertificateSha256 === outputs.sps.fingerprint,
    "the SPS appliance serves the web certificate made from its own key",
  );

  await checkpoint("up");
  banner("3. pulumi up again: nothing to do");
  resetCounters(site);
  const again = show(await engine.up());
  expect(changed(again).length === 0, "every resource unchanged: no perpetual diff");
  expect(deviceRequests(site) === 0, "and not one request to a device");

  await checkpoint("no-op up");
  banner("4. drift, made behind the stack's back");
  const cam1Dot1x = site.cameras[0].getDot1x().certificateId ?? "";
  site.cameras[0].deleteCertificate(cam1Dot1x);
  log("  cam1: its 802.1X client certificate deleted");
  site.cameras[1].rebindHttps(before[1].https);
  log(`  cam2: HTTPS rebound to "${before[1].https}"`);
  await site.sps.replaceWebCertificate();
  log("  sps: web certificate replaced by hand");

  await checkpoint("drift");
  banner("5. pulumi preview --refresh");
  const drift = show(await engine.preview({ refresh: true }));
  const drifted = changed(drift);
  const byDrift = drifted.filter((c) => c.name !== "cam1-dot1x");
  expect(
    JSON.stringify(names(byDrift)) === JSON.stringify(["cam1-dot1x-cert", "cam2-https-binding", "sps-web"]),
    "the plan shows exactly the three drifted resources",
  );
  const follower = drifted.find((c) => c.name === "cam1-dot1x");
  expect(
    !follower ||
      (follower.op === "update" &&
        follower.changedKeys.every((k) => ["clientCertificateId", "clientCertificatePem"].includes(k))),
    "and nothing else, but cam1's 802.1X following its new certificate",
  );
  const op = (name: string) => drifted.find((c) => c.name === name);
  expect(op("cam1-dot1x-cert")?.op === "create", "cam1's deleted certificate is to be created again");
  expect(
    op("cam2-https-binding")?.op === "update" &&
      op("cam2-https-binding")!.changedKeys.includes("certificateId"),
    "cam2's binding is to be updated (certificateId)",
  );
  expect(op("sps-web")?.op === "replace", "the SPS web certificate is to be replaced");
  expect(
    byDrift.filter((c) => c.op !== "create").every((c) => Object.values(c.reasons).includes("drift")),
    "each change is explained as drift",
  );

  await checkpoint("preview --refresh");
  banner("6. pulumi up --refresh: repair");
  show(await engine.refresh());
  const repair = show(await engine.up());
  expect(repair.failed === 0, "the repair succeeded");
  const newDot1x = site.cameras[0].getDot1x().certificateId ?? "";
  expect(
    newDot1x !== cam1Dot1x && site.cameras[0].listCertificates().some((c) => c.id === newDot1x),
    "cam1 has a new 802.1X certificate, and 802.1X uses it",
  );
  const repairedOutputs = repair.outputs.devices as Record<
    string,
    { certificate: string; fingerprint: string }
  >;
  expect(
    site.cameras[1].getWebServerTls().certificateId === repairedOutputs.cam2.certificate,
    "cam2's HTTPS serves the stack's certificate again",
  );
  expect(
    site.sps.servedCertificateSha256 === repairedOutputs.sps.fingerprint,
    "SPS serves a web certificate the stack made",
  );
  const settled = await engine.preview({ refresh: true });
  expect(changed(settled).length === 0, "a refreshed preview after the repair shows no change");

  await checkpoint("repair");
  banner("7. pulumi destroy");
  const destroy = show(await engine.destroy());
  expect(destroy.failed === 0 && custom(destroy, "delete") === total, `${total} resources deleted`);
  site.cameras.forEach((camera, i) => {
    expect(
      camera.getWebServerTls().certificateId === before[i].https,
      `${CAMERAS[i]}: HTTPS bound back to the certificate it had`,
    );
    const ids = camera
      .listCertificates()
      .map((x) => x.id)
      .sort();
    expect(
      JSON.stringify(ids) === JSON.stringify(before[i].ids),
      `${CAMERAS[i]}: no certificate the stack made is left`,
    );
    expect(
      camera.getDot1x().certificateId === "legacy-dot1x",
      `${CAMERAS[i]}: 802.1X configuration put back`,
    );
  });
  expect(
    !site.sps.getCommitted().users.some((u) => u.name === "site-operator"),
    "SPS: the operator user the stack made is gone",
  );
}
