import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExec } from "../../src/exec/exec.js";
import { createSandboxFs } from "../../src/fs/fs.js";
import type { SandboxFs } from "../../src/fs/types.js";
import { LOCAL_SETUP_MS, localSkipReason, startLocalSandbox } from "../contract/local-sandbox.js";

const MiB = 1024 * 1024;
const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

describe.skipIf(localSkipReason !== undefined)(
  `chunked upload of 20 MiB into a real local sandbox${localSkipReason ? ` (skipped: ${localSkipReason})` : ""}`,
  () => {
    let sandbox: Awaited<ReturnType<typeof startLocalSandbox>> | undefined;
    let fs: SandboxFs;
    const data = new Uint8Array(randomBytes(20 * MiB));

    beforeAll(async () => {
      sandbox = await startLocalSandbox("chunked");
      const { driver, sandboxId } = sandbox;
      fs = createSandboxFs({ driver, sandboxId, exec: createExec({ driver, sandboxId }) });
    }, LOCAL_SETUP_MS);
    afterAll(async () => {
      await sandbox?.cleanup();
    }, 60_000);

    it("is refused without chunked, before any request", async () => {
      expect((await fs.writeBytes("big/blob.bin", data))._unsafeUnwrapErr()).toMatchObject({
        kind: "PayloadTooLarge",
        bytes: 20 * MiB,
        limit: 5 * MiB,
      });
    });

    it("lands with its SHA-256 verified inside the sandbox, and leaves no parts behind", async () => {
      expect((await fs.writeBytes("big/blob.bin", data, { chunked: true })).isOk()).toBe(true);
      const inside = await createExec({ driver: sandbox!.driver, sandboxId: sandbox!.sandboxId })(
        "sha256sum big/blob.bin && stat -c %s big/blob.bin && ls -A big",
      );
      const [hashLine, size, ...names] = inside._unsafeUnwrap().output.trim().split("\n");
      expect(hashLine?.split(" ")[0]).toBe(sha256(data));
      expect(Number(size)).toBe(20 * MiB);
      expect(names).toEqual(["blob.bin"]);
      const back = (await fs.readBytes("big/blob.bin"))._unsafeUnwrap();
      expect(sha256(back)).toBe(sha256(data));
    });
  },
);
