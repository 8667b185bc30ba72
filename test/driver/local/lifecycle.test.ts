import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kitHome } from "../../../src/driver/local/index.js";
import { cleanup, IMAGE_BUILD_MS, skipReason, testDriver } from "./helpers.js";

const PORT = 18_431;
const run = promisify(execFile);

describe.skipIf(skipReason !== undefined)("local driver lifecycle (real sandboxes)", () => {
  const { driver, labels } = testDriver("lifecycle");

  beforeAll(async () => {
    const prepared = await driver.prepare(["python:3.12-slim-bookworm"]);
    expect(prepared.isOk()).toBe(true);
  }, IMAGE_BUILD_MS);
  afterAll(() => cleanup(driver, labels), 60_000);

  const create = async (extra: Record<string, string> = {}) => {
    const created = await driver.create({
      image: "python:3.12-slim-bookworm",
      labels: { ...labels, ...extra },
      timeoutMs: 30_000,
    });
    if (created.isErr()) throw new Error(created.error.message);
    return created.value;
  };
  const sh = async (id: string, command: string) => {
    const result = await driver.exec(id, { command, timeoutMs: 20_000 });
    if (result.isErr()) throw new Error(result.error.message);
    return result.value;
  };

  it("creates a started Debian bookworm sandbox without ps, curl or git", async () => {
    const box = await create();
    expect(box).toMatchObject({ state: "started", target: "local", memoryGiB: 1 });
    expect(box.id).toMatch(/^lsb-[0-9a-f]{12}$/);
    expect((await sh(box.id, "cat /etc/os-release")).output).toContain("bookworm");
    const tools = await sh(
      box.id,
      "for t in ps curl git python3; do command -v $t >/dev/null && echo has-$t || echo no-$t; done",
    );
    expect(tools.output.split("\n")).toEqual(["no-ps", "no-curl", "no-git", "has-python3", ""]);
    expect((await sh(box.id, "pwd; ls -d /workspace; echo $$")).output).toMatch(
      /^\/workspace\n\/workspace\n\d+\n$/,
    );
  });

  it("keeps two sandboxes' files and processes apart", async () => {
    const [a, b] = await Promise.all([create(), create()]);
    await sh(a.id, "echo from-a > /workspace/who.txt");
    await sh(b.id, "echo from-b > /workspace/who.txt");
    expect((await sh(a.id, "cat /workspace/who.txt")).output).toBe("from-a\n");
    expect((await sh(b.id, "cat /workspace/who.txt")).output).toBe("from-b\n");
    await sh(a.id, "nohup sleep 377 >/dev/null 2>&1 &");
    const cmdlines = "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f; echo; done";
    // b's PID namespace cannot see a's sleep.
    expect((await sh(b.id, cmdlines)).output).not.toContain("sleep 377");
    expect((await sh(a.id, cmdlines)).output).toContain("sleep 377");
  });

  it("serves a background server through its preview URL, stops it on stop, keeps files, starts again", async () => {
    const box = await create();
    await sh(box.id, "mkdir -p site && echo hello-preview > site/index.html");
    const started = await sh(
      box.id,
      `cd site && nohup python3 -m http.server ${PORT} --bind 127.0.0.1 > /tmp/http.log 2>&1 &`,
    );
    expect(started.exitCode).toBe(0);
    const link = await driver.previewLink(box.id, PORT);
    expect(link.isOk() && link.value.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The sandbox's port is on its own loopback, not the host's.
    await expect(fetch(`http://127.0.0.1:${PORT}/`)).rejects.toThrow();
    const tokenBefore = link._unsafeUnwrap().token;
    let body = "";
    for (let i = 0; i < 50 && body === ""; i++) {
      body = await fetch(`${link._unsafeUnwrap().url}/index.html`).then(
        (r) => r.text(),
        () => "",
      );
      if (body === "") await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toBe("hello-preview\n");

    const stopped = await driver.stop(box.id, { timeoutMs: 20_000 });
    expect(stopped.isOk() && stopped.value.state).toBe("stopped");
    await expect(fetch(link._unsafeUnwrap().url)).rejects.toThrow();
    const refused = await driver.exec(box.id, { command: "true", timeoutMs: 5_000 });
    expect(refused.isErr() && refused.error.kind).toBe("Conflict");

    const again = await driver.start(box.id, { timeoutMs: 20_000 });
    expect(again.isOk() && again.value.state).toBe("started");
    expect((await sh(box.id, "cat site/index.html")).output).toBe("hello-preview\n");
    const after = (await driver.previewLink(box.id, PORT))._unsafeUnwrap();
    expect(after.token).not.toBe(tokenBefore);
    // start restored the forwarder on the same host port: the old URL serves the restarted server.
    expect(after.url).toBe(link._unsafeUnwrap().url);
    await sh(
      box.id,
      `cd site && nohup python3 -m http.server ${PORT} --bind 127.0.0.1 > /tmp/http.log 2>&1 &`,
    );
    let served = "";
    for (let i = 0; i < 50 && served === ""; i++) {
      served = await fetch(`${after.url}/index.html`).then(
        (r) => r.text(),
        () => "",
      );
      if (served === "") await new Promise((r) => setTimeout(r, 100));
    }
    expect(served).toBe("hello-preview\n");
  });

  it("deletes a sandbox: no mount left in /proc/mounts and its directory gone", async () => {
    const box = await create();
    const dir = join(kitHome(), "sandboxes", box.id);
    expect(readFileSync("/proc/mounts", "utf8")).toContain(dir);
    await sh(box.id, "nohup sleep 300 >/dev/null 2>&1 &");
    const deleted = await driver.delete(box.id, { timeoutMs: 20_000 });
    expect(deleted.isOk()).toBe(true);
    expect(readFileSync("/proc/mounts", "utf8")).not.toContain(dir);
    expect(existsSync(dir)).toBe(false);
    const gone = await driver.get(box.id);
    expect(gone.isErr() && gone.error.kind).toBe("NotFound");
    const again = await driver.delete(box.id, { timeoutMs: 5_000 });
    expect(again.isErr() && again.error.kind).toBe("NotFound");
  });

  it("is visible to a second Node process, which lists the same sandboxes", async () => {
    const box = await create({ "second-process": "yes" });
    const script = join(import.meta.dirname, "fixtures/list-sandboxes.ts");
    const { stdout } = await run(process.execPath, ["--import", "tsx", script, "second-process", "yes"], {
      cwd: join(import.meta.dirname, "../../.."),
    });
    const listed = JSON.parse(stdout) as [string, string][];
    expect(listed.filter(([id]) => id === box.id)).toEqual([[box.id, "started"]]);
  });

  it("replaces labels and filters list by them", async () => {
    const box = await create({ role: "old" });
    const set = await driver.setLabels(box.id, { ...labels, role: "new" });
    expect(set.isOk() && set.value.role).toBe("new");
    const byNew = await driver.list({ labels: { ...labels, role: "new" } });
    expect(byNew._unsafeUnwrap().map((b) => b.id)).toEqual([box.id]);
    const byOld = await driver.list({ labels: { ...labels, role: "old" } });
    expect(byOld._unsafeUnwrap()).toEqual([]);
  });

  it("honours create's deadline: Timeout, and nothing is left behind", async () => {
    const created = await driver.create({ labels: { ...labels, deadline: "tiny" }, timeoutMs: 1 });
    expect(created.isErr() && created.error.kind).toBe("Timeout");
    const left = await driver.list({ labels: { ...labels, deadline: "tiny" } });
    expect(left._unsafeUnwrap()).toEqual([]);
  });

  it("refuses unknown images with Unsupported naming the known ones", async () => {
    const created = await driver.create({ image: "mongo:7", timeoutMs: 5_000 });
    expect(created.isErr() && created.error.kind).toBe("Unsupported");
    expect(created.isErr() && created.error.message).toContain("python:3.12-slim-bookworm");
    expect(created.isErr() && created.error.message).toContain("node:20-slim");
  });
});
