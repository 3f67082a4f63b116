import * as pulumi from "@pulumi/pulumi";

/**
 * A provider serialized by value (a local module) whose create can fail after the object exists: it throws
 * an error carrying `id`, which the plugin sends as ErrorResourceInitFailed. Config: failInit (boolean).
 */
const provider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    if (inputs.failInit) {
      throw Object.assign(new Error("the thing exists but did not come up"), {
        id: "thing-1",
        properties: { ...inputs, status: "half" },
        reasons: ["not ready yet"],
      });
    }
    return { id: "thing-1", outs: { ...inputs, status: "ready" } };
  },
  async diff(_id, olds, news) {
    return { changes: olds.failInit !== news.failInit || olds.__provider !== news.__provider };
  },
  async update(_id, _olds, news) {
    return { outs: { ...news, status: "ready" } };
  },
  async delete() {},
};

class Thing extends pulumi.dynamic.Resource {
  declare readonly status: pulumi.Output<string>;
  constructor(name: string, args: { failInit: boolean }) {
    super(provider, name, { ...args, status: undefined }, {}, "test", "Thing");
  }
}

export = () => {
  const thing = new Thing("thing", { failInit: new pulumi.Config().getBoolean("failInit") ?? false });
  return { status: thing.status };
};
