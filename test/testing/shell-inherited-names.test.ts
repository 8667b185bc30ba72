/**
 * The mini shell looks programs and variables up by own keys only: names that exist on every JavaScript object
 * (`__proto__`, `constructor`, `toString`) are unknown programs and unset variables, as in sh. Found by the
 * public-surface property test (`exec("__proto__")` on the memory driver was `Unexpected`).
 */
import { describe, expect, it } from "vitest";
import { createMemoryDriver } from "../../src/testing/index.js";

describe("the mini shell and names inherited by every object", () => {
  it.each(["__proto__", "constructor", "toString", "hasOwnProperty"])(
    "%s as a command answers 127 not found; as a variable it expands to nothing",
    async (name) => {
      const driver = createMemoryDriver();
      const box = (await driver.create({ timeoutMs: 5_000 }))._unsafeUnwrap();
      const run = (await driver.exec(box.id, { command: name, timeoutMs: 5_000 }))._unsafeUnwrap();
      expect(run.exitCode).toBe(127);
      expect(run.output).toContain(`${name}: not found`);
      const echoed = (
        await driver.exec(box.id, { command: `echo "[$${name}]"`, timeoutMs: 5_000 })
      )._unsafeUnwrap();
      expect(echoed.output).toBe("[]\n");
    },
  );
});
