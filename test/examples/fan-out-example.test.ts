/** `examples/fan-out.ts` runs as a user runs it (a child process through tsx) and prints what it promises. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");

describe("examples/fan-out.ts", () => {
  it("works every valid project, fails the bad id and the throwing work alone, in input order", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "examples/fan-out.ts"], {
      cwd: root,
      timeout: 120_000,
    });
    const lines = stdout.split("\n").filter((line) => !line.startsWith("progress:") && line !== "");
    expect(lines.map((line) => line.split(":")[0])).toEqual([
      "blog",
      "shop",
      "docs",
      "not a valid id!",
      "api",
      "blog",
      "summary",
    ]);
    expect(stdout).toContain("blog: built blog");
    expect(stdout).toContain("not a valid id!: InvalidArgument");
    expect(stdout).toContain("api: Unexpected");
    expect(stdout).toContain('summary: {"total":6,"succeeded":4,"failed":2');
    expect(stdout).toContain("progress: 6/6");
  }, 150_000);
});
