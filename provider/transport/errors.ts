/**
 * The error tree every device call can raise. Callers branch on `code`, never on `instanceof`: Pulumi
 * serializes provider code into state, so two copies of this module can be loaded in one process.
 */

export type DeviceErrorCode =
  | "DEVICE_UNREACHABLE"
  | "DEVICE_TIMEOUT"
  | "DEVICE_TLS_UNTRUSTED"
  | "DEVICE_TLS_PIN_MISMATCH"
  | "DEVICE_UNAUTHORIZED"
  | "DEVICE_INSECURE_AUTH_REFUSED"
  | "DEVICE_HTTP_ERROR"
  | "DEVICE_BAD_RESPONSE"
  | "AXIS_SOAP_FAULT"
  | "SPS_API_ERROR"
  | "SPS_LOCKED";

/** Where and what: the device (origin only, never credentials) and the operation that failed. */
export interface DeviceErrorContext {
  device: string;
  operation: string;
  status?: number;
  /** Whether trying again later may succeed (connection refused, 503, lock held, timeout). */
  transient?: boolean;
  /** Whether the device may have applied the change before failing (connection reset after send). */
  maybeApplied?: boolean;
  retryAfterMs?: number;
  cause?: unknown;
}

export class DeviceError extends Error {
  readonly code: DeviceErrorCode;
  readonly device: string;
  readonly operation: string;
  readonly status?: number;
  readonly transient: boolean;
  readonly maybeApplied: boolean;
  readonly retryAfterMs?: number;

  constructor(code: DeviceErrorCode, detail: string, ctx: DeviceErrorContext) {
    super(
      `${ctx.device} ${ctx.operation}: ${detail}`,
      ctx.cause === undefined ? undefined : { cause: ctx.cause },
    );
    this.name = "DeviceError";
    this.code = code;
    this.device = ctx.device;
    this.operation = ctx.operation;
    this.status = ctx.status;
    this.transient = ctx.transient ?? false;
    this.maybeApplied = ctx.maybeApplied ?? false;
    this.retryAfterMs = ctx.retryAfterMs;
  }
}

/** True for any error raised by this package's device layer, whichever copy of the module made it. */
export function isDeviceError(err: unknown): err is DeviceError {
  return (
    err instanceof Error &&
    typeof (err as { code?: unknown }).code === "string" &&
    typeof (err as { device?: unknown }).device === "string"
  );
}
