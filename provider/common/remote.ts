import type * as pulumi from "@pulumi/pulumi";

/**
 * The provider object that Pulumi serializes into every resource's state, twice (inputs and outputs). Each
 * method is a one-line closure over one function that loads the real provider by package path (see
 * host.ts), so `__provider` is small, never captures a client, a credential or a Map, and resolves against
 * the package installed in the user's project.
 */
export function remoteProvider(modulePath: string, exportName: string): pulumi.dynamic.ResourceProvider {
  const host = (method: string, args: unknown[]): Promise<never> =>
    (
      require("pulumi-axis-sps/dist/provider/common/host") as {
        call(modulePath: string, exportName: string, method: string, args: unknown[]): Promise<never>;
      }
    ).call(modulePath, exportName, method, args);
  return {
    configure: (req) => host("configure", [req]),
    check: (olds, news) => host("check", [olds, news]),
    diff: (id, olds, news) => host("diff", [id, olds, news]),
    create: (inputs) => host("create", [inputs]),
    read: (id, props) => host("read", [id, props]),
    update: (id, olds, news) => host("update", [id, olds, news]),
    delete: (id, props) => host("delete", [id, props]),
  };
}
