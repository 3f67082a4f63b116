import { DeviceError } from "../transport/errors";

/** The appliance's `{"error": {"type", "message", "details"}}` body. */
export interface SpsErrorBody {
  type: string;
  message: string;
  details?: unknown;
}

/**
 * An SPS REST error with the appliance's own type and message. `code` is SPS_LOCKED when another
 * administrator holds the configuration (worth waiting for), SPS_API_ERROR otherwise.
 */
export class SpsApiError extends DeviceError {
  readonly spsType: string;
  readonly spsMessage: string;
  readonly details?: unknown;

  constructor(
    device: string,
    operation: string,
    status: number,
    body: SpsErrorBody | undefined,
    retryAfterMs?: number,
  ) {
    const locked = isLockStatus(status, body);
    const type = body?.type ?? `HTTP ${status}`;
    const message = body?.message ?? "";
    super(locked ? "SPS_LOCKED" : "SPS_API_ERROR", `HTTP ${status} ${type}${message ? `: ${message}` : ""}`, {
      device,
      operation,
      status,
      transient: locked || status === 503,
      retryAfterMs,
    });
    this.name = "SpsApiError";
    this.spsType = type;
    this.spsMessage = message;
    this.details = body?.details;
  }
}

/**
 * The lock held by another administrator. Its error type is not documented ([N] in the wire notes); a 409,
 * or any type or message that speaks of a lock, is taken for it.
 */
export function isLockStatus(status: number, body: SpsErrorBody | undefined): boolean {
  return status === 409 || /lock/i.test(`${body?.type ?? ""} ${body?.message ?? ""}`);
}

export function isSpsError(err: unknown, type?: string): err is SpsApiError {
  const e = err as { code?: string; spsType?: string } | undefined;
  return (
    (e?.code === "SPS_API_ERROR" || e?.code === "SPS_LOCKED") && (type === undefined || e.spsType === type)
  );
}
