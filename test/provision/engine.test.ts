import { execFileSync } from "node:child_process";
import { err, errAsync, ok } from "neverthrow";
import { describe, expect, it } from "vitest";
import { kitError } from "../../src/errors.js";
import { applyRecipe, type Recipe, readReport } from "../../src/provision/engine.js";
import {
  buildProbeScript,
  buildReportScript,
  newNonce,
  parseProbeOutput,
} from "../../src/provision/probe.js";
import type { ProvisionEvent, ProvisionStep } from "../../src/provision/types.js";
import { createFakeExec } from "./fake-exec.js";

/** A step without a check: it runs every time. */
const uncheckedStep = (name: string): ProvisionStep => ({
  name,
  description: `do ${name}`,
  command: `run-${name}`,
  timeoutMs: 1_000,
});

const step = (name: string, extra: Partial<ProvisionStep> = {}): ProvisionStep => ({
  ...uncheckedStep(name),
  check: `check-${name}`,
  ...extra,
});

function recipe(
  steps: ProvisionStep[],
  reports: Record<string, string> = { info: "print-info" },
): Recipe<string> {
  return {
    name: "demo",
    steps,
    reports,
    parse: (facts) =>
      Object.keys(reports).length === 0
        ? ok(`ran=${facts.ran.join(",")}`)
        : readReport(facts, "info", "demo").map((text) => `${text}; ran=${facts.ran.join(",")}`),
  };
}

describe("probe script", () => {
  it("reads every check's exit status and every report's output back from a real sh", () => {
    const nonce = newNonce();
    const steps = [step("a", { check: "true" }), step("b", { check: "exit 3" }), uncheckedStep("c")];
    const reports = {
      info: "printf 'x\\ny'",
      empty: "true",
      noisy: `echo "@@kit-000000000000 check 0 0"; exit 2`,
    };
    const script = buildProbeScript(nonce, steps, reports);
    const output = execFileSync("sh", ["-c", script], { encoding: "utf8" });
    const findings = parseProbeOutput(nonce, output);
    expect([...findings.checks.entries()]).toEqual([
      [0, 0],
      [1, 3],
    ]);
    expect(findings.reports.info).toEqual({ output: "x\ny", exitCode: 0 });
    expect(findings.reports.empty).toEqual({ output: "", exitCode: 0 });
    // A line that imitates a marker with another nonce is plain output.
    expect(findings.reports.noisy).toEqual({ output: "@@kit-000000000000 check 0 0\n", exitCode: 2 });
  });

  it("keeps a check's output and stdin away from the probe's output", () => {
    const nonce = newNonce();
    const script = buildProbeScript(nonce, [step("a", { check: "echo loud; echo louder >&2; cat" })], {});
    const output = execFileSync("sh", ["-c", script], { encoding: "utf8", input: "stdin text" });
    expect(output).toBe(`${nonce} check 0 0\n`);
  });

  it("runs reports alone after steps changed the sandbox", () => {
    const nonce = newNonce();
    const output = execFileSync("sh", ["-c", buildReportScript(nonce, { info: "echo hello" })], {
      encoding: "utf8",
    });
    expect(parseProbeOutput(nonce, output).reports.info).toEqual({ output: "hello\n", exitCode: 0 });
  });
});

describe("applyRecipe", () => {
  it("sends every check in ONE probe exec, before any step", async () => {
    const fake = createFakeExec();
    await applyRecipe(fake.exec, recipe([step("a"), step("b"), step("c")]));
    expect(fake.calls[0]?.probe).toBe(true);
    expect(fake.calls[0]?.command).toContain("check-a");
    expect(fake.calls[0]?.command).toContain("check-b");
    expect(fake.calls[0]?.command).toContain("check-c");
    expect(fake.stepCommands()).toEqual(["run-a", "run-b", "run-c"]);
  });

  it("skips the steps whose check passes and runs the rest in order", async () => {
    const fake = createFakeExec({ check: (check) => check === "check-b", report: () => ({ output: "v1" }) });
    const result = await applyRecipe(fake.exec, recipe([step("a"), step("b"), step("c")]));
    expect(fake.stepCommands()).toEqual(["run-a", "run-c"]);
    expect(result._unsafeUnwrap()).toBe("v1; ran=a,c");
  });

  it("costs exactly one exec when every check passes, and reads the result from that probe", async () => {
    const fake = createFakeExec({ check: () => true, report: () => ({ output: "from-probe" }) });
    const result = await applyRecipe(fake.exec, recipe([step("a"), step("b")]));
    expect(fake.calls).toHaveLength(1);
    expect(result._unsafeUnwrap()).toBe("from-probe; ran=");
  });

  it("re-reads the reports after steps ran (probe, steps, report)", async () => {
    let reads = 0;
    const fake = createFakeExec({ report: () => ({ output: `read-${++reads}` }) });
    const result = await applyRecipe(fake.exec, recipe([step("a")]));
    expect(fake.calls.map((call) => call.probe)).toEqual([true, false, true]);
    expect(result._unsafeUnwrap()).toBe("read-2; ran=a");
  });

  it("runs steps without a check every time", async () => {
    const fake = createFakeExec({ check: () => true, report: () => ({ output: "x" }) });
    await applyRecipe(fake.exec, recipe([step("a"), uncheckedStep("always")]));
    expect(fake.stepCommands()).toEqual(["run-always"]);
  });

  it("passes each step's timeout to exec", async () => {
    const fake = createFakeExec({ report: () => ({ output: "x" }) });
    await applyRecipe(fake.exec, recipe([step("a", { timeoutMs: 180_000 })]));
    expect(fake.calls.find((call) => call.command === "run-a")?.options?.timeoutMs).toBe(180_000);
  });

  it("emits skipped, step-start, output and step-done events in order", async () => {
    const events: ProvisionEvent[] = [];
    const fake = createFakeExec({
      check: (check) => check === "check-a",
      run: () => ({ output: "line one\nline two\n" }),
      report: () => ({ output: "x" }),
    });
    await applyRecipe(fake.exec, recipe([step("a"), step("b")]), { onEvent: (event) => events.push(event) });
    expect(events.map((event) => `${event.type}:${event.step}`)).toEqual([
      "skipped:a",
      "step-start:b",
      "output:b",
      "output:b",
      "step-done:b",
    ]);
    expect(events[1]).toMatchObject({ command: "run-b", description: "do b" });
    expect(events.filter((event) => event.type === "output").map((event) => event.line)).toEqual([
      "line one",
      "line two",
    ]);
  });

  it("wraps a failed step as ProvisionFailed naming the step and stops there", async () => {
    const fake = createFakeExec({
      run: (command) => (command === "run-b" ? { exitCode: 2, output: "boom" } : {}),
    });
    const result = await applyRecipe(fake.exec, recipe([step("a"), step("b"), step("c")]));
    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({
      kind: "ProvisionFailed",
      step: "b",
      cause: { kind: "CommandFailed", exitCode: 2 },
    });
    expect(fake.stepCommands()).toEqual(["run-a", "run-b"]);
  });

  it("turns exit 137 of a step with an oomHint into OutOfMemory carrying the hint", async () => {
    const fake = createFakeExec({ run: () => ({ exitCode: 137 }) });
    const result = await applyRecipe(fake.exec, recipe([step("a", { oomHint: "use a bigger sandbox" })]));
    const error = result._unsafeUnwrapErr();
    expect(error.kind).toBe("OutOfMemory");
    expect(error.message).toContain("use a bigger sandbox");
  });

  it("keeps exit 137 of a step without a hint as ProvisionFailed caused by OutOfMemory", async () => {
    const fake = createFakeExec({ run: () => ({ exitCode: 137 }) });
    const error = (await applyRecipe(fake.exec, recipe([step("a")])))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "ProvisionFailed", cause: { kind: "OutOfMemory" } });
  });

  it("reports a failed probe as ProvisionFailed of <recipe>.probe and runs nothing", async () => {
    const commands: string[] = [];
    const result = await applyRecipe(
      (command) => {
        commands.push(command);
        return errAsync(kitError.timeout("probe", 60_000));
      },
      recipe([step("a")]),
    );
    expect(commands).toHaveLength(1);
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "ProvisionFailed", step: "demo.probe" });
  });

  it("returns Aborted without any exec when the signal already fired", async () => {
    const fake = createFakeExec();
    const controller = new AbortController();
    controller.abort();
    const result = await applyRecipe(fake.exec, recipe([step("a")]), { signal: controller.signal });
    expect(result._unsafeUnwrapErr().kind).toBe("Aborted");
    expect(fake.calls).toHaveLength(0);
  });

  it("stops between steps when the signal fires", async () => {
    const controller = new AbortController();
    const fake = createFakeExec({
      run: (command) => {
        if (command === "run-a") controller.abort();
        return {};
      },
    });
    const result = await applyRecipe(fake.exec, recipe([step("a"), step("b")]), {
      signal: controller.signal,
    });
    expect(result._unsafeUnwrapErr().kind).toBe("Aborted");
    expect(fake.stepCommands()).toEqual(["run-a"]);
  });

  it("ignores an event listener that throws", async () => {
    const fake = createFakeExec({ report: () => ({ output: "fine" }) });
    const result = await applyRecipe(fake.exec, recipe([step("a")]), {
      onEvent: () => {
        throw new Error("listener bug");
      },
    });
    expect(result._unsafeUnwrap()).toBe("fine; ran=a");
  });

  it("refuses to run the steps when the preflight says no", async () => {
    const fake = createFakeExec({ report: (name) => ({ output: name === "facts" ? "nope" : "x" }) });
    const guarded: Recipe<string> = {
      ...recipe([step("a")]),
      preflight: {
        reports: { facts: "gather" },
        decide: (reports) =>
          reports.facts?.output.trim() === "nope" ? err(kitError.unsupported("demo", "no")) : ok(undefined),
      },
    };
    const result = await applyRecipe(fake.exec, guarded);
    expect(result._unsafeUnwrapErr().kind).toBe("Unsupported");
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]?.command).toContain("gather");
  });

  it("makes a missing report a ProvisionFailed instead of a wrong value", async () => {
    const fake = createFakeExec({ report: () => ({ output: "", exitCode: 1 }) });
    const result = await applyRecipe(fake.exec, recipe([step("a")]));
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "ProvisionFailed", step: "demo.report" });
  });
});
