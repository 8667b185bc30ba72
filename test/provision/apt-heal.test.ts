/**
 * The apt step heals an interrupted dpkg: when `apt-get install` fails with "dpkg was interrupted" (a sandbox
 * stopped or OOM-killed mid-install), it runs `dpkg --configure -a`, installs again, and the engine reports a
 * `healed` event. The step's REAL shell runs here against scripted `apt-get`/`dpkg`/`dpkg-query` (first on PATH),
 * inside a private mount namespace whose /usr/sbin and /var/lib are throwaway tmpfs, so nothing on the host changes.
 */
import { execFile } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ResultAsync } from "neverthrow";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { kitError } from "../../src/errors.js";
import type { Exec } from "../../src/exec/types.js";
import { createProvisioner, type ProvisionEvent } from "../../src/provision/index.js";
import { createFakeWriter } from "./fake-exec.js";

const canIsolate = process.platform === "linux" && process.getuid?.() === 0;

const SCRIPTS: Record<string, string> = {
  "apt-get": `#!/bin/sh
echo "apt-get $*" >> "$STATE/log"
case "$*" in *install*)
  if [ -e "$STATE/interrupted" ]; then
    echo "E: dpkg was interrupted, you must manually run 'dpkg --configure -a' to correct the problem."
    exit 100
  fi
  echo "Setting up fakepkg (1.0) ..."
  touch "$STATE/installed";;
esac
exit 0
`,
  dpkg: `#!/bin/sh
echo "dpkg $*" >> "$STATE/log"
[ "$*" = "--configure -a" ] && rm -f "$STATE/interrupted" && echo "Setting up half-done (2.0) ..."
exit 0
`,
  "dpkg-query": `#!/bin/sh
[ -e "$STATE/installed" ] || exit 1
case "$*" in
  *Status*) echo "install ok installed";;
  *Package*) echo "fakepkg 1.0";;
esac
exit 0
`,
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kit-apt-heal-"));
  for (const [name, text] of Object.entries(SCRIPTS)) {
    await writeFile(join(dir, name), text);
    await chmod(join(dir, name), 0o755);
  }
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** An Exec running `sh -c` in a private mount namespace with the scripted tools first on PATH. */
function scriptedExec(): Exec {
  return (command, options) =>
    new ResultAsync(
      new Promise((resolve) => {
        const script = `mount -t tmpfs kit /usr/sbin && mount -t tmpfs kit /var/lib && ${command}`;
        execFile(
          "unshare",
          ["--mount", "--propagation", "private", "sh", "-c", script],
          { env: { PATH: `${dir}:/usr/bin:/bin:/usr/sbin:/sbin`, STATE: dir }, timeout: 30_000 },
          (error, stdout, stderr) => {
            const output = `${stdout}${stderr}`;
            for (const line of output.split("\n")) if (line !== "") options?.onOutput?.(line);
            const exitCode = error ? (typeof error.code === "number" ? error.code : 1) : 0;
            resolve(
              exitCode === 0
                ? { isOk: () => true, isErr: () => false, value: { exitCode, output, durationMs: 1 } }
                : {
                    isOk: () => false,
                    isErr: () => true,
                    error: kitError.commandFailed(command, exitCode, output),
                  },
            );
          },
        );
      }) as never,
    );
}

describe.skipIf(!canIsolate)("apt heals an interrupted dpkg (real shell, scripted tools)", () => {
  it("runs dpkg --configure -a, installs again, and reports a healed event", async () => {
    await writeFile(join(dir, "interrupted"), "");
    const events: ProvisionEvent[] = [];
    const provision = createProvisioner({ exec: scriptedExec(), writeText: createFakeWriter().writeText });
    const result = await provision.apt(["fakepkg"], { onEvent: (event) => events.push(event) });
    expect(result._unsafeUnwrap()).toMatchObject({ versions: { fakepkg: "1.0" }, changed: true });
    const healed = events.filter((event) => event.type === "healed");
    expect(healed).toEqual([
      {
        type: "healed",
        step: "apt.install",
        action: "dpkg --configure -a",
        reason: expect.stringContaining("dpkg was interrupted"),
      },
    ]);
    const log = (await readFile(join(dir, "log"), "utf8")).trim().split("\n");
    const installs = log.filter((line) => line.startsWith("apt-get install"));
    expect(installs).toHaveLength(2);
    expect(log.indexOf("dpkg --configure -a")).toBeGreaterThan(log.indexOf(installs[0] as string));
    expect(log.indexOf("dpkg --configure -a")).toBeLessThan(log.lastIndexOf(installs[1] as string));
  });

  it("does not heal (or run dpkg) when the install fails for another reason, and still fails", async () => {
    await writeFile(
      join(dir, "apt-get"),
      `#!/bin/sh\necho "apt-get $*" >> "$STATE/log"\ncase "$*" in *install*) echo "E: Unable to locate package fakepkg"; exit 100;; esac\nexit 0\n`,
    );
    const events: ProvisionEvent[] = [];
    const provision = createProvisioner({ exec: scriptedExec(), writeText: createFakeWriter().writeText });
    const result = await provision.apt(["fakepkg"], { onEvent: (event) => events.push(event) });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "ProvisionFailed", step: "apt.install" });
    expect(events.some((event) => event.type === "healed")).toBe(false);
    const log = await readFile(join(dir, "log"), "utf8");
    expect(log).not.toContain("dpkg --configure");
    // The stale-lists fallback still ran once: update, then the second install.
    expect(log.split("\n").filter((line) => line.startsWith("apt-get install"))).toHaveLength(2);
  });

  it("installs once, with no heal, when dpkg is fine", async () => {
    const events: ProvisionEvent[] = [];
    const provision = createProvisioner({ exec: scriptedExec(), writeText: createFakeWriter().writeText });
    (await provision.apt(["fakepkg"], { onEvent: (event) => events.push(event) }))._unsafeUnwrap();
    expect(events.some((event) => event.type === "healed")).toBe(false);
    const log = await readFile(join(dir, "log"), "utf8");
    expect(log.split("\n").filter((line) => line.startsWith("apt-get install"))).toHaveLength(1);
  });
});
