/**
 * `DAYTONA_ENABLED=true DAYTONA_API_URL=… npm run demo`: the demo on the kit's Daytona driver, against a local
 * Daytona server whose toolbox is real local sandboxes. The page it prints was served from inside the sandbox and
 * fetched through the server's preview proxy. (`npm run demo` first runs scripts/setup-local.sh, which the test
 * suite has already run: the child runs `tsx examples/demo.ts` itself.)
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  REAL_SERVER_SETUP_MS,
  type RealServer,
  realServerSkipReason,
  startRealServer,
} from "../testing/serve/real-server.js";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");

describe.skipIf(realServerSkipReason !== undefined)(
  "the demo on Daytona, through a local Daytona server",
  () => {
    let server: RealServer | undefined;
    beforeAll(async () => {
      server = await startRealServer("demo-server");
    }, REAL_SERVER_SETUP_MS);
    afterAll(async () => {
      await server?.close();
    }, 240_000);

    it("ensures, writes the site, serves it from inside and fetches it through the preview, then deletes", async () => {
      const local = (server as RealServer).local;
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...local.env(),
        DAYTONA_ENABLED: "true",
        DAYTONA_USE_DEPRECATED_POLLING: "true",
        DEMO_PROJECT: "demo-through-server",
        NODE_OPTIONS: "",
      };
      const { stdout } = await run(process.execPath, ["--import", "tsx", "examples/demo.ts"], {
        cwd: root,
        env,
        timeout: 300_000,
      });
      expect(stdout).toContain("driver: daytona");
      expect(stdout).toContain("title: Hello from a daytona-kit sandbox");
      const id = /sandbox (\S+) is started/.exec(stdout)?.[1];
      expect(stdout).toContain(`deleted sandbox ${id}`);
      expect(local.emulator.count("POST /sandbox")).toBe(1);
      expect(local.emulator.count("GET /sandbox/:id/ports/:port/preview-url")).toBeGreaterThanOrEqual(1);
      expect(local.emulator.count("DELETE /sandbox/:id")).toBe(1);
    }, 600_000);
  },
);
