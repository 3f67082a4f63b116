/**
 * The pipeline floor's provider (bench/programs/floor.ts): every operation answers at once and sends nothing
 * to any device. A refresh of its resources through the engine harness and the dynamic-provider plugin costs
 * what every resource operation pays before any device work: the harness's step, gRPC and protobuf both
 * ways, the SDK's property (de)serialization and this package's host. The bench measures it next to the
 * fleet's refresh, with state of the same size, so the report can say which part of the refresh is ours.
 */
import type * as pulumi from "@pulumi/pulumi";

type Props = Record<string, unknown>;

export class FloorProvider implements pulumi.dynamic.ResourceProvider {
  async check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    return { inputs: news };
  }

  async diff(): Promise<pulumi.dynamic.DiffResult> {
    return { changes: false };
  }

  async create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
    return { id: `floor-${String(inputs.index)}`, outs: inputs };
  }

  async read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
    return { id, props };
  }

  async delete(): Promise<void> {}
}
