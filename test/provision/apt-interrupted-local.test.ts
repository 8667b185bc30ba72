/**
 * A sandbox stopped in the middle of `apt-get install` (auto-stop, OOM, a deploy) leaves dpkg interrupted; on a
 * real local sandbox the next provisioning run heals it (`dpkg --configure -a`, a `healed` event) and succeeds.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalDriver, type LocalDriver } from "../../src/driver/local/index.js";
import { createExec } from "../../src/exec/exec.js";
import { createSandboxFs } from "../../src/fs/fs.js";
import { createProvisioner, type ProvisionEvent } from "../../src/provision/index.js";
import { cleanup, skipReason } from "../driver/local/helpers.js";

/**
 * Prints MID once dpkg is part-way through changing packages: a package unpacked or half-installed/configured in
 * the status file. (A bare `dpkg` process is not enough: the step's own
 * `dpkg -s` check is one.)
 */
const DPKG_MID_INSTALL =
  "grep -Eq '^Status: install ok (half-installed|unpacked|half-configured)' /var/lib/dpkg/status && echo MID; true";

describe.skipIf(skipReason !== undefined)(
  "apt after a stop in the middle of an install (real sandbox)",
  () => {
    let driver: LocalDriver;
    const labels = { "daytona-kit.test": `apt-interrupted-${randomBytes(3).toString("hex")}` };

    beforeAll(() => {
      driver = createLocalDriver();
    });
    afterAll(async () => {
      await cleanup(driver, labels);
      await driver.dispose();
    });

    it("stops the sandbox while dpkg is part-way through, then the next apt run heals dpkg and installs", async () => {
      const created = (await driver.create({ labels, timeoutMs: 600_000 }))._unsafeUnwrap();
      const exec = createExec({ driver, sandboxId: created.id });
      const fs = createSandboxFs({ driver, sandboxId: created.id, exec });
      const provision = createProvisioner({ exec, writeText: (path, text) => fs.writeText(path, text) });

      const first = provision.apt(["git"]);
      let midInstall = false;
      for (let tries = 0; tries < 20_000 && !midInstall; tries += 1) {
        const probe = await exec(DPKG_MID_INSTALL, { timeoutMs: 10_000 });
        midInstall = probe.isOk() && probe.value.output.includes("MID");
        if (!midInstall) await sleep(10);
      }
      expect(midInstall).toBe(true);
      (await driver.stop(created.id, { timeoutMs: 60_000 }))._unsafeUnwrap();
      // The install was cut short: whatever it answers, it is not a success.
      expect((await first).isErr()).toBe(true);

      (await driver.start(created.id, { timeoutMs: 60_000 }))._unsafeUnwrap();
      // apt-get refuses with "dpkg was interrupted" exactly when dpkg's journal (/var/lib/dpkg/updates) holds
      // entries; a stop between two packages leaves packages unpacked (dpkg --audit lists them) but no journal,
      // and apt-get then simply configures them. The heal is expected in the first case only.
      const journal = (
        await exec("ls -A /var/lib/dpkg/updates | grep -E '^[0-9]+$'; true", { timeoutMs: 60_000 })
      )._unsafeUnwrap();
      const interrupted = journal.output.trim() !== "";
      const audit = (await exec("dpkg --audit; true", { timeoutMs: 60_000 }))._unsafeUnwrap();
      console.log(
        `[apt-interrupted] dpkg journal left: ${interrupted}; dpkg --audit non-empty: ${audit.output.trim() !== ""}`,
      );

      const events: ProvisionEvent[] = [];
      const again = await provision.apt(["git"], { onEvent: (event) => events.push(event) });
      expect(again._unsafeUnwrap()).toBeDefined();
      expect(events.filter((event) => event.type === "healed")).toHaveLength(interrupted ? 1 : 0);
      const git = (await exec("git --version", { timeoutMs: 30_000 }))._unsafeUnwrap();
      expect(git.output).toMatch(/^git version \d/);
      expect((await exec("dpkg --audit", { timeoutMs: 60_000 }))._unsafeUnwrap().output.trim()).toBe("");
    }, 900_000);
  },
);
