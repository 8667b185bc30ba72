/**
 * Network helpers (slirp4netns, preview forwarders) are found by their working directory `sandboxes/<id>/net`, so
 * gc() and delete end them even when no record names them; other processes working near a sandbox are not taken.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sandboxProcesses } from "../../../src/driver/local/processes.js";

describe.skipIf(process.platform !== "linux")(
  "sandboxProcesses: network helpers by working directory",
  () => {
    const home = mkdtempSync(join(tmpdir(), "dk-helpers-"));
    const sandboxes = join(home, "sandboxes");
    const children: ChildProcess[] = [];
    const sleepIn = (dir: string): number => {
      mkdirSync(dir, { recursive: true });
      const child = spawn("sleep", ["300"], { cwd: dir, stdio: "ignore" });
      children.push(child);
      return child.pid!;
    };
    afterAll(() => {
      for (const child of children) child.kill("SIGKILL");
      rmSync(home, { recursive: true, force: true });
    });

    it("maps a process working in sandboxes/<id>/net to <id>, also after the folder is gone, and nothing else", async () => {
      const helper = sleepIn(join(sandboxes, "lsb-0123456789ab", "net"));
      const gone = sleepIn(join(sandboxes, "lsb-ba9876543210", "net"));
      sleepIn(join(sandboxes, "lsb-0123456789ab", "net", "deeper"));
      sleepIn(join(sandboxes, "lsb-0123456789ab", "upper"));
      sleepIn(join(sandboxes, "not-a-sandbox", "net"));
      rmSync(join(sandboxes, "lsb-ba9876543210"), { recursive: true, force: true });
      await new Promise((done) => setTimeout(done, 100));
      const found = await sandboxProcesses(sandboxes);
      expect(Object.fromEntries(found)).toEqual({ "lsb-0123456789ab": [helper], "lsb-ba9876543210": [gone] });
    });
  },
);
