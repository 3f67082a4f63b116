export { SpsSimulator } from "./simulator";
export type { ControlPlace, SpsKnobs } from "./simulator";
export type { SpsSimulatorOptions, TrustStoreSeed } from "./options";
export type { SpsCounters } from "./counters";
export type { FaultKind, FaultMatch, FaultRequest, FaultSpec } from "./faults";
export type { CommittedSnapshot } from "./snapshot";
