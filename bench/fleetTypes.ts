import type { AxisCounters } from "../simulators/axis";
import type { SpsCounters } from "../simulators/sps";

/** The network model and the fleet's size. */
export interface FleetSpec {
  cameras: number;
  appliances: number;
  cameraPassword: string;
  latencyMs: number;
  keyGenerationMs: number;
  commitMs: number;
  maxConcurrentRequests: number;
}

export interface CameraInfo {
  name: string;
  httpsUrl: string;
  httpUrl: string;
  username: string;
  caCertificatePem: string;
}

export interface ApplianceInfo {
  url: string;
  username: string;
  password: string;
  caCertificatePem: string;
}

export interface FleetStarted {
  startMs: number;
  cameras: CameraInfo[];
  appliances: ApplianceInfo[];
}

export interface FleetCounters {
  cameras: AxisCounters[];
  appliances: SpsCounters[];
  /** ms since the epoch; 0 when no request came since the last reset. */
  firstRequestAt: number;
  lastResponseAt: number;
  inflight: number;
  /** CPU time of the fleet's thread (every simulated device) since the last reset, ms. */
  cpuMs: number;
}

export type FleetRequest =
  | { kind: "start" }
  | { kind: "counters" }
  | { kind: "reset" }
  | { kind: "rebindHttps"; cameras: number[] }
  | { kind: "served" }
  | { kind: "certificateIds" }
  | { kind: "stop" };
