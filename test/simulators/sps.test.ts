import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { SpsSimulator } from "../../simulators/sps";
import { SpsHttp, rawRequest } from "./sps-http";
import type { TestCa } from "./sps-pki";
import { makeCa, pemDer, rsaKey, rsaLeaf, sha256ColonHex, signCsrPem, sshFingerprint, x509 } from "./sps-pki";

// Request bodies below are the seed document's own curl examples where it gives one.
const SEED_HASH =
  "$6$rounds=5000$If20/EFyQ4dW3dg/$xrECLfXgZlC2Xr1s257E2aZen42fM7R.sOGG9pkPy1x5ORTx6j03oPWexVlB3f5wnaZOQCBF.NjlDgyg2WEe./";
const SEED_CSR = {
  subject: [
    { name: "countryName", value: "US" },
    { name: "stateOrProvinceName", value: "CA" },
    { name: "streetAddress", value: "Example Street" },
    { name: "organizationName", value: "Example Organization" },
    { name: "commonName", value: "first.example.com" },
    { name: "emailAddress", value: "info@example.com" },
  ],
  extensions: [
    { name: "basicConstraints", value: "CA:FALSE", critical: true },
    { name: "keyUsage", value: "digitalSignature,keyAgreement", critical: true },
    { name: "extendedKeyUsage", value: "clientAuth", critical: false },
    { name: "subjectAltName", value: "IP:123.123.123.123,DNS:example2.organization.com", critical: false },
  ],
};
const SEED_SUBJECT =
  "C=RO, ST=State, L=Locality, O=Organization, OU=OrganizationalUnit, CN=example.com, E=root@example.com";
const PKCS1_AND_8 =
  "Syntax error: Could not load PEM key: Unsupported private key format, only PKCS-1 and PKCS-8 is supported. Encrypted private keys are not supported.";
const PKCS1_ONLY =
  "Syntax error: Could not load PEM key: Unsupported private key format, only PKCS-1 is supported. Encrypted private keys are not supported.";

const colonUpper = (hex: string) => hex.toUpperCase();

describe("SPS simulator (seed document over real HTTPS)", function () {
  this.timeout(20_000);
  let sim: SpsSimulator;
  let ca: TestCa;
  let a: SpsHttp;

  const client = () => new SpsHttp(sim.url, sim.caCertificatePem);
  async function loggedIn(): Promise<SpsHttp> {
    const c = client();
    assert.equal((await c.login(sim.username, sim.password)).status, 200);
    return c;
  }
  async function commit(c: SpsHttp) {
    const res = await c.send("PUT", "/api/transaction", {
      json: { status: "commit", commit_message: "test" },
    });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    return res;
  }

  before(async () => {
    [sim, ca] = await Promise.all([SpsSimulator.start({ password: "a" }), makeCa("Test CA")]);
  });
  after(async () => sim.stop());
  beforeEach(async () => {
    a = await loggedIn();
  });
  afterEach(async () => {
    sim.clearFaults();
    sim.releaseLock();
    await a.send("DELETE", "/api/transaction");
  });

  describe("authentication", () => {
    it("logs in with Basic, sets a 40-hex session_id cookie and answers a meta object", async () => {
      const c = client();
      const res = await c.login("admin", "a");
      assert.equal(res.status, 200);
      assert.match(c.sessionId!, /^[0-9a-f]{40}$/);
      assert.equal(res.json.meta.href, "/api/authentication");
      assert.equal(res.headers["content-type"], "application/json");
      assert.equal(res.headers["content-language"], "en");
      assert.equal(res.headers.allow, "GET");
      assert.equal((await c.send("GET", "/api/transaction")).status, 200);
    });

    it("refuses wrong credentials and requests without a session", async () => {
      const bad = await client().login("admin", "wrong");
      assert.equal(bad.status, 401);
      assert.equal(bad.json.error.type, "AuthenticationFailure");
      const anon = await client().send("GET", "/api/configuration/management/certificates");
      assert.equal(anon.status, 401);
      assert.equal(anon.json.error.type, "Unauthenticated");
      assert.equal(anon.json.error.details.path, "/api/configuration/management/certificates");
    });

    it("accepts the session id as a session_id header, as the doc words it", async () => {
      const res = await client().send("GET", "/api/transaction", { headers: { session_id: a.sessionId! } });
      assert.equal(res.status, 200);
    });

    it("ends idle sessions and expireSessions() ends them all", async () => {
      sim.configure({ sessionIdleMs: 100 });
      try {
        const c = await loggedIn();
        await sleep(200);
        const res = await c.send("GET", "/api/transaction");
        assert.equal(res.status, 401);
        assert.equal(res.json.error.type, "Unauthenticated");
      } finally {
        sim.configure({ sessionIdleMs: 20 * 60 * 1000 });
      }
      const c = await loggedIn();
      sim.expireSessions();
      assert.equal((await c.send("GET", "/api/transaction")).status, 401);
    });

    it("wants X-Token on changes from browser-like clients", async () => {
      const res = await a.send("POST", "/api/configuration/passwords", {
        json: { plain: "x" },
        headers: { "User-Agent": "Mozilla/5.0" },
      });
      assert.equal(res.status, 403);
      assert.equal(res.json.error.type, "Unauthorized");
    });
  });

  describe("transactions", () => {
    it("answers 411 to a POST without body or Content-Length, and opens with Content-Length: 0", async () => {
      const raw = await rawRequest(
        sim.url,
        sim.caCertificatePem,
        `POST /api/transaction HTTP/1.1\r\nHost: localhost\r\nCookie: session_id=${a.sessionId}\r\nConnection: close\r\n\r\n`,
      );
      assert.match(raw, /^HTTP\/1\.1 411 /);
      const opened = await a.send("POST", "/api/transaction");
      assert.equal(opened.status, 200);
      assert.deepEqual(opened.json.body, { commit_message: "optional", status: "open" });
      const rolled = await a.send("DELETE", "/api/transaction");
      assert.equal(rolled.json.body.status, "closed");
    });

    it("locks the configuration for other sessions and hides staged changes until commit", async () => {
      const b = await loggedIn();
      const created = await a.send("POST", "/api/configuration/passwords", {
        json: { plain: "newpassword" },
      });
      assert.equal(created.status, 201);
      assert.equal(
        (await a.send("GET", "/api/transaction")).json.body.status,
        "open",
        "first change opens it",
      );
      for (const res of [
        await b.send("POST", "/api/transaction"),
        await b.send("POST", "/api/configuration/passwords", { json: { plain: "x" } }),
      ]) {
        assert.equal(res.status, 409);
        assert.equal(res.json.error.type, "ConfigurationLocked");
      }
      assert.equal((await b.send("GET", created.json.meta.href)).status, 404);
      assert.equal((await a.send("GET", created.json.meta.href)).status, 200);
      await a.send("DELETE", "/api/transaction");
      assert.equal((await a.send("GET", created.json.meta.href)).status, 404, "rollback discards");
      assert.equal((await b.send("POST", "/api/transaction")).status, 200);
      await b.send("DELETE", "/api/transaction");
    });

    it("refuses everyone while another administrator holds the lock", async () => {
      sim.holdLock();
      const res = await a.send("POST", "/api/transaction");
      assert.equal(res.status, 409);
      sim.releaseLock();
      assert.equal((await a.send("POST", "/api/transaction")).status, 200);
    });

    it("lists the changes of the open transaction", async () => {
      await a.send("POST", "/api/configuration/passwords", { json: { plain: "x" } });
      const res = await a.send("GET", "/api/transaction/changes");
      assert.equal(res.json.changes.length, 1);
      assert.equal(res.json.changes[0].type, "create");
    });
  });

  describe("passwords", () => {
    it("creates from plain and from the seed's hash, shows by key, refuses listing/PUT/DELETE", async () => {
      const plain = await a.send("POST", "/api/configuration/passwords", { json: { plain: "newpassword" } });
      assert.equal(plain.status, 201);
      assert.match(plain.json.key, /^[0-9a-f-]{36}$/);
      assert.deepEqual(plain.json.meta, {
        href: `/api/configuration/passwords/${plain.json.key}`,
        parent: "/api/configuration/passwords",
        transaction: "/api/transaction",
        remaining_seconds: plain.json.meta.remaining_seconds,
      });
      assert.equal(
        (await a.send("POST", "/api/configuration/passwords", { json: { hash: SEED_HASH } })).status,
        201,
      );
      const both = { hash: SEED_HASH, nthash: "2c01a73ad9e597f6eab0d072ed74616c" };
      assert.equal((await a.send("POST", "/api/configuration/passwords", { json: both })).status, 201);
      const bad = await a.send("POST", "/api/configuration/passwords", {
        json: { plain: "x", hash: SEED_HASH },
      });
      assert.equal(bad.status, 400);
      const list = await a.send("GET", "/api/configuration/passwords");
      assert.equal(list.status, 405);
      assert.equal(list.json.error.type, "MethodNotAllowed");
      assert.equal(list.json.error.message, "The method GET is not allowed for this node.");
      assert.equal(list.headers.allow, "POST");
      const href = plain.json.meta.href;
      assert.equal((await a.send("GET", href)).status, 200);
      assert.equal(
        (await a.send("PUT", href, { json: { plain: "y" } })).json.error.message,
        "The method PUT is not allowed for this node.",
      );
      assert.equal((await a.send("DELETE", href)).status, 405);
      const missing = await a.send(
        "GET",
        "/api/configuration/passwords/00000000-0000-0000-0000-000000000000",
      );
      assert.equal(missing.status, 404);
      assert.equal(missing.json.error.type, "NotFound");
    });
  });

  describe("private keys", () => {
    it("accepts PKCS-1 and PKCS-8, shows the ssh-style fingerprint, refuses encrypted keys", async () => {
      const key = rsaKey();
      const one = await a.send("POST", "/api/configuration/private_keys", { json: key.pkcs1Pem });
      assert.equal(one.status, 201);
      assert.equal(
        (await a.send("POST", "/api/configuration/private_keys", { json: key.pkcs8Pem })).status,
        201,
      );
      const shown = await a.send("GET", one.json.meta.href);
      assert.deepEqual(shown.json.body, {
        "public-key-fingerprint": { digest: sshFingerprint(key.pkcs8Pem), hash_algorithm: "sha256" },
        type: "rsa",
      });
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
      for (const type of ["pkcs8", "pkcs1"] as const) {
        const encrypted = privateKey
          .export({ type, format: "pem", cipher: "aes-256-cbc", passphrase: "p" })
          .toString();
        const res = await a.send("POST", "/api/configuration/private_keys", { json: encrypted });
        assert.equal(res.status, 400);
        assert.equal(res.json.error.type, "SyntacticError");
        assert.equal(res.json.error.message, PKCS1_AND_8);
      }
      assert.equal((await a.send("GET", "/api/configuration/private_keys")).status, 405);
    });
  });

  describe("x509", () => {
    it("creates with a matching PKCS-1 key and chain; shows fingerprint and subject", async () => {
      const leaf = await rsaLeaf(ca, SEED_SUBJECT);
      const res = await a.send("POST", "/api/configuration/x509", {
        json: { certificate: leaf.certPem, private_key: leaf.pkcs1Pem, issuer_chain: [ca.pem] },
      });
      assert.equal(res.status, 201, JSON.stringify(res.json));
      const shown = await a.send("GET", res.json.meta.href);
      assert.deepEqual(shown.json.body, {
        fingerprint: { digest: sha256ColonHex(leaf.cert.rawData), hash_algorithm: "sha256" },
        subject:
          "C=RO/ST=State/L=Locality/O=Organization/OU=OrganizationalUnit/CN=example.com/emailAddress=root@example.com",
      });
      assert.equal(shown.json.meta.parent, "/api/configuration/x509");
    });

    it("refuses a mismatching key, a PKCS-8 key, a foreign chain and an unreadable certificate", async () => {
      const leaf = await rsaLeaf(ca, "CN=a.example.com");
      const other = await rsaLeaf(ca, "CN=b.example.com");
      const stranger = await makeCa("Stranger CA");
      const post = (json: unknown) => a.send("POST", "/api/configuration/x509", { json });
      const mismatch = await post({
        certificate: leaf.certPem,
        private_key: other.pkcs1Pem,
        issuer_chain: [],
      });
      assert.equal(mismatch.status, 400);
      assert.equal(mismatch.json.error.type, "SemanticError");
      const pkcs8 = await post({ certificate: leaf.certPem, private_key: leaf.pkcs8Pem, issuer_chain: [] });
      assert.equal(pkcs8.json.error.type, "SyntacticError");
      assert.equal(pkcs8.json.error.message, PKCS1_ONLY);
      const chain = await post({
        certificate: leaf.certPem,
        private_key: leaf.pkcs1Pem,
        issuer_chain: [stranger.pem],
      });
      assert.equal(chain.status, 400);
      const garbage = await post({ certificate: "not a pem", private_key: leaf.pkcs1Pem, issuer_chain: [] });
      assert.equal(garbage.status, 400);
      assert.match(garbage.json.error.message, /no start line/);
      assert.equal(
        (await post({ certificate: leaf.certPem, private_key: leaf.pkcs1Pem, issuer_chain: [] })).status,
        201,
      );
    });
  });

  describe("references, single use and reclamation", () => {
    it("moves the web certificate, refuses a second reference, reclaims the old object at commit", async () => {
      const before = sim.getCommitted();
      const leaf = await rsaLeaf(ca, "CN=localhost");
      const created = await a.send("POST", "/api/configuration/x509", {
        json: { certificate: leaf.certPem, private_key: leaf.pkcs1Pem, issuer_chain: [ca.pem] },
      });
      const key = created.json.key;
      const current = (await a.send("GET", "/api/configuration/management/certificates")).json.body;
      assert.deepEqual(current.server, {
        key: before.certificates.server,
        meta: { href: `/api/configuration/x509/${before.certificates.server}` },
      });
      const put = (server: string, tsa: string) =>
        a.send("PUT", "/api/configuration/management/certificates", {
          json: { ca: { selection: "identity", x509_identity: current.ca.x509_identity.key }, server, tsa },
        });
      const twice = await put(key, key);
      assert.equal(twice.status, 400);
      assert.equal(twice.json.error.type, "SemanticError");
      const expanded = await a.send("PUT", "/api/configuration/management/certificates", {
        json: { ...current, server: { key, meta: {} } },
      });
      assert.equal(expanded.status, 400, "references are written as key strings");
      assert.equal((await put("00000000-0000-0000-0000-000000000000", current.tsa.key)).status, 400);
      assert.equal((await put(key, current.tsa.key)).status, 200);
      const stray = await a.send("POST", "/api/configuration/passwords", { json: { plain: "never used" } });
      await commit(a);

      const probe = await new SpsHttp(sim.url, ca.pem, true).send("GET", "/api/info");
      assert.equal(probe.peerFingerprint256, colonUpper(sha256ColonHex(leaf.cert.rawData)));
      assert.equal(sim.getCommitted().certificates.server, key);

      // Back to a certificate the test's client trusts through the simulator CA.
      await sim.replaceWebCertificate();
      assert.equal(
        (await a.send("GET", `/api/configuration/x509/${before.certificates.server}`)).status,
        404,
        "old one reclaimed",
      );
      assert.equal((await a.send("GET", stray.json.meta.href)).status, 404, "never-referenced one purged");
      assert.equal((await a.send("GET", `/api/configuration/x509/${key}`)).status, 404);
    });

    it("keeps never-referenced objects when purgeNeverReferenced is off", async () => {
      sim.configure({ purgeNeverReferenced: false });
      try {
        const stray = await a.send("POST", "/api/configuration/passwords", { json: { plain: "kept" } });
        await commit(a);
        assert.equal((await a.send("GET", stray.json.meta.href)).status, 200);
      } finally {
        sim.configure({ purgeNeverReferenced: true });
      }
    });

    it("changes the admin password through the users list and the root password in one step", async () => {
      const users = await a.send("GET", "/api/configuration/aaa/local_database/users");
      const adminHref = users.json.items[0].meta.href;
      const admin = await a.send("GET", adminHref);
      assert.equal(admin.json.body.name, "admin");
      const pw = await a.send("POST", "/api/configuration/passwords", { json: { plain: "mypassword" } });
      const put = await a.send("PUT", adminHref, { json: { name: "admin", password: pw.json.key } });
      assert.equal(put.status, 200);
      const root = await a.send("PUT", "/api/configuration/management/root_password", {
        json: { plain: "new_password" },
      });
      assert.equal(root.status, 200);
      assert.match(root.json.body.key, /^[0-9a-f-]{36}$/);
      const del = await a.send("DELETE", adminHref);
      assert.equal(del.status, 400);
      await commit(a);
      assert.equal((await client().login("admin", "a")).status, 401);
      const fresh = client();
      assert.equal((await fresh.login("admin", "mypassword")).status, 200);
      // Set it back through the API, then let "another administrator" repoint tsa out of band.
      const restored = await fresh.send("POST", "/api/configuration/passwords", { json: { plain: "a" } });
      await fresh.send("PUT", adminHref, { json: { name: "admin", password: restored.json.key } });
      await commit(fresh);
      const oldTsa = sim.getCommitted().certificates.tsa;
      const newTsa = await sim.moveReference("tsa");
      assert.notEqual(newTsa, oldTsa);
      assert.equal((await fresh.send("GET", `/api/configuration/x509/${oldTsa}`)).status, 404);
      await fresh.send("POST", "/api/transaction");
      await assert.rejects(sim.moveReference("tsa"), /locked/);
      await fresh.send("DELETE", "/api/transaction");
      a = await loggedIn();
    });
  });

  describe("certificate signing requests", () => {
    it("creates, lists, shows, chains (PUT and POST), and deletes a CSR as the seed shows", async () => {
      const created = await a.send("POST", "/api/pki/certificate/requests", { json: SEED_CSR });
      assert.equal(created.status, 201);
      const key = created.json.key;
      assert.deepEqual(created.json.meta, {
        href: `/api/pki/certificate/requests/${key}`,
        parent: "/api/pki/certificate/requests",
        remaining_seconds: created.json.meta.remaining_seconds,
      });
      assert.equal(
        (await a.send("GET", "/api/transaction")).json.body.status,
        "closed",
        "CSRs are not configuration",
      );

      const list = await a.send("GET", "/api/pki/certificate/requests");
      assert.equal(list.json.meta.parent, "/api/pki/certificate");
      const item = list.json.items.find((i: { key: string }) => i.key === key);
      assert.equal(item.meta.href, `/api/pki/certificate/requests/${key}`);

      const one = (await a.send("GET", `/api/pki/certificate/requests/${key}`)).json;
      assert.deepEqual(one.body, item.body);
      assert.equal(one.body.certificate_chain, null);
      assert.deepEqual(one.body.subject, SEED_CSR.subject);
      assert.deepEqual(one.body.extensions, SEED_CSR.extensions);
      assert.equal(one.body.fingerprint.hash_algorithm, "sha256");
      assert.equal(one.body.fingerprint.digest, sha256ColonHex(pemDer(one.body.pem)));
      const csr = new x509.Pkcs10CertificateRequest(one.body.pem);
      assert.ok(await csr.verify());
      assert.equal((csr.publicKey.algorithm as EcKeyAlgorithmLike).namedCurve, "P-256");
      assert.deepEqual(Buffer.from(csr.publicKey.rawData), pemDer(one.body.public_key));
      assert.ok(csr.getExtension("2.5.29.17"));

      // PUT with a chain from a CA the default trust store does not know → CertChainValidationError.
      const foreign = await signCsrPem(ca, one.body.pem);
      const refused = await a.send("PUT", `/api/pki/certificate/requests/${key}`, {
        json: { certificate_chain: `${foreign}\n${ca.pem}`, trust_store: sim.defaultTrustStoreKey },
      });
      assert.equal(refused.status, 400);
      assert.equal(refused.json.error.type, "CertChainValidationError");
      assert.equal(
        refused.json.error.message,
        "You have attempted to store a certificate chain, which could not be validated with the specified Trust Store.",
      );
      // The same chain with validation disabled (trust_store null) is taken.
      const unvalidated = await a.send("PUT", `/api/pki/certificate/requests/${key}`, {
        json: { certificate_chain: [foreign, ca.pem], trust_store: null },
      });
      assert.equal(unvalidated.status, 200, JSON.stringify(unvalidated.json));

      // A chain from the trusted CA, as a list; the identifier becomes the web certificate.
      const chain = await sim.signCsr(one.body.pem);
      const put = await a.send("PUT", `/api/pki/certificate/requests/${key}`, {
        json: { certificate_chain: chain, trust_store: sim.defaultTrustStoreKey },
      });
      assert.equal(put.status, 200, JSON.stringify(put.json));
      const identifier = put.json.key;
      const shown = await a.send("GET", `/api/configuration/x509/${identifier}`);
      assert.equal(shown.json.body.fingerprint.digest, sha256ColonHex(pemDer(chain[0]!)));
      assert.equal(
        shown.json.body.subject,
        "C=US/ST=CA/street=Example Street/O=Example Organization/CN=first.example.com/emailAddress=info@example.com",
      );
      await commit(a);
      const after = (await a.send("GET", `/api/pki/certificate/requests/${key}`)).json.body;
      assert.equal(after.certificate_chain.length, 2);
      // Never referenced: purged at commit; the CSR (and its key) stays.
      assert.equal((await a.send("GET", `/api/configuration/x509/${identifier}`)).status, 404);

      // POST /api/pki/certificate picks the CSR by the first certificate's key…
      const again = await sim.signCsr(one.body.pem);
      const posted = await a.send("POST", "/api/pki/certificate", {
        json: { certificate_chain: again.join("\n"), trust_store: sim.defaultTrustStoreKey },
      });
      assert.equal(posted.status, 201, JSON.stringify(posted.json));
      // …and says NoMatchingCsrFound for a certificate no CSR holds the key of.
      const stranger = await rsaLeaf(ca, "CN=nobody.example.com");
      const none = await a.send("POST", "/api/pki/certificate", {
        json: { certificate_chain: stranger.certPem, trust_store: null },
      });
      assert.equal(none.status, 404);
      assert.equal(none.json.error.type, "NoMatchingCsrFound");
      assert.match(
        none.json.error.message,
        /^You have attempted to store a certificate chain which belongs to a private key/,
      );
      const garbage = await a.send("POST", "/api/pki/certificate", {
        json: { certificate_chain: "junk", trust_store: null },
      });
      assert.equal(garbage.json.error.type, "SyntacticError");
      assert.equal(
        garbage.json.error.message,
        "Syntax error: Could not load PEM certificate: Unable to load certificate; error=\"[('PEM routines', 'get_name', 'no start line')]\"",
      );
      await a.send("DELETE", "/api/transaction");

      const deleted = await a.send("DELETE", `/api/pki/certificate/requests/${key}`);
      assert.equal(deleted.status, 200);
      assert.deepEqual(deleted.json.meta.href, "/api/pki/certificate/requests");
      assert.ok(Array.isArray(deleted.json.items));
      assert.equal((await a.send("GET", `/api/pki/certificate/requests/${key}`)).status, 404);
    });

    it("serves the CSR-based certificate after server is pointed at its X.509 identifier", async () => {
      const web = {
        subject: [{ name: "commonName", value: "localhost" }],
        extensions: [
          { name: "keyUsage", value: "digitalSignature,keyAgreement", critical: true },
          { name: "extendedKeyUsage", value: "serverAuth", critical: false },
          { name: "subjectAltName", value: "IP:127.0.0.1,DNS:localhost", critical: false },
          {
            name: "subjectInfoAccess",
            value: "caRepository;URI:http://ca.example.com/repo",
            critical: false,
          },
        ],
      };
      const key = (await a.send("POST", "/api/pki/certificate/requests", { json: web })).json.key;
      const pem = (await a.send("GET", `/api/pki/certificate/requests/${key}`)).json.body.pem;
      const chain = await sim.signCsr(pem);
      const posted = await a.send("POST", "/api/pki/certificate", {
        json: { certificate_chain: chain.join("\n"), trust_store: sim.defaultTrustStoreKey },
      });
      assert.equal(posted.status, 201, JSON.stringify(posted.json));
      const certs = (await a.send("GET", "/api/configuration/management/certificates")).json.body;
      const put = await a.send("PUT", "/api/configuration/management/certificates", {
        json: {
          ca: { selection: "identity", x509_identity: certs.ca.x509_identity.key },
          server: posted.json.key,
          tsa: certs.tsa.key,
        },
      });
      assert.equal(put.status, 200);
      const before = await a.send("GET", "/api/info");
      assert.notEqual(
        before.peerFingerprint256,
        colonUpper(sha256ColonHex(pemDer(chain[0]!))),
        "not before commit",
      );
      await commit(a);
      const probe = await new SpsHttp(sim.url, sim.externalCaCertificatePem).send("GET", "/api/info");
      assert.equal(probe.peerFingerprint256, colonUpper(sha256ColonHex(pemDer(chain[0]!))));
      assert.equal(sim.servedCertificateSha256, sha256ColonHex(pemDer(chain[0]!)));
      const replaced = await sim.replaceWebCertificate();
      assert.equal((await a.send("GET", "/api/info")).peerFingerprint256, colonUpper(replaced.sha256));
      await a.send("DELETE", `/api/pki/certificate/requests/${key}`);
    });

    it("refuses a chain whose first certificate is not for the CSR's key, and deleteCsr() works out of band", async () => {
      const k1 = (await a.send("POST", "/api/pki/certificate/requests", { json: SEED_CSR })).json.key;
      const k2 = (
        await a.send("POST", "/api/pki/certificate/requests", { json: { ...SEED_CSR, extensions: [] } })
      ).json.key;
      const pem2 = (await a.send("GET", `/api/pki/certificate/requests/${k2}`)).json.body.pem;
      const chain = await sim.signCsr(pem2);
      const res = await a.send("PUT", `/api/pki/certificate/requests/${k1}`, {
        json: { certificate_chain: chain, trust_store: null },
      });
      assert.equal(res.status, 400);
      assert.ok(sim.deleteCsr(k1));
      assert.equal((await a.send("GET", `/api/pki/certificate/requests/${k1}`)).status, 404);
      await a.send("DELETE", `/api/pki/certificate/requests/${k2}`);
    });
  });

  describe("faults and counters", () => {
    it("injects 503 with Retry-After, a failing commit, connection resets and a foreign lock", async () => {
      sim.injectFault("GET /api/info", { kind: "http503", retryAfterSeconds: 7 });
      const busy = await a.send("GET", "/api/info");
      assert.equal(busy.status, 503);
      assert.equal(busy.headers["retry-after"], "7");
      assert.equal((await a.send("GET", "/api/info")).status, 200, "times defaults to 1");

      sim.injectFault("commit", { kind: "commitFailure" });
      await a.send("POST", "/api/configuration/passwords", { json: { plain: "x" } });
      const failed = await a.send("PUT", "/api/transaction", { json: { status: "commit" } });
      assert.equal(failed.status, 400);
      assert.equal((await a.send("GET", "/api/transaction")).json.body.status, "open");
      await a.send("DELETE", "/api/transaction");

      sim.injectFault(/^POST \/api\/configuration\/passwords$/, { kind: "resetAfterApply" });
      await assert.rejects(a.send("POST", "/api/configuration/passwords", { json: { plain: "x" } }));
      assert.equal(
        (await a.send("GET", "/api/transaction")).json.body.status,
        "open",
        "applied before the reset",
      );
      await a.send("DELETE", "/api/transaction");
      sim.injectFault("open", { kind: "resetBeforeApply" });
      await assert.rejects(a.send("POST", "/api/transaction"));
      assert.equal((await a.send("GET", "/api/transaction")).json.body.status, "closed");

      sim.injectFault("open", { kind: "lockedByOther" });
      assert.equal((await a.send("POST", "/api/transaction")).status, 409);
    });

    it("counts requests, logins, transactions and connections", async () => {
      sim.resetCounters();
      const c = await loggedIn();
      await c.send("POST", "/api/transaction");
      await c.send("DELETE", "/api/transaction");
      const n = sim.counters();
      assert.equal(n.logins, 1);
      assert.equal(n.transactionsOpened, 1);
      assert.equal(n.rollbacks, 1);
      assert.equal(n.requests, 3);
      assert.equal(n.requestsByRoute["POST /api/transaction"], 1);
      assert.equal(n.connections, 3);
      assert.equal(n.tlsHandshakes, 3);
    });
  });
});

interface EcKeyAlgorithmLike {
  namedCurve?: string;
}
