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
  return {
    check: (olds, news) => load().check!(olds, news),
    diff: (id, olds, news) => load().diff!(id, olds, news),
    create: (inputs) => load().create(inputs),
    read: (id, props) => load().read!(id, props),
    update: (id, olds, news) => load().update!(id, olds, news),
    delete: (id, props) => load().delete!(id, props),
  };
}
