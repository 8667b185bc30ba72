/**
 * Builds the local base images once, before any test file runs, so no test's timeout includes a multi-minute
 * debootstrap. Cached in DAYTONA_KIT_HOME (default ~/.cache/daytona-kit), so later runs take a second.
 * Where local sandboxes cannot run (not root, not Linux, no debootstrap) it does nothing: those tests skip.
 */
import { canBuildImages, ensureLocalImage } from "../src/driver/local/index.js";

export default async function buildLocalImages(): Promise<void> {
  if (process.env.DAYTONA_KIT_LOCAL_TESTS === "off") return;
  if (!canBuildImages()) {
    console.log("[global-setup] local sandboxes unavailable here: local-driver tests will skip");
    return;
  }
  for (const image of ["python:3.12-slim-bookworm", "node:20-slim"]) {
    const started = Date.now();
    const built = await ensureLocalImage(image);
    if (built.isErr()) throw new Error(`building the local image ${image} failed: ${built.error.message}`);
    console.log(`[global-setup] image ${image} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}
