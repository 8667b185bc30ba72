import { describe, expect, it } from "vitest";
import {
  fromLocalLabels,
  RESERVED_LABEL_PREFIX,
  toLocalLabels,
} from "../../../src/testing/backend/daytona-labels.js";

describe("Daytona-side fields in local labels", () => {
  it("round-trips labels, name, target and creator", () => {
    const fields = {
      labels: { team: "web", "": "empty key" },
      name: "box-1",
      target: "us",
      createdBy: "run-7",
    };
    const local = toLocalLabels(fields)._unsafeUnwrap();
    expect(local).toEqual({
      team: "web",
      "": "empty key",
      [`${RESERVED_LABEL_PREFIX}name`]: "box-1",
      [`${RESERVED_LABEL_PREFIX}target`]: "us",
      [`${RESERVED_LABEL_PREFIX}created-by`]: "run-7",
    });
    expect(fromLocalLabels(local, "local-id", "eu")).toEqual(fields);
  });

  it("leaves the creator out when unknown", () => {
    const local = toLocalLabels({ labels: {}, name: "n", target: "eu" })._unsafeUnwrap();
    expect(Object.keys(local)).not.toContain(`${RESERVED_LABEL_PREFIX}created-by`);
    expect(fromLocalLabels(local, "x", "us")).toEqual({ labels: {}, name: "n", target: "eu" });
  });

  it("refuses a user label that uses the reserved prefix", () => {
    const refused = toLocalLabels({
      labels: { [`${RESERVED_LABEL_PREFIX}name`]: "spoof" },
      name: "n",
      target: "eu",
    });
    expect(refused._unsafeUnwrapErr()).toContain(`${RESERVED_LABEL_PREFIX}name`);
  });

  it("shows a sandbox made outside the server under its local id and the fallback target", () => {
    expect(fromLocalLabels({ owner: "me" }, "local-42", "eu")).toEqual({
      labels: { owner: "me" },
      name: "local-42",
      target: "eu",
    });
  });

  it("keeps labels named like prototype keys as plain data", () => {
    const labels = JSON.parse('{"__proto__":"p","constructor":"c"}') as Record<string, string>;
    const local = toLocalLabels({ labels, name: "n", target: "eu" })._unsafeUnwrap();
    const back = fromLocalLabels(local, "x", "eu").labels;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.entries(back)).toEqual([
      ["__proto__", "p"],
      ["constructor", "c"],
    ]);
  });
});
