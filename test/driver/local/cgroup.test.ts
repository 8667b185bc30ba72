/**
 * The cgroup writes, on a temporary directory standing in for /sys/fs/cgroup: v2 (which this machine lacks) and v1.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  cgroupIds,
  createSandboxCgroups,
  detectCgroupSupport,
  homeTag,
  sandboxCgroups,
} from "../../../src/driver/local/cgroup.js";

const limits = { memoryBytes: 1024 ** 3, pids: 512, cpus: 1.5 };
const roots: string[] = [];
const fakeRoot = () => {
  const root = mkdtempSync(join(tmpdir(), "dk-cgroupfs-"));
  roots.push(root);
  return root;
};
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});
const read = (path: string) => readFileSync(path, "utf8");

describe("cgroup v2", () => {
  it("detects the unified tree and its controllers", () => {
    const root = fakeRoot();
    writeFileSync(join(root, "cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
    expect(detectCgroupSupport(root)).toEqual({ kind: "v2", root, controllers: ["memory", "pids", "cpu"] });
  });

  it("delegates the controllers down the tree and writes memory.max, swap, pids.max and cpu.max", async () => {
    const root = fakeRoot();
    writeFileSync(join(root, "cgroup.controllers"), "cpu memory pids\n");
    writeFileSync(join(root, "cgroup.subtree_control"), "memory\n");
    const support = detectCgroupSupport(root);
    const tag = homeTag("/some/home");
    const created = await createSandboxCgroups(support, tag, "lsb-0123456789ab", limits);
    const dir = join(root, "daytona-kit", tag, "lsb-0123456789ab");
    expect(created.dirs).toEqual([dir]);
    expect(created.memory).toBe(dir);
    // Already delegated controllers are not written again; each missing one is enabled on its own.
    expect(read(join(root, "cgroup.subtree_control"))).toBe("+cpu");
    expect(read(join(root, "daytona-kit", "cgroup.subtree_control"))).toBe("+cpu");
    expect(read(join(root, "daytona-kit", tag, "cgroup.subtree_control"))).toBe("+cpu");
    expect(read(join(dir, "memory.max"))).toBe(String(1024 ** 3));
    expect(read(join(dir, "memory.swap.max"))).toBe("0");
    expect(read(join(dir, "pids.max"))).toBe("512");
    expect(read(join(dir, "cpu.max"))).toBe("150000 100000");
    expect(created.enforced).toBe("cgroup v2: memory 1073741824 bytes, 512 processes, 1.5 vCPU");
    expect(await cgroupIds(support, tag)).toEqual(["lsb-0123456789ab"]);
  });

  it("only names paths without creating anything for a sandbox that has no groups", () => {
    const root = fakeRoot();
    writeFileSync(join(root, "cgroup.controllers"), "memory\n");
    const groups = sandboxCgroups(detectCgroupSupport(root), "htag", "lsb-0123456789ab");
    expect(groups.dirs).toEqual([join(root, "daytona-kit", "htag", "lsb-0123456789ab")]);
  });
});

describe("cgroup v1", () => {
  it("uses one group per hierarchy and writes each controller's files", async () => {
    const root = fakeRoot();
    mkdirSync(join(root, "memory"));
    writeFileSync(join(root, "memory", "memory.limit_in_bytes"), "");
    mkdirSync(join(root, "pids"));
    writeFileSync(join(root, "pids", "cgroup.procs"), "");
    mkdirSync(join(root, "cpu"));
    writeFileSync(join(root, "cpu", "cpu.cfs_quota_us"), "");
    const support = detectCgroupSupport(root);
    expect(support).toEqual({ kind: "v1", root, controllers: ["memory", "pids", "cpu"] });
    const created = await createSandboxCgroups(support, "htag", "lsb-0123456789ab", limits);
    const at = (controller: string) => join(root, controller, "daytona-kit", "htag", "lsb-0123456789ab");
    expect(created.dirs).toEqual([at("memory"), at("pids"), at("cpu")]);
    expect(read(join(at("memory"), "memory.limit_in_bytes"))).toBe(String(1024 ** 3));
    expect(read(join(at("pids"), "pids.max"))).toBe("512");
    expect(read(join(at("cpu"), "cpu.cfs_quota_us"))).toBe("150000");
    expect(read(join(at("cpu"), "cpu.cfs_period_us"))).toBe("100000");
  });

  it("says why when no memory controller exists", () => {
    expect(detectCgroupSupport(fakeRoot()).kind).toBe("none");
  });
});

describe("homeTag", () => {
  it("names two homes differently and one home the same every time", () => {
    expect(homeTag("/a")).toBe(homeTag("/a"));
    expect(homeTag("/a")).not.toBe(homeTag("/b"));
    expect(homeTag("/a")).toMatch(/^h[0-9a-f]{10}$/);
  });
});
