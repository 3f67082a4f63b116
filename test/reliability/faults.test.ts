import assert from "node:assert/strict";
import { AxisCaCertificateProvider } from "../../provider/axis/caCertificate";
import { AxisCertificateProvider } from "../../provider/axis/certificate";
import type { AxisCertificateOutputs } from "../../provider/axis/certificate";
import { AxisDot1xProvider } from "../../provider/axis/dot1x";
import type { AxisDot1xOutputs } from "../../provider/axis/dot1x";
import { AxisHttpsBindingProvider } from "../../provider/axis/httpsBinding";
import type { AxisHttpsBindingOutputs } from "../../provider/axis/httpsBinding";
import { SpsCsrProvider } from "../../provider/sps/csr";
import type { SpsCsrOutputs } from "../../provider/sps/csr";
import { SpsPasswordProvider } from "../../provider/sps/password";
import type { SpsPasswordOutputs } from "../../provider/sps/password";
import { SpsX509Provider } from "../../provider/sps/x509";
import { DeviceHttp } from "../../provider/transport/http";
import type { InjectedFault } from "../../simulators/axis";
import { AxisSimulator } from "../../simulators/axis";
import type { FaultMatch, FaultSpec } from "../../simulators/sps";
import { SpsSimulator } from "../../simulators/sps";
import { makeCa, makeLeaf } from "../support/pki";
import type { Issued } from "../support/pki";
import { findings } from "./matrix";
import type { FaultCase } from "./matrix";
import { axisProblem, spsProblem } from "./support";

const SECRET = "fault-matrix-camera-password-0c5e";
const tight = {
  timeouts: { connectMs: 1000, requestMs: 400 },
  retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 30 },
};

type Tracked = Set<string>;

/** One resource operation on a camera, the device operations it sends, and how to run it. */
interface AxisScenario {
  resource: string;
  operation: string;
  steps: string[];
  /**
   * Makes what the operation needs; returns the IDs the state knows of, the operation itself, and (for
   * operations of several steps) what the state knows after a failure part-way.
   */
  prepare(ctx: AxisContext): Promise<{ tracked: Tracked; act(): Promise<Tracked>; known?(): Tracked }>;
}

interface AxisContext {
  camera: AxisSimulator;
  device: { url: string; username: string; password: string; tls: { caCertificate: string } } & typeof tight;
  siteCa: Issued;
}

const certs = new AxisCertificateProvider();
const cas = new AxisCaCertificateProvider();
const bindings = new AxisHttpsBindingProvider();
const dot1x = new AxisDot1xProvider();

async function pemInputs(ctx: AxisContext, name: string) {
  const leaf = await makeLeaf(ctx.siteCa, name);
  return { device: ctx.device, idPrefix: name, pem: { certificate: leaf.certPem, privateKey: leaf.keyPem } };
}

const axisScenarios: AxisScenario[] = [
  {
    resource: "AxisCertificate (pem)",
    operation: "create",
    steps: ["LoadCertificateWithPrivateKey"],
    async prepare(ctx) {
      const inputs = await pemInputs(ctx, "pem");
      return { tracked: new Set(), act: async () => new Set([(await certs.create(inputs)).id]) };
    },
  },
  {
    resource: "AxisCertificate (deviceCsr)",
    operation: "create",
    steps: ["CreateCertificate2", "GetPkcs10Request2", "LoadCertificates"],
    async prepare(ctx) {
      const inputs = {
        device: ctx.device,
        idPrefix: "ondevice",
        deviceCsr: {
          subject: { commonName: "cam" },
          localCa: { certificate: ctx.siteCa.certPem, privateKey: ctx.siteCa.keyPem },
        },
      };
      return { tracked: new Set(), act: async () => new Set([(await certs.create(inputs)).id]) };
    },
  },
  {
    resource: "AxisCertificate",
    operation: "delete",
    steps: ["DeleteCertificates"],
    async prepare(ctx) {
      const made = await certs.create(await pemInputs(ctx, "gone"));
      return {
        tracked: new Set([made.id]),
        act: async () => {
          await certs.delete(made.id, made.outs as AxisCertificateOutputs);
          return new Set();
        },
      };
    },
  },
  {
    resource: "AxisCaCertificate",
    operation: "create",
    steps: ["LoadCACertificates"],
    async prepare(ctx) {
      return {
        tracked: new Set(),
        act: async () =>
          new Set([
            (await cas.create({ device: ctx.device, idPrefix: "radius", certificate: ctx.siteCa.certPem }))
              .id,
          ]),
      };
    },
  },
  {
    resource: "AxisCaCertificate",
    operation: "delete",
    steps: ["DeleteCertificates"],
    async prepare(ctx) {
      const made = await cas.create({
        device: ctx.device,
        idPrefix: "radius",
        certificate: ctx.siteCa.certPem,
      });
      return {
        tracked: new Set([made.id]),
        act: async () => {
          await cas.delete(made.id, made.outs as never);
          return new Set();
        },
      };
    },
  },
  {
    resource: "AxisHttpsBinding",
    operation: "create",
    steps: ["GetWebServerTlsConfiguration", "SetWebServerTlsConfiguration"],
    async prepare(ctx) {
      const cert = await certs.create(await pemInputs(ctx, "https"));
      return {
        tracked: new Set([cert.id]),
        act: async () => {
          await bindings.create({ device: ctx.device, certificateId: cert.id, policy: "Https" });
          return new Set([cert.id]);
        },
      };
    },
  },
  {
    resource: "AxisHttpsBinding",
    operation: "update",
    steps: ["GetWebServerTlsConfiguration", "SetWebServerTlsConfiguration"],
    async prepare(ctx) {
      const a = await certs.create(await pemInputs(ctx, "a"));
      const b = await certs.create(await pemInputs(ctx, "b"));
      const made = await bindings.create({ device: ctx.device, certificateId: a.id });
      return {
        tracked: new Set([a.id, b.id]),
        act: async () => {
          await bindings.update(made.id, made.outs as AxisHttpsBindingOutputs, {
            device: ctx.device,
            certificateId: b.id,
          });
          return new Set([a.id, b.id]);
        },
      };
    },
  },
  {
    resource: "AxisHttpsBinding",
    operation: "delete",
    steps: ["GetWebServerTlsConfiguration", "GetCertificates", "SetWebServerTlsConfiguration"],
    async prepare(ctx) {
      const a = await certs.create(await pemInputs(ctx, "a"));
      const made = await bindings.create({ device: ctx.device, certificateId: a.id });
      return {
        tracked: new Set([a.id]),
        act: async () => {
          await bindings.delete(made.id, made.outs as AxisHttpsBindingOutputs);
          return new Set([a.id]);
        },
      };
    },
  },
  {
    resource: "AxisCertificate served by HTTPS",
    operation: "replace",
    steps: [
      "LoadCertificateWithPrivateKey",
      "GetWebServerTlsConfiguration",
      "SetWebServerTlsConfiguration",
      "DeleteCertificates",
    ],
    async prepare(ctx) {
      const old = await certs.create(await pemInputs(ctx, "gen1"));
      const made = await bindings.create({ device: ctx.device, certificateId: old.id });
      const next = await pemInputs(ctx, "gen2");
      let fresh: string | undefined;
      let rebound = false;
      let oldGone = false;
      return {
        tracked: new Set([old.id]),
        // A replacement made part-way is in state (the engine records each step): old and new both known.
        known: () => new Set([old.id, ...(fresh ? [fresh] : [])]),
        // The engine's order for create-before-delete: new certificate, dependents updated, old one deleted.
        act: async () => {
          fresh ??= (await certs.create(next)).id;
          if (!rebound) {
            await bindings.update(made.id, made.outs as AxisHttpsBindingOutputs, {
              device: ctx.device,
              certificateId: fresh,
            });
            rebound = true;
          }
          if (!oldGone) {
            await certs.delete(old.id, old.outs as AxisCertificateOutputs);
            oldGone = true;
          }
          return new Set([fresh]);
        },
      };
    },
  },
  {
    resource: "AxisDot1x",
    operation: "create",
    steps: ["GetDot1XConfiguration", "SetDot1XConfiguration"],
    async prepare(ctx) {
      const client = await certs.create({
        device: ctx.device,
        idPrefix: "d",
        commonNameFromId: true,
        selfSigned: { subject: {} },
      });
      const ca = await cas.create({
        device: ctx.device,
        idPrefix: "radius",
        certificate: ctx.siteCa.certPem,
      });
      return {
        tracked: new Set([client.id, ca.id]),
        act: async () => {
          await dot1x.create({
            device: ctx.device,
            identity: "cam",
            clientCertificateId: client.id,
            caCertificateIds: [ca.id],
          });
          return new Set([client.id, ca.id]);
        },
      };
    },
  },
  {
    resource: "AxisDot1x",
    operation: "delete",
    steps: ["GetCertificates", "GetCACertificates", "SetDot1XConfiguration"],
    async prepare(ctx) {
      // 802.1X was set up by hand before: delete puts that configuration back.
      const legacy = await makeLeaf(ctx.siteCa, "legacy");
      ctx.camera.addCertificate({
        id: "legacy",
        certificatePem: legacy.certPem,
        privateKeyPem: legacy.keyPem,
      });
      ctx.camera.setDot1x({ identity: "legacy", certificateId: "legacy", caCertificateIds: [] });
      const client = await certs.create({
        device: ctx.device,
        idPrefix: "d",
        commonNameFromId: true,
        selfSigned: { subject: {} },
      });
      const ca = await cas.create({
        device: ctx.device,
        idPrefix: "radius",
        certificate: ctx.siteCa.certPem,
      });
      const made = await dot1x.create({
        device: ctx.device,
        identity: "cam",
        clientCertificateId: client.id,
        caCertificateIds: [ca.id],
      });
      const tracked = new Set([client.id, ca.id, "legacy"]);
      return {
        tracked,
        act: async () => {
          await dot1x.delete(made.id, made.outs as AxisDot1xOutputs);
          return tracked;
        },
      };
    },
  },
];

const AXIS_FAULTS: Array<[string, InjectedFault]> = [
  ["reset before applied", { kind: "resetBeforeApply" }],
  ["reset after applied", { kind: "resetAfterApply" }],
  ["503 Retry-After", { kind: "http503", retryAfterSeconds: 0 }],
  ["slow past timeout", { kind: "delayMs", delayMs: 700 }],
  ["SOAP Receiver fault", { kind: "soapReceiver", reason: "Internal error (injected)" }],
];

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runAxisCase(
  scenario: AxisScenario,
  step: string,
  fault: string,
  spec: InjectedFault,
  siteCa: Issued,
): Promise<FaultCase> {
  const camera = await AxisSimulator.start({ password: SECRET });
  const device = {
    url: camera.httpsUrl,
    username: camera.username,
    password: SECRET,
    tls: { caCertificate: `${camera.caCertificatePem}\n${siteCa.certPem}` },
    ...tight,
  };
  const ctx: AxisContext = { camera, device, siteCa };
  const initial = new Set([...camera.listCertificates(), ...camera.listCaCertificates()].map((c) => c.id));
  const result: FaultCase = {
    device: "axis",
    resource: scenario.resource,
    operation: scenario.operation,
    step,
    fault,
    outcome: "survived",
    detail: "",
  };
  try {
    const { tracked, act, known } = await scenario.prepare(ctx);
    camera.injectFault(step, spec);
    let state = tracked;
    let failure: Error | undefined;
    try {
      state = await act();
    } catch (err) {
      failure = err as Error;
    }
    camera.clearFaults();
    await pause(spec.kind === "delayMs" ? 800 : 0); // let a slow request finish on the device
    const allowed = new Set([...initial, ...state]);
    if (failure) {
      if (failure.message.includes(SECRET))
        return { ...result, outcome: "lost", detail: "the error shows the password" };
      // The state still says what it said before; the next run, fault cleared, must converge.
      const broken = await axisProblem(
        camera,
        new Set([...allowed, ...(known?.() ?? tracked)]),
        device.tls.caCertificate,
      );
      if (broken) return { ...result, outcome: "lost", detail: broken };
      state = await act();
      result.outcome = "failed-clean";
      result.detail = failure.message.split("\n")[0];
    }
    const problem = await axisProblem(camera, new Set([...initial, ...state]), device.tls.caCertificate);
    if (problem) return { ...result, outcome: "lost", detail: problem };
    return result;
  } catch (err) {
    return {
      ...result,
      outcome: "lost",
      detail: `convergence failed: ${(err as Error).message.split("\n")[0]}`,
    };
  } finally {
    await DeviceHttp.closeAll();
    await camera.stop();
  }
}

// ---- SPS -------------------------------------------------------------------------------------------

interface SpsContext {
  sps: SpsSimulator;
  device: {
    url: string;
    username: string;
    password: string;
    tls: { caCertificate: string };
    lockWaitMs: number;
  } & typeof tight;
  siteCa: Issued;
  rsaCa: Issued;
}

interface SpsScenario {
  resource: string;
  operation: string;
  steps: string[];
  prepare(ctx: SpsContext): Promise<{ csrs: Tracked; act(): Promise<Tracked>; verify(): string | undefined }>;
}

const passwords = new SpsPasswordProvider();
const x509s = new SpsX509Provider();
const csrs = new SpsCsrProvider();
const serverExtensions = [
  { name: "extendedKeyUsage" as const, value: "serverAuth", critical: false },
  { name: "subjectAltName" as const, value: "IP:127.0.0.1,DNS:localhost", critical: false },
];

const USERS = "/api/configuration/aaa/local_database/users";
const spsScenarios: SpsScenario[] = [
  {
    resource: "SpsPassword",
    operation: "create",
    steps: ["login", "open", "POST /api/configuration/passwords", `GET ${USERS}`, `POST ${USERS}`, "commit"],
    async prepare(ctx) {
      const inputs = { device: ctx.device, localUser: "operator", plain: "operator secret" };
      let key = "";
      return {
        csrs: new Set(),
        act: async () => {
          key = (await passwords.create(inputs)).id;
          return new Set();
        },
        verify: () =>
          ctx.sps.getCommitted().users.find((u) => u.name === "operator")?.password === key
            ? undefined
            : "the user does not use the password the state records",
      };
    },
  },
  {
    resource: "SpsPassword",
    operation: "replace",
    steps: ["open", "POST /api/configuration/passwords", `GET ${USERS}`, `PUT ${USERS}/:key`, "commit"],
    async prepare(ctx) {
      const inputs = { device: ctx.device, localUser: "operator", plain: "first" };
      const old = await passwords.create(inputs);
      let key = "";
      return {
        csrs: new Set(),
        act: async () => {
          key = (await passwords.create({ ...inputs, plain: "second" })).id;
          await passwords.delete(old.id, old.outs as SpsPasswordOutputs);
          return new Set();
        },
        verify: () =>
          ctx.sps.getCommitted().users.find((u) => u.name === "operator")?.password === key
            ? undefined
            : "the user does not use the new password",
      };
    },
  },
  {
    resource: "SpsX509",
    operation: "create",
    steps: [
      "open",
      "POST /api/configuration/x509",
      "GET /api/configuration/management/certificates",
      "PUT /api/configuration/management/certificates",
      "commit",
    ],
    async prepare(ctx) {
      const leaf = await makeLeaf(ctx.rsaCa, "sps-web", { rsa: true });
      let key = "";
      return {
        csrs: new Set(),
        act: async () => {
          key = (
            await x509s.create({
              device: ctx.device,
              certificate: leaf.certPem,
              privateKey: leaf.keyPem,
              issuerChain: ctx.rsaCa.certPem,
              usage: "server" as const,
            })
          ).id;
          return new Set();
        },
        verify: () =>
          ctx.sps.getCommitted().certificates.server === key
            ? undefined
            : "the web certificate is not the one the state records",
      };
    },
  },
  {
    resource: "SpsCsr (localCa)",
    operation: "create",
    steps: [
      "POST /api/pki/certificate/requests",
      "GET /api/pki/certificate/requests/:key",
      "open",
      "PUT /api/pki/certificate/requests/:key",
      "PUT /api/configuration/management/certificates",
      "commit",
    ],
    async prepare(ctx) {
      const inputs = {
        device: ctx.device,
        subject: [{ name: "commonName", value: "sps.site" }],
        extensions: serverExtensions,
        localCa: { certificate: ctx.siteCa.certPem, privateKey: ctx.siteCa.keyPem },
        usage: "server" as const,
      };
      let made: { id: string; outs: SpsCsrOutputs } | undefined;
      return {
        csrs: new Set(),
        act: async () => {
          const r = await csrs.create(inputs);
          made = { id: r.id, outs: r.outs as SpsCsrOutputs };
          return new Set([r.id]);
        },
        verify: () =>
          made && ctx.sps.getCommitted().certificates.server === made.outs.x509Key
            ? undefined
            : "the web certificate is not the CSR's identifier",
      };
    },
  },
  {
    resource: "SpsCsr",
    operation: "update (chain added)",
    steps: [
      "open",
      "PUT /api/pki/certificate/requests/:key",
      "PUT /api/configuration/management/certificates",
      "commit",
    ],
    async prepare(ctx) {
      const inputs = {
        device: ctx.device,
        subject: [{ name: "commonName", value: "tsa.site" }],
        extensions: serverExtensions,
      };
      const made = await csrs.create(inputs);
      const chain = (await ctx.sps.signCsr((made.outs as SpsCsrOutputs).csrPem)).join("");
      let key: string | undefined;
      return {
        csrs: new Set([made.id]),
        act: async () => {
          key = (
            (
              await csrs.update(made.id, made.outs as SpsCsrOutputs, {
                ...inputs,
                certificateChain: chain,
                trustStore: null,
                usage: "tsa" as const,
              })
            ).outs as SpsCsrOutputs
          ).x509Key;
          return new Set([made.id]);
        },
        verify: () =>
          key && ctx.sps.getCommitted().certificates.tsa === key
            ? undefined
            : "the TSA is not the CSR's identifier",
      };
    },
  },
  {
    resource: "SpsCsr",
    operation: "delete",
    steps: ["DELETE /api/pki/certificate/requests/:key"],
    async prepare(ctx) {
      const made = await csrs.create({
        device: ctx.device,
        subject: [{ name: "commonName", value: "gone.site" }],
      });
      return {
        csrs: new Set([made.id]),
        act: async () => {
          await csrs.delete(made.id, made.outs as SpsCsrOutputs);
          return new Set();
        },
        verify: () =>
          ctx.sps.getCommitted().csrs.some((c) => c.key === made.id) ? "the CSR is still there" : undefined,
      };
    },
  },
];

const SPS_FAULTS: Array<[string, FaultSpec | "session expiry"]> = [
  ["reset before applied", { kind: "resetBeforeApply" }],
  ["reset after applied", { kind: "resetAfterApply" }],
  ["503 Retry-After", { kind: "http503", retryAfterSeconds: 0 }],
  ["slow past timeout", { kind: "delayMs", ms: 700 }],
  ["locked by another admin", { kind: "lockedByOther" }],
  ["commit failure", { kind: "commitFailure" }],
  ["session expiry", "session expiry"],
];

async function runSpsCase(
  scenario: SpsScenario,
  step: string,
  fault: string,
  spec: FaultSpec | "session expiry",
  cas: { siteCa: Issued; rsaCa: Issued },
): Promise<FaultCase> {
  const sps = await SpsSimulator.start({ password: SECRET });
  const device = {
    url: sps.url,
    username: sps.username,
    password: SECRET,
    tls: { caCertificate: `${sps.caCertificatePem}\n${cas.siteCa.certPem}\n${cas.rsaCa.certPem}` },
    lockWaitMs: 5_000,
    ...tight,
  };
  const ctx: SpsContext = { sps, device, ...cas };
  const initialCsrs = new Set(sps.getCommitted().csrs.map((c) => c.key));
  const result: FaultCase = {
    device: "sps",
    resource: scenario.resource,
    operation: scenario.operation,
    step,
    fault,
    outcome: "survived",
    detail: "",
  };
  try {
    const { csrs: tracked, act, verify } = await scenario.prepare(ctx);
    let state = tracked;
    if (spec === "session expiry") {
      // The session ends as this request arrives (once): it and what follows meet an expired session.
      let fired = false;
      const match: FaultMatch = (req) => {
        if (fired) return false;
        const m =
          step === "login"
            ? "GET /api/authentication"
            : step === "open"
              ? "POST /api/transaction"
              : step === "commit"
                ? "PUT /api/transaction"
                : step;
        const [method, route] = m.split(" ");
        if (req.method === method && (req.route === route || req.path === route)) {
          fired = true;
          sps.expireSessions();
        }
        return false;
      };
      sps.injectFault(match, { kind: "delayMs", ms: 0 });
    } else {
      sps.injectFault(step, spec);
    }
    let failure: Error | undefined;
    try {
      state = await act();
    } catch (err) {
      failure = err as Error;
    }
    sps.clearFaults();
    await pause(spec !== "session expiry" && spec.kind === "delayMs" ? 800 : 0);
    if (failure) {
      if (failure.message.includes(SECRET))
        return { ...result, outcome: "lost", detail: "the error shows the password" };
      const broken = await spsProblem(
        sps,
        new Set([...state, ...tracked]),
        initialCsrs,
        device.tls.caCertificate,
      );
      if (broken) return { ...result, outcome: "lost", detail: broken };
      await DeviceHttp.closeAll();
      state = await act();
      result.outcome = "failed-clean";
      result.detail = failure.message.split("\n")[0];
    }
    const problem = (await spsProblem(sps, state, initialCsrs, device.tls.caCertificate)) ?? verify();
    if (problem) return { ...result, outcome: "lost", detail: problem };
    return result;
  } catch (err) {
    return {
      ...result,
      outcome: "lost",
      detail: `convergence failed: ${(err as Error).message.split("\n")[0]}`,
    };
  } finally {
    await DeviceHttp.closeAll();
    await sps.stop();
  }
}

describe("fault matrix: each fault at each step of each resource operation", function () {
  this.timeout(600_000);
  let siteCa: Issued;
  let rsaCa: Issued;

  before(async () => {
    siteCa = await makeCa("Fault site CA");
    rsaCa = await makeCa("Fault RSA CA", { rsa: true });
  });

  for (const scenario of axisScenarios) {
    it(`Axis ${scenario.resource} ${scenario.operation}: ${scenario.steps.length} steps × ${AXIS_FAULTS.length} faults, nothing lost`, async () => {
      const cases: FaultCase[] = [];
      for (const step of scenario.steps) {
        for (const [fault, spec] of AXIS_FAULTS) {
          const t = Date.now();
          cases.push(await runAxisCase(scenario, step, fault, spec, siteCa));
          if (process.env.FAULT_TRACE)
            console.log(
              `      ${step} / ${fault}: ${cases[cases.length - 1].outcome} in ${Date.now() - t} ms ${cases[cases.length - 1].detail}`,
            );
        }
      }
      findings.faults.push(...cases);
      const lost = cases.filter((c) => c.outcome === "lost");
      assert.deepEqual(
        lost.map((c) => `${c.step} / ${c.fault}: ${c.detail}`),
        [],
      );
      // Transient faults are survived outright; only the device's own refusal surfaces.
      const unexpected = cases.filter(
        (c) => c.outcome === "failed-clean" && c.fault !== "SOAP Receiver fault",
      );
      assert.deepEqual(
        unexpected.map((c) => `${c.step} / ${c.fault}: ${c.detail}`),
        [],
      );
    });
  }

  for (const scenario of spsScenarios) {
    it(`SPS ${scenario.resource} ${scenario.operation}: ${scenario.steps.length} steps × faults, nothing lost`, async () => {
      const cases: FaultCase[] = [];
      for (const step of scenario.steps) {
        for (const [fault, spec] of SPS_FAULTS) {
          if (fault === "commit failure" && step !== "commit") continue;
          const t = Date.now();
          cases.push(await runSpsCase(scenario, step, fault, spec, { siteCa, rsaCa }));
          if (process.env.FAULT_TRACE)
            console.log(
              `      ${step} / ${fault}: ${cases[cases.length - 1].outcome} in ${Date.now() - t} ms`,
            );
        }
      }
      findings.faults.push(...cases);
      const lost = cases.filter((c) => c.outcome === "lost");
      assert.deepEqual(
        lost.map((c) => `${c.step} / ${c.fault}: ${c.detail}`),
        [],
      );
    });
  }
});
