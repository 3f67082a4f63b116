import assert from "node:assert/strict";
import { DigestSession, parseChallenges, pickDigestChallenge } from "../../provider/transport/digest";

describe("HTTP Digest (RFC 7616)", () => {
  const rfcChallenge =
    'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", ' +
    'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';

  it("parses two challenges in one header, quoted commas included", () => {
    const challenges = parseChallenges(rfcChallenge);
    assert.equal(challenges.length, 2);
    assert.equal(challenges[0].params.algorithm, "SHA-256");
    assert.equal(challenges[0].params.qop, "auth, auth-int");
    assert.equal(challenges[1].params.algorithm, "MD5");
  });

  it("prefers SHA-256 over MD5", () => {
    assert.equal(pickDigestChallenge(parseChallenges(rfcChallenge))?.params.algorithm, "SHA-256");
  });

  it("computes the RFC 7616 section 3.9.1 SHA-256 response", () => {
    const session = new DigestSession(parseChallenges(rfcChallenge)[0]);
    const header = session.authorize(
      "GET",
      "/dir/index.html",
      "Mufasa",
      "Circle of Life",
      "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
    );
    assert.match(header, /response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"/);
    assert.match(header, /nc=00000001/);
    assert.match(header, /opaque="FQhe\/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"/);
  });

  it("computes the RFC 7616 section 3.9.1 MD5 response", () => {
    const session = new DigestSession(parseChallenges(rfcChallenge)[1]);
    const header = session.authorize(
      "GET",
      "/dir/index.html",
      "Mufasa",
      "Circle of Life",
      "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
    );
    assert.match(header, /response="8ca523f5e9506fed4657c9700eebdbec"/);
  });

  it("advances the nonce count on every request instead of asking for a new challenge", () => {
    const session = new DigestSession(
      parseChallenges('Digest realm="AXIS_ACCC8EB3494E", nonce="abc", qop="auth"')[0],
    );
    session.authorize("POST", "/vapix/services", "root", "pw");
    assert.match(session.authorize("POST", "/vapix/services", "root", "pw"), /nc=00000002/);
  });

  it("reads the Axis challenge with stale and unquoted algorithm", () => {
    const [c] = parseChallenges(
      'Digest realm="AXIS_ACCC8EB3494E", nonce="PNHWZB6nBQA=316099a1", stale=true, algorithm=MD5, qop="auth"',
    );
    assert.equal(c.params.stale, "true");
    assert.equal(c.params.realm, "AXIS_ACCC8EB3494E");
    assert.equal(pickDigestChallenge([c])?.params.nonce, "PNHWZB6nBQA=316099a1");
  });

  it("ignores challenges it cannot answer", () => {
    assert.equal(
      pickDigestChallenge(parseChallenges('Digest realm="r", nonce="n", algorithm=SHA-512-256, qop="auth"')),
      undefined,
    );
    assert.equal(pickDigestChallenge(parseChallenges('Basic realm="r"')), undefined);
  });
});
