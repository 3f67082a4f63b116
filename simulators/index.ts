/** The embedded simulators: an Axis camera and an SPS appliance, for tests, the demo and offline stacks. */
export { AxisSimulator } from "./axis";
export type { AxisSimulatorOptions, AxisCounters, InjectedFault } from "./axis";
export { SpsSimulator } from "./sps";
export type { SpsSimulatorOptions, SpsCounters, FaultSpec } from "./sps";
export { startControlServer } from "./control";
