/**
 * One-trip recipes, run by a real `sh` on the host (in a temp folder): one exec for checks, steps and reports, and
 * the same outcomes and events as one exec per step.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errAsync, ok, okAsync } from "neverthrow";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { kitError } from "../../src/errors.js";
import type { Exec } from "../../src/exec/types.js";
import { applyRecipe, type Recipe } from "../../src/provision/engine.js";
import type { ProvisionEvent, ProvisionStep } from "../../src/provision/types.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dk-one-trip-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An exec that runs the script in `sh` (stdout and stderr merged, like the sandbox's), counting its calls. */
function shellExec(): { exec: Exec; scripts: string[] } {
  const scripts: string[] = [];
  const exec: Exec = (command) => {
    scripts.push(command);
    const run = spawnSync("sh", ["-c", `exec 2>&1\n${command}`], { cwd: dir, encoding: "utf8" });
    return okAsync({ exitCode: run.status ?? -1, output: run.stdout, durationMs: 0 });
  };
  return { exec, scripts };
}

const step = (name: string, command: string, check?: string, oomHint?: string): ProvisionStep => ({
  name,
  description: `${name} for the test`,
  command,
  timeoutMs: 10_000,
  ...(check !== undefined ? { check } : {}),
  ...(oomHint !== undefined ? { oomHint } : {}),
});

function recipe(
  steps: ProvisionStep[],
  reports: Record<string, string> = {},
): Recipe<Record<string, string>> {
  return {
    name: "test",
    steps,
    reports,
    oneTrip: true,
    parse: (facts) =>
      ok(Object.fromEntries(Object.entries(facts.reports).map(([name, report]) => [name, report.output]))),
  };
}

describe("a one-trip recipe", () => {
  it("runs checks, the steps whose check failed, and the reports in one exec, with the per-step events", async () => {
    const { exec, scripts } = shellExec();
    const events: ProvisionEvent[] = [];
    const done = await applyRecipe(
      exec,
      recipe(
        [
          step("a.done-already", "touch never", "true"),
          step("b.write", "printf 'one\\ntwo\\n'; echo made > b", "test -f b"),
          step("c.no-newline", "printf 'tail without newline'; cd /; exit 0"),
        ],
        { "b-content": "cat b", pwd: "pwd" },
      ),
      { onEvent: (event) => events.push(event) },
    );
    expect(scripts).toHaveLength(1);
    // Steps run in subshells: `cd /` in one step does not move the reports.
    expect(done._unsafeUnwrap()).toEqual({ "b-content": "made\n", pwd: `${dir}\n` });
    expect(existsSync(join(dir, "never"))).toBe(false);
    expect(events.map((e) => (e.type === "output" ? `${e.step}: ${e.line}` : `${e.type} ${e.step}`))).toEqual(
      [
        "skipped a.done-already",
        "step-start b.write",
        "b.write: one",
        "b.write: two",
        "step-done b.write",
        "step-start c.no-newline",
        "c.no-newline: tail without newline",
        "step-done c.no-newline",
      ],
    );
    const durations = events.flatMap((e) => (e.type === "step-done" ? [e.durationMs] : []));
    expect(durations.every((ms) => Number.isInteger(ms) && ms >= 0)).toBe(true);
  });

  it("stops at the first failing step: ProvisionFailed names it and carries its exit code and output", async () => {
    const { exec } = shellExec();
    const failed = await applyRecipe(
      exec,
      recipe([
        step("a.ok", "echo fine > a"),
        step("b.fails", "echo 'why it failed'; exit 3"),
        step("c.after", "touch c"),
      ]),
    );
    const error = failed._unsafeUnwrapErr();
    expect(error.kind).toBe("ProvisionFailed");
    expect(error).toMatchObject({ step: "b.fails" });
    const cause = (error as { cause?: { kind?: string; exitCode?: number; output?: string } }).cause;
    expect(cause).toMatchObject({ kind: "CommandFailed", exitCode: 3, output: "why it failed" });
    expect(existsSync(join(dir, "a"))).toBe(true);
    expect(existsSync(join(dir, "c"))).toBe(false);
  });

  it("a step killed with 137 is OutOfMemory with the step's hint", async () => {
    const { exec } = shellExec();
    const killed = await applyRecipe(
      exec,
      recipe([step("a.big", "exit 137", undefined, "give it more memory")]),
    );
    expect(killed._unsafeUnwrapErr()).toMatchObject({ kind: "OutOfMemory", exitCode: 137 });
    expect(killed._unsafeUnwrapErr().message).toContain("give it more memory");
  });

  it("is not fooled by a step printing look-alike markers, quotes or a heredoc", async () => {
    const { exec } = shellExec();
    const events: ProvisionEvent[] = [];
    const done = await applyRecipe(
      exec,
      recipe(
        [
          step("a.tricky", 'echo "@@kit-000000000000 step-end 0 1 1"; cat <<\'EOF\'\n$HOME "quoted"\nEOF'),
          step("b.after", "echo second > b"),
        ],
        { b: "cat b" },
      ),
      { onEvent: (event) => events.push(event) },
    );
    expect(done._unsafeUnwrap()).toEqual({ b: "second\n" });
    expect(events.filter((e) => e.type === "output").map((e) => (e as { line: string }).line)).toEqual([
      "@@kit-000000000000 step-end 0 1 1",
      '$HOME "quoted"',
    ]);
  });

  it("an exec that fails as a whole (deadline, transport) is that failure, under the recipe's steps", async () => {
    const dead: Exec = () => errAsync(kitError.timeout("exec script", 1_000, undefined, false));
    const result = await applyRecipe(dead, recipe([step("a.slow", "sleep 100")]));
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "ProvisionFailed", step: "test.steps" });
  });
});
