/** pulumi-axis-sps: certificates as code on Axis cameras and Safeguard for Privileged Sessions appliances. */
export { AxisCertificate, AxisCertificateProvider } from "./axis/certificate";
export type { AxisCertificateArgs, AxisSubjectArgs } from "./axis/certificate";
export { AxisCaCertificate, AxisCaCertificateProvider } from "./axis/caCertificate";
export type { AxisCaCertificateArgs } from "./axis/caCertificate";
export { AxisHttpsBinding, AxisHttpsBindingProvider } from "./axis/httpsBinding";
export type { AxisHttpsBindingArgs } from "./axis/httpsBinding";
export { AxisDot1x, AxisDot1xProvider } from "./axis/dot1x";
export type { AxisDot1xArgs } from "./axis/dot1x";
export { AxisClient } from "./axis/client";
export { AxisSoapFault } from "./axis/soap";
export { DeviceError, isDeviceError } from "./transport/errors";
export type { DeviceErrorCode } from "./transport/errors";
export type { DeviceConnectionArgs } from "./common/deviceArgs";
export type { DeviceConnection } from "./transport/connection";
