import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytes, cleanup, IMAGE_BUILD_MS, skipReason, testDriver, text } from "./helpers.js";

describe.skipIf(skipReason !== undefined)("local driver files (real sandboxes)", () => {
  const { driver, labels } = testDriver("files");
  let id = "";
  const hostSecret = join(tmpdir(), `dk-secret-${randomBytes(4).toString("hex")}`);

  beforeAll(async () => {
    writeFileSync(hostSecret, "host secret");
    const created = await driver.create({ labels, timeoutMs: 30_000 });
    if (created.isErr()) throw new Error(created.error.message);
    id = created.value.id;
  }, IMAGE_BUILD_MS);
  afterAll(async () => {
    rmSync(hostSecret, { force: true });
    await cleanup(driver, labels);
  }, 60_000);

  const sh = async (command: string) =>
    (await driver.exec(id, { command, timeoutMs: 20_000 }))._unsafeUnwrap();

  it("uploads bytes (creating parents) that commands inside read back", async () => {
    const uploaded = await driver.uploadFiles(id, [
      { path: "/workspace/deep/a/b/hello.txt", data: bytes("hello ünïcode\n") },
      { path: "/workspace/bin.dat", data: new Uint8Array([0, 1, 2, 255]) },
    ]);
    expect(uploaded.isOk()).toBe(true);
    expect((await sh("cat deep/a/b/hello.txt")).output).toBe("hello ünïcode\n");
    expect((await sh("od -An -tu1 bin.dat")).output.trim().split(/\s+/)).toEqual(["0", "1", "2", "255"]);
  });

  it("downloads files with a per-path NotFound for missing ones", async () => {
    await sh("printf 'made inside' > /workspace/inside.txt");
    const outcomes = (
      await driver.downloadFiles(id, ["/workspace/inside.txt", "/workspace/nope.txt"])
    )._unsafeUnwrap();
    expect(outcomes[0]?.ok && text(outcomes[0].data)).toBe("made inside");
    expect(outcomes[1]).toMatchObject({
      path: "/workspace/nope.txt",
      ok: false,
      error: { kind: "NotFound" },
    });
  });

  it("keeps an existing file's mode when overwriting it", async () => {
    await sh("printf '#!/bin/sh\\necho v1\\n' > run.sh && chmod 755 run.sh");
    await driver.uploadFiles(id, [{ path: "/workspace/run.sh", data: bytes("#!/bin/sh\necho v2\n") }]);
    expect(await sh("./run.sh")).toMatchObject({ exitCode: 0, output: "v2\n" });
  });

  it("lists a directory and describes files and folders", async () => {
    await sh("rm -rf listing && mkdir -p listing/sub && printf 12345 > listing/five.txt");
    const entries = (await driver.listFiles(id, "/workspace/listing"))._unsafeUnwrap();
    expect(entries.map((e) => [e.name, e.path, e.isDir])).toEqual([
      ["five.txt", "/workspace/listing/five.txt", false],
      ["sub", "/workspace/listing/sub", true],
    ]);
    const info = (await driver.fileInfo(id, "/workspace/listing/five.txt"))._unsafeUnwrap();
    expect(info).toMatchObject({ name: "five.txt", isDir: false, size: 5, mode: "644" });
    const missing = await driver.fileInfo(id, "/workspace/listing/none");
    expect(missing.isErr() && missing.error.kind).toBe("NotFound");
  });

  it("creates folders with parents and mode, deletes and moves", async () => {
    expect((await driver.createFolder(id, "/workspace/made/x/y", "750")).isOk()).toBe(true);
    expect((await driver.createFolder(id, "/workspace/made/x/y", "750")).isOk()).toBe(true);
    expect((await sh("stat -c %a made/x/y")).output).toBe("750\n");
    await driver.uploadFiles(id, [{ path: "/workspace/made/x/file.txt", data: bytes("move me") }]);
    expect(
      (await driver.moveFile(id, "/workspace/made/x/file.txt", "/workspace/made/moved.txt")).isOk(),
    ).toBe(true);
    expect((await sh("cat made/moved.txt; test -e made/x/file.txt || echo gone")).output).toBe(
      "move megone\n",
    );
    const notEmpty = await driver.deleteFile(id, "/workspace/made", false);
    expect(notEmpty.isErr() && notEmpty.error.kind).toBe("InvalidArgument");
    expect((await driver.deleteFile(id, "/workspace/made/moved.txt", false)).isOk()).toBe(true);
    expect((await driver.deleteFile(id, "/workspace/made", true)).isOk()).toBe(true);
    expect((await sh("test -e made || echo gone")).output).toBe("gone\n");
    const again = await driver.deleteFile(id, "/workspace/made", true);
    expect(again.isErr() && again.error.kind).toBe("NotFound");
  });

  it("streams a local file in with uploadLocalFile", async () => {
    const local = join(tmpdir(), `dk-local-${randomBytes(4).toString("hex")}`);
    writeFileSync(local, "from the host disk");
    try {
      expect((await driver.uploadLocalFile(id, local, "/workspace/local-copy.txt")).isOk()).toBe(true);
      expect((await sh("cat local-copy.txt")).output).toBe("from the host disk");
      const missing = await driver.uploadLocalFile(id, `${local}-missing`, "/workspace/x");
      expect(missing.isErr() && missing.error.kind).toBe("NotFound");
    } finally {
      rmSync(local, { force: true });
    }
  });

  it("never lets a symlink inside the sandbox reach the host's files", async () => {
    // Absolute and relative links that would point at host paths if followed from the host.
    await sh(
      `ln -sfn /etc /workspace/evil && ln -sfn ${hostSecret} /workspace/leak && ln -sfn ../../../../../../../..${hostSecret} /workspace/leak2`,
    );
    const marker = `dk-marker-${randomBytes(4).toString("hex")}`;
    expect(
      (await driver.uploadFiles(id, [{ path: `/workspace/evil/${marker}`, data: bytes("inside") }])).isOk(),
    ).toBe(true);
    // It landed in the sandbox's /etc, not the host's.
    expect(existsSync(`/etc/${marker}`)).toBe(false);
    expect((await sh(`cat /etc/${marker}`)).output).toBe("inside");
    const reads = (await driver.downloadFiles(id, ["/workspace/leak", "/workspace/leak2"]))._unsafeUnwrap();
    expect(reads.map((r) => r.ok)).toEqual([false, false]);
    expect(reads[0]).toMatchObject({ ok: false, error: { kind: "NotFound" } });
    // Writing through the link creates the file in the sandbox, leaving the host file alone.
    await driver.uploadFiles(id, [{ path: "/workspace/leak", data: bytes("overwritten?") }]);
    expect(readFileSync(hostSecret, "utf8")).toBe("host secret");
    const hostEtc = (await driver.listFiles(id, "/workspace/evil"))._unsafeUnwrap().map((e) => e.name);
    expect(hostEtc).toContain(marker);
    // Deleting through a link removes the link, not its target.
    expect((await driver.deleteFile(id, "/workspace/evil", false)).isOk()).toBe(true);
    expect((await sh(`cat /etc/${marker}`)).output).toBe("inside");
    expect(existsSync("/etc/passwd")).toBe(true);
  });

  it("refuses file operations on a stopped sandbox with Conflict", async () => {
    const other = (await driver.create({ labels, timeoutMs: 30_000 }))._unsafeUnwrap();
    await driver.stop(other.id, { timeoutMs: 20_000 });
    const listed = await driver.listFiles(other.id, "/workspace");
    expect(listed.isErr() && listed.error.kind).toBe("Conflict");
  });
});
