import type { OnDeviceKeyType } from "../pki";
import type { CameraState } from "../state";
import type { XmlElement } from "../xmlReader";
import type { XmlNode } from "../xmlWriter";

/** Device behaviour knobs the operations need (a subset of the simulator options). */
export interface OperationSettings {
  readonly maxCertificates: number;
  readonly maxCaCertificates: number;
  readonly keyGenerationMs: number;
  readonly onDeviceKeyType: OnDeviceKeyType;
  readonly dot1xRequireCommonNameMatch: boolean;
}

export interface OperationContext {
  readonly state: CameraState;
  readonly settings: OperationSettings;
}

/** Handles one operation element and returns the children of the response Body; throws SoapFault. */
export type OperationHandler = (request: XmlElement, ctx: OperationContext) => Promise<XmlNode[]> | XmlNode[];
