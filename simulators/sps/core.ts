import { randomBytes, randomUUID } from "node:crypto";
import type { Sessions } from "./auth/sessions";
import type { SpsCounters } from "./counters";
import type { FaultRegistry } from "./faults";
import type { ResolvedOptions } from "./options";
import type { Authority } from "./pki/authority";
import type { ApplianceStore } from "./state/store";

/** Everything a handler may touch: the appliance's state and the knobs that shape its answers. */
export interface Appliance {
  options: ResolvedOptions;
  store: ApplianceStore;
  sessions: Sessions;
  counters: SpsCounters;
  faults: FaultRegistry;
  /** "SPS internal CA": signs the web certificate; the `ca` identity of management/certificates. */
  internalCa: Authority;
  /** An outside CA the "default" trust store trusts, so CSRs can be signed in tests and demos. */
  externalCa: Authority;
}

/** Object keys look like the documented ones (UUIDs). */
export function newObjectKey(): string {
  return randomUUID();
}

/** Local user keys look like the documented "103640099357f3b14f0529a". */
export function newUserKey(): string {
  return randomBytes(12).toString("hex").slice(0, 23);
}
