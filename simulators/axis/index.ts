/** The Axis camera simulator: AXIS OS 12.11 certificate services over SOAP on loopback HTTP and HTTPS. */
export { AxisSimulator } from "./simulator";
export type { SimulatedCaCertificate, SimulatedCertificate } from "./simulator";
export type { AxisSimulatorOptions } from "./options";
export type { AxisCounters } from "./counters";
export type { InjectedFault } from "./faultInjection";
export type { AuthMode, DigestAlgorithm } from "./auth";
export type { OnDeviceKeyType } from "./pki";
export type { ConnectionPolicy, Dot1XConfiguration, WebServerTlsConfiguration } from "./state";
