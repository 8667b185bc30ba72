/**
 * Runs every benchmark, one after another, each in its own process (msw and the local driver stay isolated).
 *
 *   npm run bench
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const benches = readdirSync(here)
  .filter((name) => name.endsWith(".bench.ts"))
  .sort();
let failed = 0;
for (const bench of benches) {
  console.log(`\n=== ${bench} ===`);
  const run = spawnSync(process.execPath, ["--import", "tsx", join(here, bench)], { stdio: "inherit" });
  if (run.status !== 0) {
    failed += 1;
    console.log(`${bench} exited with ${run.status}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
