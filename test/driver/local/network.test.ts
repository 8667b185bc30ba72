/**
 * Each local sandbox has its own network, as on Daytona: two sandboxes run PostgreSQL on 5432 and Redis on 6379 at
 * once (through the real provisioners), each reached from the host through its own preview forwarder; a third
 * sandbox's 127.0.0.1 is its own; egress works from inside (apt, npm); the host gains no address and no listener
 * outside 127.0.0.1; delete leaves no network helper behind.
 */
import { execFile, spawn } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { promisify } from "node:util";
import pg from "pg";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kitHome, sandboxPaths } from "../../../src/driver/local/layout.js";
import { type NetRecord, netPaths } from "../../../src/driver/local/net-helpers.js";
import { createExec } from "../../../src/exec/exec.js";
import { createSandboxFs } from "../../../src/fs/fs.js";
import { createProvisioner } from "../../../src/provision/index.js";
import { cleanup, IMAGE_BUILD_MS, skipReason, testDriver } from "./helpers.js";

const run = promisify(execFile);
const hostAddresses = async () =>
  (await run("ip", ["-o", "addr"])).stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .sort();

describe.skipIf(skipReason !== undefined)("local sandbox networks (real sandboxes)", () => {
  const { driver, labels } = testDriver("network");
  const boxes: { id: string; pgUrl: string; redisUrl: string }[] = [];
  let third = "";
  let addressesBefore: string[] = [];

  const sh = async (id: string, command: string, timeoutMs = 60_000) => {
    const result = await driver.exec(id, { command, timeoutMs });
    if (result.isErr()) throw new Error(result.error.message);
    return result.value;
  };
  /** A URL valid inside sandbox `id`, rewritten to the host side of that sandbox's forwarder. */
  const fromHost = async (id: string, url: string): Promise<string> => {
    const inside = new URL(url);
    const outside = new URL((await driver.previewLink(id, Number(inside.port)))._unsafeUnwrap().url);
    inside.hostname = outside.hostname;
    inside.port = outside.port;
    return inside.toString();
  };
  const record = (id: string): NetRecord =>
    JSON.parse(readFileSync(netPaths(sandboxPaths(kitHome(), id)).record, "utf8")) as NetRecord;
  const helperPids = (id: string): number[] => {
    const net = record(id);
    return [net.egress, ...net.forwards.map((forward) => forward.process)]
      .filter((helper) => helper !== undefined)
      .map((helper) => helper.pid);
  };
  /** Processes working in the net/ folder of sandbox `id` (every helper does). */
  const workingIn = (id: string): number[] => {
    const dir = netPaths(sandboxPaths(kitHome(), id)).dir;
    return readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .filter((name) => {
        try {
          return readlinkSync(`/proc/${name}/cwd`).startsWith(dir);
        } catch {
          return false;
        }
      })
      .map(Number);
  };

  beforeAll(async () => {
    addressesBefore = await hostAddresses();
    const prepared = await driver.prepare(["node:20-slim", "python:3.12-slim-bookworm"]);
    expect(prepared.isOk()).toBe(true);
    const created = await Promise.all(
      ["node:20-slim", "node:20-slim", "python:3.12-slim-bookworm"].map((image) =>
        driver.create({ image, labels, timeoutMs: 60_000 }),
      ),
    );
    const [a, b, c] = created.map((box) => box._unsafeUnwrap().id);
    third = c!;
    // Both sandboxes install and start PostgreSQL and Redis on their default ports at the same time.
    const provisioned = await Promise.all(
      [a!, b!].map(async (id) => {
        const exec = createExec({ driver, sandboxId: id });
        const fs = createSandboxFs({ driver, sandboxId: id, exec });
        const provision = createProvisioner({ exec, writeText: (path, text) => fs.writeText(path, text) });
        const done = await provision.all({ postgres: { database: "app" }, redis: {} });
        if (done.isErr()) throw new Error(`${id}: ${done.error.message}`);
        return { id, pgUrl: done.value.postgres!.url, redisUrl: done.value.redis!.url };
      }),
    );
    boxes.push(...provisioned);
  }, IMAGE_BUILD_MS);
  afterAll(() => cleanup(driver, labels), 120_000);

  it("runs PostgreSQL on 5432 and Redis on 6379 in two sandboxes at once, each reached through its own forwarder", async () => {
    expect(boxes.map((box) => [box.pgUrl, box.redisUrl])).toEqual([
      ["postgresql://postgres@localhost:5432/app", "redis://127.0.0.1:6379"],
      ["postgresql://postgres@localhost:5432/app", "redis://127.0.0.1:6379"],
    ]);
    const hostUrls = await Promise.all(
      boxes.map(async (box) => ({
        id: box.id,
        pg: await fromHost(box.id, box.pgUrl),
        redis: await fromHost(box.id, box.redisUrl),
      })),
    );
    // Four different host ports, all on the host's loopback.
    const ports = hostUrls.flatMap((urls) => [new URL(urls.pg).port, new URL(urls.redis).port]);
    expect(new Set(ports).size).toBe(4);
    for (const urls of hostUrls) {
      expect(new URL(urls.pg).hostname).toBe("127.0.0.1");
      const db = new pg.Client({ connectionString: urls.pg });
      await db.connect();
      try {
        await db.query("CREATE TABLE IF NOT EXISTS owner (id text)");
        await db.query("INSERT INTO owner (id) VALUES ($1)", [urls.id]);
      } finally {
        await db.end();
      }
      const cache = createClient({ url: urls.redis });
      await cache.connect();
      try {
        await cache.set("owner", urls.id);
      } finally {
        await cache.quit();
      }
    }
    // Each server kept its own data: the writes went to two different PostgreSQL and Redis servers.
    for (const urls of hostUrls) {
      const db = new pg.Client({ connectionString: urls.pg });
      await db.connect();
      try {
        const rows = await db.query<{ id: string }>("SELECT id FROM owner");
        expect(rows.rows.map((row) => row.id)).toEqual([urls.id]);
      } finally {
        await db.end();
      }
      const cache = createClient({ url: urls.redis });
      await cache.connect();
      try {
        expect(await cache.get("owner")).toBe(urls.id);
      } finally {
        await cache.quit();
      }
      // The same port gives the same URL while the sandbox runs.
      expect(await fromHost(urls.id, "redis://127.0.0.1:6379")).toBe(urls.redis);
    }
  }, 120_000);

  it("gives a third sandbox its own loopback: the others' 5432 and the host's loopback are out of reach", async () => {
    const probe = (target: string) =>
      `if (exec 3<>/dev/tcp/${target}) 2>/dev/null; then echo open; else echo closed; fi`;
    const [first] = boxes;
    // Control: inside its own sandbox the port is open.
    expect((await sh(first!.id, probe("127.0.0.1/5432"))).output).toBe("open\n");
    expect((await sh(third, probe("127.0.0.1/5432"))).output).toBe("closed\n");
    expect((await sh(third, probe("127.0.0.1/6379"))).output).toBe("closed\n");
    // Nor through the first sandbox's forwarder on the host's loopback (slirp4netns --disable-host-loopback).
    const hostPort = new URL(await fromHost(first!.id, first!.pgUrl)).port;
    expect((await sh(third, probe(`127.0.0.1/${hostPort}`))).output).toBe("closed\n");
    expect((await sh(third, probe(`10.0.2.2/${hostPort}`))).output).toBe("closed\n");
  }, 60_000);

  it("has egress from inside: apt-get update and npm view vite version answer, DNS through 10.0.2.3", async () => {
    const [first] = boxes;
    expect((await sh(first!.id, "cat /etc/resolv.conf")).output).toBe("nameserver 10.0.2.3\n");
    const interfaces = await sh(first!.id, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort");
    expect(interfaces.output).toBe("lo\ntap0\n");
    const apt = await sh(first!.id, "apt-get update", 180_000);
    expect(apt.exitCode, apt.output).toBe(0);
    const npm = await sh(first!.id, "npm view vite version", 120_000);
    expect(npm.exitCode, npm.output).toBe(0);
    // The first line is the version (npm may add notices after it).
    expect(npm.output.split("\n")[0]).toMatch(/^\d+\.\d+\.\d+$/);
  }, 360_000);

  it("adds no address to the host, and its helpers listen on the host's 127.0.0.1 only", async () => {
    expect(await hostAddresses()).toEqual(addressesBefore);
    const ours = new Set(boxes.flatMap((box) => helperPids(box.id)));
    const listeners = (await run("ss", ["-ltnpH"])).stdout
      .split("\n")
      .filter((line) => [...line.matchAll(/pid=(\d+)/g)].some((match) => ours.has(Number(match[1]))));
    // Two forwarders per sandbox (5432, 6379), each on 127.0.0.1; slirp4netns listens on nothing.
    expect(listeners).toHaveLength(4);
    // Columns without a header: state, recv-q, send-q, local address, peer address, process.
    for (const line of listeners) expect(line.split(/\s+/)[3]).toMatch(/^127\.0\.0\.1:\d+$/);
  }, 60_000);

  it("leaves no slirp4netns or forwarder process and no address after delete", async () => {
    const ids = [...boxes.map((box) => box.id), third];
    const helpers = ids.flatMap((id) => helperPids(id));
    expect(helpers.length).toBe(3 + 4);
    for (const id of ids) expect(workingIn(id).length).toBeGreaterThan(0);
    // A helper whose pid never reached the record (its caller was killed right after the spawn) is found too.
    const unrecorded = spawn("sleep", ["300"], {
      cwd: netPaths(sandboxPaths(kitHome(), third)).dir,
      detached: true,
      stdio: "ignore",
    });
    unrecorded.unref();
    helpers.push(unrecorded.pid!);
    for (const id of ids) expect((await driver.delete(id, { timeoutMs: 60_000 })).isOk()).toBe(true);
    // Alive = exists and is not a zombie waiting for its parent (this process, for the unrecorded sleep).
    const alive = helpers.filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
    for (const id of ids) expect(workingIn(id)).toEqual([]);
    expect(await hostAddresses()).toEqual(addressesBefore);
  }, 120_000);
});
