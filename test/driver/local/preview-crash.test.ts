/**
 * Preview forwarders are crash-consistent: a process asking for previews is SIGKILLed at random moments (while
 * forwarders are being spawned and recorded); afterwards every forwarded port has exactly one forwarder, on the host
 * port recorded for it, that reaches the sandbox; delete leaves no forwarder and no listener behind.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kitHome, sandboxPaths } from "../../../src/driver/local/layout.js";
import { type NetRecord, netPaths } from "../../../src/driver/local/net-helpers.js";
import { cleanup, IMAGE_BUILD_MS, skipReason, testDriver } from "./helpers.js";

const FIRST_PORT = 7000;
const PORTS = 6;
const TRIES = 20;

describe.skipIf(skipReason !== undefined)(
  "preview forwarders under SIGKILL of the caller (real sandbox)",
  () => {
    const { driver, labels } = testDriver("preview-crash");
    let id = "";

    beforeAll(async () => {
      const created = await driver.create({ image: "python:3.12-slim-bookworm", labels, timeoutMs: 60_000 });
      id = created._unsafeUnwrap().id;
    }, IMAGE_BUILD_MS);
    afterAll(() => cleanup(driver, labels), 60_000);

    const netDir = () => netPaths(sandboxPaths(kitHome(), id)).dir;
    /** Listening helper processes (the forwarders' leaders) with the host port each listens on. */
    const forwarders = (): { pid: number; hostPort: number }[] =>
      readdirSync("/proc")
        .filter((name) => /^\d+$/.test(name))
        .flatMap((name) => {
          try {
            if (readlinkSync(`/proc/${name}/cwd`) !== netDir()) return [];
            const args = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
            const listen = args.find((arg) => arg.startsWith("TCP-LISTEN:"));
            const stat = readFileSync(`/proc/${name}/stat`, "utf8");
            const pgid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
            // The leader only (forked connection handlers share its command line and process group).
            return listen && pgid === Number(name)
              ? [{ pid: Number(name), hostPort: Number(listen.slice(11).split(",")[0]) }]
              : [];
          } catch {
            return [];
          }
        });

    it("keeps one forwarder per port on its recorded host port after random SIGKILLs, and none after delete", async () => {
      const child = join(import.meta.dirname, "fixtures/preview-child.ts");
      for (let attempt = 0; attempt < TRIES; attempt++) {
        const caller = spawn(
          process.execPath,
          ["--import", "tsx", child, id, String(FIRST_PORT), String(PORTS)],
          {
            cwd: join(import.meta.dirname, "../../.."),
            stdio: "ignore",
          },
        );
        // Node and tsx start in ~0.5-1.5 s on a loaded machine; each preview then takes a few tens of ms.
        await sleep(300 + Math.random() * 2_500);
        caller.kill("SIGKILL");
        await new Promise((done) =>
          caller.exitCode !== null || caller.signalCode !== null
            ? done(undefined)
            : caller.once("exit", done),
        );
      }
      await sh(`cd /tmp && (python3 -m http.server ${FIRST_PORT} --bind 127.0.0.1 >/dev/null 2>&1 &)`);
      // Every port asked for again: same host port as recorded, exactly one forwarder each.
      const urls = new Map<number, string>();
      for (let port = FIRST_PORT; port < FIRST_PORT + PORTS; port++) {
        urls.set(port, (await driver.previewLink(id, port))._unsafeUnwrap().url);
      }
      const record = JSON.parse(
        readFileSync(netPaths(sandboxPaths(kitHome(), id)).record, "utf8"),
      ) as NetRecord;
      expect(record.forwards.map((forward) => forward.port).sort()).toEqual([...urls.keys()]);
      for (const forward of record.forwards) {
        expect(urls.get(forward.port)).toBe(`http://127.0.0.1:${forward.hostPort}`);
      }
      const listening = forwarders();
      expect(listening.map((f) => f.hostPort).sort()).toEqual(record.forwards.map((f) => f.hostPort).sort());
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = await fetch(urls.get(FIRST_PORT)!, { signal: AbortSignal.timeout(5_000) }).then(
          (r) => r.status,
          () => 0,
        );
        if (status !== 200) await sleep(100);
      }
      expect(status).toBe(200);

      expect((await driver.delete(id, { timeoutMs: 60_000 })).isOk()).toBe(true);
      expect(listening.filter(({ pid }) => running(pid))).toEqual([]);
      expect(forwarders()).toEqual([]);
      for (const url of urls.values()) await expect(fetch(url)).rejects.toThrow();
    }, 300_000);

    /** Exists and is not a zombie waiting for its parent. */
    const running = (pid: number): boolean => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
      } catch {
        return false;
      }
    };
    const sh = async (command: string) => {
      const result = await driver.exec(id, { command, timeoutMs: 20_000 });
      if (result.isErr()) throw new Error(result.error.message);
      return result.value;
    };
  },
);
