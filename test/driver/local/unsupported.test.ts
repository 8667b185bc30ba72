import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = process.getuid?.() === 0;

// Runs a child as `nobody`, so it needs a Node binary nobody can reach (test-node-versions.sh keeps its under /root).
const localTestsOff = process.env.DAYTONA_KIT_LOCAL_TESTS === "off";

describe.skipIf(process.platform !== "linux" || !root || localTestsOff)("local driver without root", () => {
  it("answers every call with Unsupported and a hint to use Daytona", async () => {
    const home = mkdtempSync(join(tmpdir(), "dk-nonroot-"));
    try {
      const script = join(import.meta.dirname, "fixtures/unsupported.ts");
      const { stdout } = await run(process.execPath, ["--import", "tsx", script, home], {
        cwd: join(import.meta.dirname, "../../.."),
        uid: 65_534,
        gid: 65_534,
        env: { ...process.env, HOME: home },
      });
      const answers = JSON.parse(stdout) as [string, string][];
      expect(answers.map(([kind]) => kind)).toEqual([
        "Unsupported",
        "Unsupported",
        "Unsupported",
        "Unsupported",
      ]);
      for (const [, message] of answers) expect(message).toContain("DAYTONA_API_KEY");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
