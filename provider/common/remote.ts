import * as pulumi from "@pulumi/pulumi";

/**
 * The `__provider` text of a resource type: a module for the dynamic-provider plugin whose handler loads
 * the provider class from the package installed in the user's project (see host.ts).
 *
 * Pulumi stores `__provider` in every resource's inputs and outputs. Written out by hand it is one line,
 * where a serialized closure is seven functions in boilerplate (about 2.4 KB, twice per resource). It also
 * never runs closure serialization, so it cannot capture a client, a credential or a Map.
 */
export function providerText(modulePath: string, exportName: string): string {
  const hosted = `require("pulumi-axis-sps/dist/provider/common/host").hosted(${JSON.stringify(modulePath)}, ${JSON.stringify(exportName)})`;
  return `exports.handler = () => ${hosted};\n`;
}

/**
 * A resource served by the Node.js dynamic-provider plugin (`pulumi-nodejs:dynamic/<module>:<type>`), as
 * `pulumi.dynamic.Resource` makes one, with the provider given as its `__provider` text.
 */
export abstract class HostedResource extends pulumi.CustomResource {
  protected constructor(
    provider: string,
    name: string,
    props: pulumi.Inputs,
    opts: pulumi.CustomResourceOptions | undefined,
    module: string,
    type: string,
  ) {
    super(`pulumi-nodejs:dynamic/${module}:${type}`, name, { ...props, __provider: provider }, opts);
  }
}
