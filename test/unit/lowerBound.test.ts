import assert from "node:assert/strict";
import type { SimDevice } from "../../bench/engineOrder";
import { simulate } from "../../bench/engineOrder";
import type { PhaseName } from "../../bench/lowerBound";
import { MODEL, lowerBound } from "../../bench/lowerBound";
import { cliDefaultParallel } from "../engine/engine";

const RTT = MODEL.rttMs;

/** A device of two operations, each one request after a shared first one (a 401). */
function twoReads(name: string, slots: number): SimDevice {
  return {
    name,
    slots,
    order: ["a", "b"],
    tasks: [
      { id: "401", ms: RTT, after: [], ops: [] },
      { id: "read a", ms: RTT, after: ["401"], ops: ["a"] },
      { id: "read b", ms: RTT, after: ["401"], ops: ["b"] },
    ],
  };
}

describe("bench lower bound", () => {
  it("takes the CLI's default parallelism: PULUMI_PARALLEL, else four per CPU", () => {
    assert.equal(cliDefaultParallel({ PULUMI_PARALLEL: "3" }), 3);
    assert.equal(cliDefaultParallel({ PULUMI_PARALLEL: "0" }) % 4, 0);
    assert.ok(cliDefaultParallel({}) >= 4);
  });

  it("simulates the engine's workers first come first served, and the device's own queue", () => {
    // One worker: a's 401 and read, then b's read (the 401 is paid once): three round trips.
    assert.equal(simulate([twoReads("cam", 2)], 1), 3 * RTT);
    // Two workers, two device slots: the 401, then both reads together.
    assert.equal(simulate([twoReads("cam", 2)], 2), 2 * RTT);
    // Two workers but a device serving one request at a time: the reads queue at the device.
    assert.equal(simulate([twoReads("cam", 1)], 2), 3 * RTT);
    // Two devices, two workers, type by type: both devices' a (401 and read) at once, then both b.
    assert.equal(simulate([twoReads("cam1", 2), twoReads("cam2", 2)], 2), 3 * RTT);
  });

  it("hands out operations type by type across devices, as the engine's state and registration order is", () => {
    // Device by device, cam1's a and b would take both workers and cam2 would wait for a 401 and a read
    // it could have had at once: 4 RTT. Type by type each worker pays one device's 401: 3 RTT.
    const slow = (name: string): SimDevice => ({
      ...twoReads(name, 1),
      tasks: twoReads(name, 1).tasks.map((t) => (t.id === "read b" ? { ...t, ms: 3 * RTT } : t)),
    });
    // One device slot each; b is slow. Type by type: both 401s and a's reads together (2 RTT), then both
    // b's reads together (3 RTT) = 5 RTT. Device by device: cam1's a and b hold both workers while
    // cam1 serves 401, a, b one at a time (5 RTT), then cam2's do the same (10 RTT).
    assert.equal(simulate([slow("cam1"), slow("cam2")], 2), 5 * RTT);
  });

  it("runs the deletes of replaced resources after every other operation", () => {
    const device = (name: string): SimDevice => ({
      name,
      slots: 2,
      order: ["create", "old"],
      last: ["old"],
      tasks: [
        { id: "create", ms: 5 * RTT, after: [], ops: ["create"] },
        { id: "delete", ms: RTT, after: [], ops: ["old"] },
      ],
    });
    // Without the rule the deletes would run beside the creates (5 RTT); with it they wait for both.
    assert.equal(simulate([device("a"), device("b")], 8), 6 * RTT);
  });

  it("counts a camera's refresh as the 401 then four reads on two slots", () => {
    const one = lowerBound("refresh", 1, 0, 0, 8);
    assert.equal(one.requests, 5);
    assert.equal(one.wallMs, 3 * RTT);
    // One operation at a time: the 401 and four reads, the second certificate's read shared.
    assert.equal(lowerBound("refresh", 1, 0, 0, 1).wallMs, 5 * RTT);
  });

  it("is never below the any-order bound, and falls as the parallelism grows", () => {
    const phases: PhaseName[] = ["up", "refresh", "drift", "rotation", "destroy"];
    for (const phase of phases)
      for (const cameras of [1, 7, 40]) {
        let previous = Infinity;
        for (const parallel of [1, 2, 8, 64]) {
          const lb = lowerBound(phase, cameras, 2, Math.ceil(cameras / 10), parallel);
          assert.ok(lb.wallMs >= lb.anyOrderMs, `${phase} ${cameras} at ${parallel}`);
          assert.ok(lb.wallMs <= previous, `${phase} ${cameras}: ${parallel} is not faster`);
          previous = lb.wallMs;
        }
      }
  });
});
