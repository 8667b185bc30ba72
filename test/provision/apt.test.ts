import { describe, expect, it } from "vitest";
import { APT_MARKER, createProvisioner } from "../../src/provision/index.js";
import { BOOKWORM_REPORTS, createFakeExec, createFakeWriter } from "./fake-exec.js";

function setup(check: (check: string) => boolean = () => false) {
  const fake = createFakeExec({ check, report: (name) => ({ output: BOOKWORM_REPORTS[name] ?? "" }) });
  const provision = createProvisioner({ exec: fake.exec, writeText: createFakeWriter().writeText });
  return { fake, provision };
}

describe("provision.apt", () => {
  it("plans an update guarded by the marker, then ONE noninteractive install of every package", () => {
    const { provision } = setup();
    const steps = provision.plan.apt(["git", "curl", "git"])._unsafeUnwrap();
    expect(steps.map((step) => step.name)).toEqual(["apt.update", "apt.install"]);
    const [update, install] = steps;
    expect(update?.check).toContain(`test -f ${APT_MARKER}`);
    expect(update?.command).toContain("apt-get update");
    expect(update?.command).toContain(`touch ${APT_MARKER}`);
    expect(install?.command).toContain("export DEBIAN_FRONTEND=noninteractive");
    expect(install?.command).toContain("apt-get install -y -qq --no-install-recommends");
    expect(install?.command).toContain("for p in git curl;");
    expect(install?.command.match(/for p in/g)).toHaveLength(1);
  });

  it("gives both apt steps the seed's 180 s deadline by default, or the caller's", () => {
    const { provision } = setup();
    expect(
      provision.plan
        .apt(["git"])
        ._unsafeUnwrap()
        .map((step) => step.timeoutMs),
    ).toEqual([180_000, 180_000]);
    expect(
      provision.plan
        .apt(["git"], { timeoutMs: 240_000 })
        ._unsafeUnwrap()
        .map((step) => step.timeoutMs),
    ).toEqual([240_000, 240_000]);
  });

  it("checks every package with one dpkg-query call", () => {
    const { provision } = setup();
    const install = provision.plan.apt(["git", "curl"])._unsafeUnwrap()[1];
    expect(install?.check).toMatch(/^\[ "\$\(dpkg-query -W -f='\$\{Status\}\\n' git curl 2>\/dev\/null/);
    expect(install?.check).toContain("-ge 2 ]");
  });

  it("keeps package postinst scripts from starting services during the install", () => {
    const { provision } = setup();
    const install = provision.plan.apt(["redis-server"])._unsafeUnwrap()[1];
    expect(install?.command).toContain("exit 101");
    // Removed on exit with the install's log: the EXIT trap removes everything listed in $cleanup.
    expect(install?.command).toContain("trap 'rm -f $cleanup' EXIT");
    expect(install?.command).toContain('cleanup="$cleanup /usr/sbin/policy-rc.d"');
  });

  it("runs update and install on a fresh sandbox and reports the versions", async () => {
    const { fake, provision } = setup();
    const result = (await provision.apt(["git"]))._unsafeUnwrap();
    // The install step holds a fallback update that runs only if the install fails on stale lists.
    expect(fake.matching(/^apt-get update/)).toHaveLength(1);
    expect(fake.matching("apt-get install")).toHaveLength(1);
    expect(fake.stepCommands()).toHaveLength(2);
    expect(result).toEqual({ versions: { git: "1:2.39.5-0+deb12u2" }, updated: true, changed: true });
  });

  it("installs nothing and costs one exec when every package is installed", async () => {
    const { fake, provision } = setup(() => true);
    const result = (await provision.apt(["git"]))._unsafeUnwrap();
    expect(fake.calls).toHaveLength(1);
    expect(fake.stepCommands()).toEqual([]);
    expect(result).toMatchObject({ updated: false, changed: false });
  });

  it("skips the update when the marker exists but still installs a missing package", async () => {
    // The update check passes (marker present); the install check fails (package missing).
    const { fake, provision } = setup((check) => check.startsWith("test -f"));
    const result = (await provision.apt(["git"]))._unsafeUnwrap();
    expect(fake.stepCommands()).toHaveLength(1);
    expect(fake.stepCommands()[0]).toContain("apt-get install");
    expect(result).toMatchObject({ updated: false, changed: true });
  });

  it.each([["Git"], ["git; rm -rf /"], ["-y"], [""], ["a"], ["pkg name"], ["../x"]])(
    "refuses the package name %j with InvalidArgument and runs nothing",
    async (name) => {
      const { fake, provision } = setup();
      const result = await provision.apt([name]);
      expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument", argument: "packages" });
      expect(fake.calls).toHaveLength(0);
    },
  );

  it("does nothing at all for an empty package list", async () => {
    const { fake, provision } = setup();
    const result = (await provision.apt([]))._unsafeUnwrap();
    expect(result).toEqual({ versions: {}, updated: false, changed: false });
    expect(fake.calls).toHaveLength(0);
  });
});
