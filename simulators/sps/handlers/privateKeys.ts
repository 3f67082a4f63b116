import { changeConfig, viewOf } from "../http/context";
import type { RequestContext } from "../http/context";
import { notFound, syntacticError } from "../http/errors";
import { createdReply, objectReply, siblingMeta } from "../http/envelope";
import type { Reply } from "../http/envelope";
import type { Route } from "../http/router";
import { newObjectKey } from "../core";
import { UnsupportedKeyError, loadPrivateKey, sshStyleFingerprint } from "../pki/keys";

const COLLECTION = "/api/configuration/private_keys";

// [seed] verbatim, 400 SyntacticError row of the private-key table.
const UNSUPPORTED =
  "Could not load PEM key: Unsupported private key format, only PKCS-1 and PKCS-8 is supported. Encrypted private keys are not supported.";

function create(ctx: RequestContext): Reply {
  // "The body of the POST message must be the private key as a single line, enclosed in double-quotes."
  if (typeof ctx.body !== "string")
    throw syntacticError("The request body must be the PEM private key as a JSON string.");
  const pem = ctx.body;
  let loaded: ReturnType<typeof loadPrivateKey>;
  try {
    loaded = loadPrivateKey(pem, ["pkcs1", "pkcs8"]);
  } catch (err) {
    if (err instanceof UnsupportedKeyError) throw syntacticError(UNSUPPORTED);
    throw err;
  }
  // The seed's "type … Must be rsa": a PKCS-8 key of another algorithm is refused. [N] wording ours.
  if (loaded.key.asymmetricKeyType !== "rsa") {
    throw syntacticError("Could not load PEM key: Unsupported key type, only RSA keys are supported.");
  }
  const sshFingerprint = sshStyleFingerprint(loaded.key);
  const key = changeConfig(ctx, (draft) => {
    const objectKey = newObjectKey();
    draft.privateKeys.set(objectKey, { key: objectKey, pem, sshFingerprint, everReferenced: false });
    return { result: objectKey, changes: [{ type: "create", path: `${COLLECTION}/${objectKey}` }] };
  });
  return createdReply(key, COLLECTION);
}

function show(ctx: RequestContext): Reply {
  const view = viewOf(ctx);
  const key = ctx.params.key!;
  const object = view.privateKeys.get(key);
  if (!object) throw notFound(ctx.path);
  const siblings = [...view.privateKeys.keys()].map((k) => `${COLLECTION}/${k}`);
  return objectReply(
    200,
    key,
    { "public-key-fingerprint": { digest: object.sshFingerprint, hash_algorithm: "sha256" }, type: "rsa" },
    siblingMeta(`${COLLECTION}/${key}`, siblings),
  );
}

export const privateKeyRoutes: Route[] = [
  { pattern: COLLECTION, auth: true, methods: { POST: create } },
  { pattern: `${COLLECTION}/:key`, auth: true, methods: { GET: show } },
];
