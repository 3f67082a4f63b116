/**
 * An error answered as {"error": {type, message, details}, "meta": {…}}. Types and messages marked [seed] are
 * the seed document's own; the rest are [N] in the references (no real wording known) and chosen here.
 */
export class SpsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

// [seed] wording of the 401/403 rows: "The details section contains the path that was attempted".
export const unauthenticated = (path: string) =>
  new SpsError(
    401,
    "Unauthenticated",
    "The requested resource cannot be retrieved because the client is not authenticated and the resource requires authorization to access it.",
    { path },
  );

export const unauthorized = (path: string, why?: string) =>
  new SpsError(
    403,
    "Unauthorized",
    "The requested resource cannot be retrieved because the client is not authorized to access it.",
    why ? { path, reason: why } : { path },
  );

// [R] in the wire notes (type name remembered, not confirmed).
export const authenticationFailure = () =>
  new SpsError(401, "AuthenticationFailure", "Authentication failed: invalid username or password.");

// [seed] "The requested object does not exist."
export const notFound = (path: string) =>
  new SpsError(404, "NotFound", "The requested object does not exist.", { path });

// [seed] "The method <method> is not allowed for this node."
export const methodNotAllowed = (method: string, allow: string[]) =>
  new SpsError(
    405,
    "MethodNotAllowed",
    `The method ${method} is not allowed for this node.`,
    {},
    { Allow: allow.join(", ") },
  );

// [seed] prefix "Syntax error: " is how the seed's SyntacticError messages read.
export const syntacticError = (message: string) =>
  new SpsError(400, "SyntacticError", `Syntax error: ${message}`);

// [R] type name; message ours.
export const semanticError = (message: string, details: Record<string, unknown> = {}) =>
  new SpsError(400, "SemanticError", message, details);

// [N] no error type is documented for "configuration locked by another administrator"; 409 is chosen.
export const configurationLocked = (holder: string) =>
  new SpsError(409, "ConfigurationLocked", "The configuration is locked by another administrator.", {
    locked_by: holder,
  });

// [V] the status is documented (411 on a body-less POST /api/transaction); the type and message are ours.
export const lengthRequired = () =>
  new SpsError(411, "LengthRequired", "The request must carry a body or a Content-Length header.");

// [V] curl caveat in the docs: the server answers 417 to Expect: 100-continue.
export const expectationFailed = () => new SpsError(417, "ExpectationFailed", "Expectation Failed");

// [N] Content-Type is listed as Required; what a wrong one returns is not documented.
export const unsupportedMediaType = (got: string) =>
  new SpsError(415, "UnsupportedMediaType", `The request body must be application/json, not "${got}".`);

export const serviceUnavailable = (retryAfterSeconds: number) =>
  new SpsError(
    503,
    "ServiceUnavailable",
    "The service is temporarily unavailable.",
    {},
    {
      "Retry-After": String(retryAfterSeconds),
    },
  );
