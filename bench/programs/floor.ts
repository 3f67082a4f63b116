/**
 * The pipeline floor's program: `resources` resources of bench/floorProvider.ts, each carrying
 * `paddingBytes` of text in its inputs and outputs so that its state is as large as a fleet resource's.
 */
import * as pulumi from "@pulumi/pulumi";
import { HostedResource, providerText } from "../../provider/common/remote";

const PROVIDER = providerText("pulumi-axis-sps/dist/bench/floorProvider", "FloorProvider");

class FloorResource extends HostedResource {
  constructor(name: string, props: { index: number; padding: string }) {
    super(PROVIDER, name, props, undefined, "bench", "Floor");
  }
}

export = () => {
  const config = new pulumi.Config();
  const count = config.requireNumber("resources");
  const padding = "x".repeat(config.requireNumber("paddingBytes"));
  for (let index = 0; index < count; index++) new FloorResource(`floor-${index}`, { index, padding });
  return { resources: count };
};
