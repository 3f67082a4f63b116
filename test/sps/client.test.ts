import assert from "node:assert/strict";
import { SpsClient } from "../../provider/sps/client";
import type { SpsApiError } from "../../provider/sps/errors";
import { DeviceHttp } from "../../provider/transport/http";
import { SpsSimulator } from "../../simulators/sps";
import { encrypted, makeCa, makeLeaf, traditional } from "../support/pki";

describe("SpsClient against the appliance simulator", function () {
  let sps: SpsSimulator;
  let conn: {
    url: string;
    username: string;
    password: string;
    tls: { caCertificate: string };
    lockWaitMs?: number;
  };

  before(async () => {
    sps = await SpsSimulator.start();
    conn = {
      url: sps.url,
      username: sps.username,
      password: sps.password,
      tls: { caCertificate: sps.caCertificatePem },
    };
  });
  after(async () => {
    await DeviceHttp.closeAll();
    await sps.stop();
  });
  beforeEach(() => {
    sps.releaseLock();
    sps.clearFaults();
    sps.resetCounters();
  });

  it("logs in once with Basic, then rides the session_id cookie", async () => {
    const client = new SpsClient(conn);
    await client.getManagementCertificates();
    await client.getTransaction();
    await client.listTrustStores();
    assert.equal(sps.counters().logins, 1);
  });

  it("refuses wrong credentials without echoing them", async () => {
    await assert.rejects(
      new SpsClient({ ...conn, username: "nobody", password: "sentinel-pw" }).getTransaction(),
      (err: Error & { code: string }) => {
        assert.equal(err.code, "DEVICE_UNAUTHORIZED");
        assert.ok(!err.message.includes("sentinel-pw"));
        return true;
      },
    );
  });

  it("logs in again when the session expired between calls", async () => {
    const client = new SpsClient(conn);
    await client.getTransaction();
    const before = sps.counters().logins;
    sps.expireSessions();
    await client.getTransaction();
    assert.equal(sps.counters().logins, before + 1);
  });

  it("creates a password and references it from a new local user in one transaction", async () => {
    const client = new SpsClient(conn);
    const { key, user } = await client.withTransaction("test: add user", async () => {
      const k = await client.createPassword({ plain: "correct horse" });
      return { key: k, user: await client.createUser({ name: "alice", password: k }) };
    });
    const committed = sps.getCommitted();
    assert.equal(committed.users.find((u) => u.key === user)?.password, key);
    assert.ok(await client.getPassword(key));
    assert.equal(sps.counters().commits, 1);
  });

  it("runs each change of a failed batch alone, so one refused change does not take the others down", async () => {
    const client = new SpsClient(conn);
    const results = await Promise.allSettled([
      client.withTransaction("good 1", () => client.createPassword({ plain: "a" })),
      client.withTransaction("bad", async () => {
        await client.putRootPassword("no-such-key");
      }),
      client.withTransaction("good 2", () => client.createPassword({ plain: "b" })),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["fulfilled", "rejected", "fulfilled"],
    );
  });

  it("rolls back when the work fails, leaving nothing behind", async () => {
    const client = new SpsClient(conn);
    const before = sps.getCommitted();
    await assert.rejects(
      client.withTransaction("test: fails", async () => {
        await client.createPassword({ plain: "left behind?" });
        await client.putRootPassword("no-such-key");
      }),
      (err: SpsApiError) => err.status === 400 && err.spsType === "SemanticError",
    );
    assert.deepEqual(sps.getCommitted().passwords, before.passwords);
    assert.equal(sps.counters().rollbacks, 1);
    assert.equal((await client.getTransaction()).body?.status, "closed");
  });

  it("rolls back when the commit fails and surfaces the appliance's words", async () => {
    const client = new SpsClient(conn);
    sps.injectFault("commit", { kind: "commitFailure" });
    await assert.rejects(
      client.withTransaction("test: commit fails", () => client.createPassword({ plain: "x" })),
      (err: SpsApiError) =>
        err.code === "SPS_API_ERROR" &&
        err.message.includes(new URL(sps.url).origin) &&
        err.message.includes("commit transaction"),
    );
    assert.equal(sps.counters().rollbacks, 1);
  });

  it("takes a commit whose answer was lost as done when the transaction is closed", async () => {
    const client = new SpsClient(conn);
    sps.injectFault("commit", { kind: "resetAfterApply" });
    const key = await client.withTransaction("test: lost commit answer", async () => {
      const k = await client.createPassword({ plain: "lost answer" });
      await client.putRootPassword(k);
      return k;
    });
    assert.equal(sps.getCommitted().rootPassword, key);
    assert.equal(sps.counters().commits, 1, "committed once, not redone");
  });

  it("waits for a lock another administrator holds, then goes ahead", async () => {
    const client = new SpsClient(conn);
    sps.holdLock(700);
    const started = Date.now();
    const key = await client.withTransaction("test: after the lock", () =>
      client.createPassword({ plain: "waited" }),
    );
    assert.ok(key);
    assert.ok(Date.now() - started >= 500, "it waited for the lock");
  });

  it("gives up on a lock held too long, with a clear error", async () => {
    const client = new SpsClient({ ...conn, lockWaitMs: 600 });
    sps.holdLock(10_000);
    await assert.rejects(
      client.withTransaction("test: locked", () => client.createPassword({ plain: "x" })),
      { code: "SPS_LOCKED" },
    );
  });

  it("redoes the whole transaction when the session expires in the middle", async () => {
    const client = new SpsClient(conn);
    let runs = 0;
    const key = await client.withTransaction("test: session dies", async () => {
      runs++;
      const k = await client.createPassword({ plain: "retry me" });
      if (runs === 1) sps.expireSessions();
      await client.putRootPassword(k);
      return k;
    });
    assert.equal(runs, 2);
    assert.equal(sps.getCommitted().rootPassword, key);
  });

  it("serializes transactions of one appliance inside the process, batching those asked for together", async () => {
    const client = new SpsClient(conn);
    const keys = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        client.withTransaction(`test: parallel ${i}`, () => client.createPassword({ plain: `p${i}` })),
      ),
    );
    assert.equal(new Set(keys).size, 5);
    assert.equal(sps.counters().commits, 1, "asked for at the same moment, committed together");
  });

  it("refuses methods the seed forbids with 405, and unknown objects with 404", async () => {
    const client = new SpsClient(conn);
    await assert.rejects(
      client.call("GET", "/api/configuration/passwords", "list passwords"),
      (err: SpsApiError) => err.status === 405 && err.spsType === "MethodNotAllowed",
    );
    await assert.rejects(
      client.call("DELETE", "/api/configuration/x509/abc", "delete x509"),
      (err: SpsApiError) => err.status === 405,
    );
    assert.equal(await client.getX509("00000000-0000-0000-0000-000000000000"), undefined);
  });

  it("uploads private keys in PKCS-1 and PKCS-8 and refuses encrypted ones with the seed's message", async () => {
    const ca = await makeCa("Key CA", { rsa: true });
    const leaf = await makeLeaf(ca, "key", { rsa: true });
    const client = new SpsClient(conn);
    await client
      .withTransaction("test: keys", async () => {
        const k1 = await client.createPrivateKey(traditional(leaf.keyPem));
        const k2 = await client.createPrivateKey(leaf.keyPem);
        const got = await client.getPrivateKey(k1);
        assert.equal(got?.body?.type, "rsa");
        assert.match(got?.body?.["public-key-fingerprint"].digest ?? "", /^2048 SHA256:/);
        assert.ok(k2);
        await assert.rejects(client.createPrivateKey(encrypted(leaf.keyPem)), (err: SpsApiError) => {
          assert.equal(err.spsType, "SyntacticError");
          assert.match(err.spsMessage, /Encrypted private keys are not supported/);
          return true;
        });
      })
      .catch((err) => {
        throw err;
      });
  });

  it("makes a CSR, sets its signed chain, and references the identifier as the web certificate", async () => {
    const client = new SpsClient(conn);
    const csrKey = await client.createCsr({
      subject: [{ name: "commonName", value: "sps.example" }],
      extensions: [
        { name: "extendedKeyUsage", value: "serverAuth", critical: false },
        { name: "subjectAltName", value: "DNS:localhost,IP:127.0.0.1", critical: false },
      ],
    });
    const csr = await client.getCsr(csrKey);
    assert.match(csr?.body?.pem ?? "", /BEGIN CERTIFICATE REQUEST/);
    assert.match(csr?.body?.fingerprint.digest ?? "", /^([0-9a-f]{2}:){31}[0-9a-f]{2}$/);
    assert.ok((await client.listCsrs()).some((c) => c.key === csrKey));
    const chain = await sps.signCsr(csr!.body!.pem);
    const x509Key = await client.withTransaction("test: web cert", async () => {
      const key = await client.setCsrChain(csrKey, chain, null);
      const places = await client.getManagementCertificates();
      await client.putManagementCertificates({ ...places, server: key });
      return key;
    });
    assert.equal(sps.getCommitted().certificates.server, x509Key);
    assert.ok(sps.servedCertificateSha256);
    // A chain that belongs to no CSR.
    const stranger = await makeLeaf(await makeCa("Other"), "x");
    await assert.rejects(
      client.postCertificateChain([stranger.certPem], null),
      (err: SpsApiError) => err.status === 404 && err.spsType === "NoMatchingCsrFound",
    );
    await client.deleteCsr(csrKey);
    assert.equal(await client.getCsr(csrKey), undefined);
  });
});
