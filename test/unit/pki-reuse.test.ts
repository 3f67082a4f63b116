import assert from "node:assert/strict";
import {
  certificateFromDer,
  certificateFromDerKnown,
  certificateFromPem,
  certificatesFromPem,
} from "../../provider/pki/certificate";
import { keyMatchesCertificate, parsePrivateKey } from "../../provider/pki/keys";
import { PkiInputError } from "../../provider/pki/pem";
import type { Issued } from "../support/pki";
import { makeCa, makeLeaf } from "../support/pki";

const derOf = (issued: Issued) => Buffer.from(issued.cert.rawData);

// The provider keeps what it parsed (certificates, keys, answers to "does this key match") for the rest of the
// plugin process. These tests hold the reuse to giving the answers a fresh parse would give.
describe("PKI: reuse of parsed certificates and keys", () => {
  let ca: Issued;
  let leaf: Issued;
  let other: Issued;

  before(async () => {
    ca = await makeCa("reuse CA");
    leaf = await makeLeaf(ca, "camera-1");
    other = await makeLeaf(ca, "camera-2");
  });

  it("takes a read certificate's facts from state when the device still holds that certificate", () => {
    const stated = certificateFromDer(derOf(leaf));
    assert.deepEqual(certificateFromDerKnown(derOf(leaf), { ...stated, device: "cam" } as never), stated);
  });

  it("parses the device's certificate when it is another one than state describes (drift)", () => {
    const stated = certificateFromDer(derOf(leaf));
    const seen = certificateFromDerKnown(derOf(other), stated);
    assert.equal(seen.commonName, "camera-2");
    assert.deepEqual(seen, certificateFromDer(derOf(other)));
  });

  it("parses when state is missing a fact (a state written by an older version)", () => {
    const { certificatePem: _dropped, ...older } = certificateFromDer(derOf(leaf));
    const seen = certificateFromDerKnown(derOf(leaf), older);
    assert.match(seen.certificatePem, /^-----BEGIN CERTIFICATE-----/);
    assert.equal(seen.commonName, "camera-1");
  });

  it("gives a decoded PEM bundle to each caller as its own list", () => {
    const bundle = leaf.certPem + ca.certPem;
    const first = certificatesFromPem(bundle);
    first.pop();
    assert.equal(certificatesFromPem(bundle).length, 2);
    assert.equal(certificateFromPem(leaf.certPem).commonName, "camera-1");
  });

  it("answers whether a key matches each certificate, again and again", () => {
    const key = parsePrivateKey(leaf.keyPem);
    for (let round = 0; round < 2; round++) {
      assert.equal(keyMatchesCertificate(key, derOf(leaf)), true);
      assert.equal(keyMatchesCertificate(key, derOf(other)), false);
      assert.equal(keyMatchesCertificate(parsePrivateKey(other.keyPem), derOf(other)), true);
    }
  });

  it("rejects a bad key every time it is given, not only the first", () => {
    const broken = leaf.keyPem.replace(/[A-Za-z0-9]{40}/, "A".repeat(40));
    for (let round = 0; round < 2; round++) {
      assert.throws(() => parsePrivateKey(broken), PkiInputError);
    }
  });
});
