import assert from "node:assert/strict";
import { DeviceGate } from "../../provider/common/deviceGate";

/** An operation the test finishes by hand, recording when it started. */
function operation(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    finish,
    work: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("DeviceGate: devices worked on at once", () => {
  it("lets further devices wait, joins operations on a device already admitted, and admits in order", async () => {
    const log: string[] = [];
    const released: string[] = [];
    const gate = new DeviceGate(2, (device) => released.push(device));
    const a1 = operation(log, "a1");
    const b1 = operation(log, "b1");
    const c1 = operation(log, "c1");
    const a2 = operation(log, "a2");
    const d1 = operation(log, "d1");
    const runs = [
      gate.run("a", a1.work),
      gate.run("b", b1.work),
      gate.run("c", c1.work),
      gate.run("a", a2.work),
      gate.run("d", d1.work),
    ];
    await settle();
    assert.deepEqual(log, ["start a1", "start b1", "start a2"], "c and d wait; a's second operation joins");
    assert.deepEqual(gate.load, { active: 2, waiting: 2 });

    a1.finish();
    await settle();
    assert.ok(!log.includes("start c1"), "a still has an operation in progress");
    assert.deepEqual(released, []);

    a2.finish();
    await settle();
    assert.deepEqual(released, ["a"], "a's pool is given back: others are waiting");
    assert.ok(log.includes("start c1") && !log.includes("start d1"), "c asked before d");

    b1.finish();
    c1.finish();
    await settle();
    assert.ok(log.includes("start d1"));
    d1.finish();
    assert.deepEqual(await Promise.all(runs), ["a1", "b1", "c1", "a2", "d1"]);
    assert.deepEqual(gate.load, { active: 0, waiting: 0 });
  });

  it("frees a device's place when its operation fails", async () => {
    const gate = new DeviceGate(1, () => undefined);
    const failing = gate.run("a", async () => {
      throw new Error("device said no");
    });
    const next = gate.run("b", async () => "b ran");
    await assert.rejects(failing, /device said no/);
    assert.equal(await next, "b ran");
  });
});
