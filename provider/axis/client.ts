import type { DeviceRef } from "../common/connections";
import { resolveDevice } from "../common/connections";
import { DeviceHttp } from "../transport/http";
import * as ops from "./operations";
import type {
  AxisSubject,
  CertificateStatus,
  Dot1XConfiguration,
  SoapOperation,
  StoredCertificate,
  WebServerTlsConfiguration,
} from "./operations";
import { buildEnvelope, parseSoapResponse } from "./soap";

export type {
  AxisSubject,
  CertificateStatus,
  Dot1XConfiguration,
  StoredCertificate,
  WebServerTlsConfiguration,
};

const SERVICES_PATH = "/vapix/services";

/** VAPIX certificate web services of one camera: one method per SOAP operation. */
export class AxisClient {
  private readonly http: DeviceHttp;

  constructor(device: DeviceRef) {
    this.http = DeviceHttp.for(resolveDevice(device));
  }

  get device(): string {
    return this.http.device;
  }

  /**
   * Sends one operation. A read this device already answered in this process is not asked again until one of
   * our writes changes what it reads (see ReadAnswers).
   */
  async call<In, Out>(op: SoapOperation<In, Out>, input: In): Promise<Out> {
    const body = buildEnvelope(op.build(input));
    if (op.readOnly) return this.http.answers.read(op.name, body, () => this.send(op, body));
    return this.http.answers.write(op.changes ?? "all", () => this.send(op, body));
  }

  private async send<In, Out>(op: SoapOperation<In, Out>, body: string): Promise<Out> {
    const res = await this.http.request({
      method: "POST",
      path: SERVICES_PATH,
      operation: op.name,
      headers: {
        "content-type": "application/soap+xml; charset=utf-8",
        accept: "application/soap+xml, text/xml",
      },
      body,
      idempotent: op.readOnly || op.idempotent === true,
    });
    return op.decode(parseSoapResponse(this.http.device, op.name, res.status, res.body));
  }

  getCertificates(): Promise<StoredCertificate[]> {
    return this.call(ops.GetCertificates, undefined);
  }

  getCACertificates(): Promise<StoredCertificate[]> {
    return this.call(ops.GetCACertificates, undefined);
  }

  getCertificatesStatus(): Promise<CertificateStatus[]> {
    return this.call(ops.GetCertificatesStatus, undefined);
  }

  deleteCertificates(ids: string[]): Promise<void> {
    return this.call(ops.DeleteCertificates, ids);
  }

  loadCertificateWithPrivateKey(
    items: Array<{ id: string; certificateDer: Uint8Array; privateKeyPkcs8Der: Uint8Array }>,
  ): Promise<void> {
    return this.call(ops.LoadCertificateWithPrivateKey, items);
  }

  loadCACertificates(items: Array<{ id: string; der: Uint8Array }>): Promise<void> {
    return this.call(ops.LoadCACertificates, items);
  }

  loadPkcs12(input: { id: string; pkcs12: Uint8Array; password: string }): Promise<void> {
    return this.call(ops.LoadPkcs12, input);
  }

  createCertificate2(input: {
    id: string;
    subject: AxisSubject;
    validNotBefore?: string;
    validNotAfter?: string;
  }): Promise<StoredCertificate> {
    return this.call(ops.CreateCertificate2, input);
  }

  getPkcs10Request2(input: { id: string; subject: AxisSubject }): Promise<Buffer> {
    return this.call(ops.GetPkcs10Request2, input);
  }

  loadCertificates(items: Array<{ id: string; der: Uint8Array }>): Promise<void> {
    return this.call(ops.LoadCertificates, items);
  }

  getWebServerTlsConfiguration(): Promise<WebServerTlsConfiguration> {
    return this.call(ops.GetWebServerTlsConfiguration, undefined);
  }

  setWebServerTlsConfiguration(config: WebServerTlsConfiguration): Promise<void> {
    return this.call(ops.SetWebServerTlsConfiguration, config);
  }

  getDot1XConfiguration(token = "EAPTLS_WIRED"): Promise<Dot1XConfiguration> {
    return this.call(ops.GetDot1XConfiguration, token);
  }

  setDot1XConfiguration(config: Dot1XConfiguration): Promise<void> {
    return this.call(ops.SetDot1XConfiguration, config);
  }
}
