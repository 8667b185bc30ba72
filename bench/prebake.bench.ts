/**
 * Prebaked environments on the local driver, for `{ git, postgres: { database: "app" }, redis }`:
 *   cold: `kit.ensure` of a new project + `sandbox.provision.all(spec)` (apt-get update + install every time);
 *   build: `kit.prebake(spec)` the first time (the layer is built once per machine);
 *   again: `kit.prebake(spec)` a second time (must build nothing: 0 exec round trips);
 *   warm: `kit.ensure({ projectId, prebaked: spec })` of new projects (sandbox from the layer + per-sandbox steps).
 * Targets (issue 15): warm ≤ 2 s and ≥ 10× faster than cold.
 *
 *   npx tsx bench/prebake.bench.ts [--warm 3]
 *
 * Needs root on Linux (local driver). Runs in a fresh home (the base images are shared from the default home), so
 * the layer is really built; everything is deleted at the end. The package download comes from the host's Debian
 * mirror, whose speed dominates the cold and build figures.
 */
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { Result } from "neverthrow";
import { createLocalDriver, kitHome } from "../src/driver/local/index.js";
import type { SandboxDriver } from "../src/driver/types.js";
import type { KitError } from "../src/errors.js";
import { createKit } from "../src/kit.js";

const warmIndex = process.argv.indexOf("--warm");
const WARM = warmIndex > 0 ? Number(process.argv[warmIndex + 1]) : 3;
const spec = { git: true, postgres: { database: "app" }, redis: true } as const;

const home = mkdtempSync(join(tmpdir(), "dk-bench-prebake-"));
const shared = await createLocalDriver().prepare(["python:3.12-slim-bookworm"]);
if (shared.isErr()) throw new Error(shared.error.message);
symlinkSync(join(kitHome(), "images"), join(home, "images"));

const local = createLocalDriver({ home, onImageProgress: () => undefined });
let roundTrips = 0;
const driver: SandboxDriver = {
  ...local,
  exec: (id, request) => {
    roundTrips += 1;
    return local.exec(id, request);
  },
};
const kit = createKit({ driver });
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
function must<T>(result: Result<T, KitError>, what: string): T {
  if (result.isErr()) throw new Error(`${what}: ${result.error.message}`);
  return result.value;
}

try {
  let started = performance.now();
  const coldBox = must(await kit.ensure({ projectId: "bench-cold" }), "cold ensure");
  const coldEnsure = performance.now() - started;
  must(await coldBox.provision.all(spec), "cold provision.all");
  const cold = performance.now() - started;
  const coldTrips = roundTrips;
  // Each measured sandbox is deleted once measured: its PostgreSQL and Redis must not slow the next measurement.
  must(await coldBox.delete(), "delete the cold sandbox");

  started = performance.now();
  let buildLines = 0;
  const built = must(await kit.prebake(spec, { onLog: () => buildLines++ }), "prebake");
  const buildMs = performance.now() - started;

  const before = roundTrips;
  started = performance.now();
  let againLines = 0;
  const again = must(await kit.prebake(spec, { onLog: () => againLines++ }), "second prebake");
  const againMs = performance.now() - started;
  const againTrips = roundTrips - before;

  const warm: { ms: number; trips: number }[] = [];
  for (let i = 0; i < WARM; i++) {
    const tripsBefore = roundTrips;
    started = performance.now();
    const box = must(await kit.ensure({ projectId: `bench-warm-${i}`, prebaked: spec }), "warm ensure");
    warm.push({ ms: performance.now() - started, trips: roundTrips - tripsBefore });
    const ping = must(await box.exec("redis-cli ping && psql -U postgres -d app -tAc 'select 1'"), "check");
    if (!/PONG\s+1/.test(ping.output)) throw new Error("services did not answer");
    must(await box.delete(), "delete a warm sandbox");
  }
  const warmMs = warm.map((w) => w.ms).sort((a, b) => a - b);
  const median = warmMs[Math.floor(warmMs.length / 2)]!;
  const layer = must(await kit.prebaked.list(), "list").find((entry) => entry.name === built.name);

  console.log(`prebaked environment { git, postgres: { database: "app" }, redis } on the local driver`);
  console.log(
    `  (${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")} at the end)`,
  );
  console.log(
    `  cold: ensure + provision.all:   ${seconds(cold)} (ensure ${seconds(coldEnsure)}, ${coldTrips} exec round trips)`,
  );
  console.log(
    `  prebake build (first time):     ${seconds(buildMs)} (built: ${built.built}, ${buildLines} log lines, layer ${((layer?.sizeBytes ?? 0) / 2 ** 20).toFixed(0)} MiB)`,
  );
  console.log(
    `  prebake again (same spec):      ${againMs.toFixed(0)} ms (built: ${again.built}, ${againTrips} exec round trips, ${againLines} log lines)`,
  );
  for (const [i, w] of warm.entries()) {
    console.log(`  warm ensure #${i + 1} from the layer:  ${seconds(w.ms)} (${w.trips} exec round trips)`);
  }
  console.log(`  warm median:                    ${seconds(median)}`);
  console.log(`  cold / warm:                    ${(cold / median).toFixed(1)}x`);
  console.log(
    `  targets: warm ≤ 2 s ${median <= 2_000 ? "met" : "MISSED"}; ≥ 10× ${cold / median >= 10 ? "met" : "MISSED"}; ` +
      `second prebake builds nothing ${!again.built && againTrips === 0 ? "met" : "MISSED"}`,
  );
} finally {
  await kit.dispose();
  await local.deleteAll();
  rmSync(home, { recursive: true, force: true });
}
