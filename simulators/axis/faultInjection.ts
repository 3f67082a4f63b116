/** What an injected fault does to the next matching request (after authentication and parsing). */
export type InjectedFault =
  /** Answer with a SOAP Receiver fault (HTTP 500) instead of running the operation. */
  | {
      readonly kind: "soapReceiver";
      readonly subcode?: string;
      readonly reason?: string;
      readonly times?: number;
    }
  /** Answer with a SOAP Sender fault (HTTP 400) instead of running the operation. */
  | {
      readonly kind: "soapSender";
      readonly subcode?: string;
      readonly reason?: string;
      readonly times?: number;
    }
  /** Answer HTTP 503 with `Retry-After` (seconds, default 1), operation not run. */
  | { readonly kind: "http503"; readonly retryAfterSeconds?: number; readonly times?: number }
  /** Destroy the socket without a response; the operation is not run. */
  | { readonly kind: "resetBeforeApply"; readonly times?: number }
  /** Run the operation (state changes), then destroy the socket without a response. */
  | { readonly kind: "resetAfterApply"; readonly times?: number }
  /** Wait `delayMs` before running the operation normally (inside the concurrency slot). */
  | { readonly kind: "delayMs"; readonly delayMs: number; readonly times?: number };

interface Armed {
  readonly fault: InjectedFault;
  remaining: number;
}

/** Operation name `*` matches every operation. Faults on one operation fire in the order injected. */
export const ANY_OPERATION = "*";

export class FaultInjector {
  private readonly armed = new Map<string, Armed[]>();

  /** `times` defaults to 1; `Infinity` keeps the fault until cleared. */
  inject(operation: string, fault: InjectedFault): void {
    const times = fault.times ?? 1;
    if (!(times > 0)) throw new RangeError("times must be positive");
    const list = this.armed.get(operation) ?? [];
    list.push({ fault, remaining: times });
    this.armed.set(operation, list);
  }

  clear(operation?: string): void {
    if (operation === undefined) this.armed.clear();
    else this.armed.delete(operation);
  }

  /** Consumes one use of the first fault armed for this operation (exact name first, then `*`). */
  take(operation: string): InjectedFault | undefined {
    for (const key of [operation, ANY_OPERATION]) {
      const list = this.armed.get(key);
      const first = list?.[0];
      if (!list || !first) continue;
      first.remaining--;
      if (first.remaining <= 0) list.shift();
      if (list.length === 0) this.armed.delete(key);
      return first.fault;
    }
    return undefined;
  }
}
