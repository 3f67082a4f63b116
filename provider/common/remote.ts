import type * as pulumi from "@pulumi/pulumi";

/**
 * The provider object that Pulumi serializes into state. It holds two strings and loads the real provider
 * by package path inside each call, so `__provider` stays a few hundred bytes, never captures a client,
 * a credential or a Map, and resolves against the installed package in the user's project.
 */
export function remoteProvider(modulePath: string, exportName: string): pulumi.dynamic.ResourceProvider {
  const load = (): pulumi.dynamic.ResourceProvider => {
    const mod = require(modulePath) as Record<string, new () => pulumi.dynamic.ResourceProvider>;
    return new mod[exportName]();
  };
  // The plugin turns results into protobuf Structs, which have no `undefined`: drop such keys at any depth.
  const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
  return {
    check: async (olds, news) => plain(await load().check!(olds, news)),
    diff: (id, olds, news) => load().diff!(id, olds, news),
    create: async (inputs) => plain(await load().create(inputs)),
    read: async (id, props) => plain(await load().read!(id, props)),
    update: async (id, olds, news) => plain(await load().update!(id, olds, news)),
    delete: (id, props) => load().delete!(id, props),
  };
}
