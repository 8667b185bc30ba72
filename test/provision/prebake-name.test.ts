import { describe, expect, it } from "vitest";
import { PREBAKED_PREFIX, prebakedName, stableJson } from "../../src/provision/prebake-name.js";

const plan = { baseImage: "debian:12", commands: ["apt-get install -y git"], labels: { kit: "apex" } };

describe("prebakedName", () => {
  it("is the prefix and 16 hex digits, valid as a snapshot and file name", () => {
    expect(prebakedName(plan)).toMatch(/^apex-prebaked-[0-9a-f]{16}$/);
    expect(prebakedName(plan).startsWith(PREBAKED_PREFIX)).toBe(true);
  });

  it("is the same for the same content whatever the key order", () => {
    const reordered = {
      labels: { kit: "apex" },
      commands: ["apt-get install -y git"],
      baseImage: "debian:12",
    };
    expect(prebakedName(reordered)).toBe(prebakedName(plan));
  });

  it("changes when a command, the base image or a label changes", () => {
    const names = new Set([
      prebakedName(plan),
      prebakedName({ ...plan, commands: ["apt-get install -y git redis-server"] }),
      prebakedName({ ...plan, baseImage: "debian:13" }),
      prebakedName({ ...plan, labels: { kit: "other" } }),
      prebakedName({ ...plan, commands: [...plan.commands, "true"] }),
    ]);
    expect(names.size).toBe(5);
  });

  it("command order matters (commands run in order)", () => {
    const a = prebakedName({ ...plan, commands: ["a", "b"] });
    const b = prebakedName({ ...plan, commands: ["b", "a"] });
    expect(a).not.toBe(b);
  });
});

describe("stableJson", () => {
  it("sorts keys at every level and drops undefined members", () => {
    expect(stableJson({ b: 1, a: { d: [2, { z: 1, y: 0 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"y":0,"z":1}]},"b":1}',
    );
  });

  it("serializes scalars as JSON does", () => {
    expect(stableJson("x")).toBe('"x"');
    expect(stableJson(null)).toBe("null");
    expect(stableJson(undefined)).toBe("null");
  });
});
