/**
 * Shared setup of the local driver tests: why they skip, one driver, images built once, and cleanup by label.
 */
import { randomBytes } from "node:crypto";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { hasDebootstrap } from "../../../src/driver/local/host.js";
import { createLocalDriver, kitHome, type LocalDriver } from "../../../src/driver/local/index.js";

/** Why the real-sandbox tests cannot run here, or undefined when they can. */
export const skipReason: string | undefined =
  process.env.DAYTONA_KIT_LOCAL_TESTS === "off"
    ? "local-sandbox tests turned off (DAYTONA_KIT_LOCAL_TESTS=off)"
    : process.platform !== "linux"
      ? "local sandboxes need Linux"
      : process.getuid?.() !== 0
        ? "local sandboxes need root"
        : !hasDebootstrap()
          ? "debootstrap is missing (run scripts/setup-local.sh)"
          : undefined;

if (skipReason) console.warn(`[local driver tests skipped] ${skipReason}`);

/** How long building the base image may take on a cold machine. */
export const IMAGE_BUILD_MS = 600_000;

/**
 * Gives a test's private `home` the shared image cache: the default image is built once (in the default home) and
 * linked in, so the test counts only its own sandboxes, cgroups and mounts. `true` when the image is ready.
 */
export async function shareImagesInto(home: string): Promise<boolean> {
  const prepared = await createLocalDriver().prepare(["python:3.12-slim-bookworm"]);
  symlinkSync(join(kitHome(), "images"), join(home, "images"));
  return prepared.isOk();
}

/** A driver plus a label that marks every sandbox this test file creates. */
export function testDriver(file: string): { driver: LocalDriver; labels: Record<string, string> } {
  return {
    driver: createLocalDriver({ onProgress: (line) => process.stderr.write(`[image] ${line}\n`) }),
    labels: { "daytona-kit.test": `${file}-${randomBytes(3).toString("hex")}` },
  };
}

/** Deletes every sandbox carrying `labels` (afterAll, also after failures). */
export async function cleanup(driver: LocalDriver, labels: Record<string, string>): Promise<void> {
  const boxes = await driver.list({ labels });
  if (boxes.isErr()) return;
  for (const box of boxes.value) await driver.delete(box.id, { timeoutMs: 30_000 });
}

/** UTF-8 bytes of `text`. */
export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Text of UTF-8 `data`. */
export const text = (data: Uint8Array): string => new TextDecoder().decode(data);
