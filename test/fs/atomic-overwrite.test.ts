/**
 * Atomic writes replace an existing file on every driver. Daytona's daemon refuses to move onto an existing path
 * (409 "destination already exists"), so an atomic write cannot be a plain move of the temp file there.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KitSandbox } from "../../src/sandbox/handle.js";
import { type EmulatedDaytona, startEmulatedDaytona } from "../support/emulated-daytona.js";
import { emulatedKit } from "../support/emulated-kit.js";

let env: EmulatedDaytona;
let sandbox: KitSandbox;
beforeAll(async () => {
  env = startEmulatedDaytona();
  sandbox = (await emulatedKit(env).kit.ensure({ projectId: "atomic-overwrite" }))._unsafeUnwrap();
});
afterAll(() => env.close());

describe("atomic writes over an existing file (Daytona)", () => {
  it("writeText({ atomic: true }) replaces the file", async () => {
    expect((await sandbox.fs.writeText("a.txt", "one", { atomic: true })).isOk()).toBe(true);
    const second = await sandbox.fs.writeText("a.txt", "two", { atomic: true });
    expect(second.isOk() ? "ok" : second.error).toBe("ok");
    expect((await sandbox.fs.readText("a.txt"))._unsafeUnwrap()).toBe("two");
  });

  it("writeJson replaces the file", async () => {
    expect((await sandbox.fs.writeJson("c.json", { v: 1 })).isOk()).toBe(true);
    const second = await sandbox.fs.writeJson("c.json", { v: 2 });
    expect(second.isOk() ? "ok" : second.error).toBe("ok");
    expect((await sandbox.fs.readJson("c.json"))._unsafeUnwrap()).toEqual({ v: 2 });
  });
});
