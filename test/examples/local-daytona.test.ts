/**
 * examples/local-daytona.ts runs as documented (`npx tsx examples/local-daytona.ts`): it starts the server, drives
 * it with the SDK, prints what the server logged, and exits 0 after closing it.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");

describe("examples/local-daytona.ts", () => {
  it("creates, uploads, runs, previews and deletes through the local server, then exits 0", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "examples/local-daytona.ts"], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: "" },
      timeout: 90_000,
    });
    const origin = /^local Daytona on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout)?.[1];
    expect(origin).toBeDefined();
    expect(stdout).toContain(`DAYTONA_API_URL=${origin}/api`);
    expect(stdout).toMatch(/^created \S+ \(started\)$/m);
    expect(stdout).toContain('cat: exit 0, "hello from the host\\n"');
    expect(stdout).toMatch(new RegExp(`^preview of port 3000: ${origin}/preview/\\S+/3000/$`, "m"));
    for (const line of [
      "POST /sandbox → 200",
      "POST /toolbox/files/bulk-upload → 200",
      "POST /toolbox/process/execute → 200",
      "DELETE /sandbox/:id → 200",
      "a route it does not serve: 501",
    ]) {
      expect(stdout).toContain(line);
    }
  }, 120_000);
});
