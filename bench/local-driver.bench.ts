/**
 * Local driver figures: base image build (cold with `--cold`, into a temporary DAYTONA_KIT_HOME; else the cached
 * image's record), warm sandbox create, and the exec round trip (median of 100 `true`).
 *
 *   npx tsx bench/local-driver.bench.ts [--cold]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Daytona } from "@daytonaio/sdk";
import { createDaytonaDriver } from "../src/driver/daytona/index.js";
import { readImageRecord } from "../src/driver/local/images.js";
import { createLocalDriver, ensureLocalImage, kitHome } from "../src/driver/local/index.js";
import { createDaytonaEmulator } from "../src/testing/index.js";

const cold = process.argv.includes("--cold");
const IMAGES = ["python:3.12-slim-bookworm", "node:20-slim"] as const;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const ms = (value: number): string => `${value.toFixed(1)} ms`;

async function main(): Promise<void> {
  const home = cold ? mkdtempSync(join(tmpdir(), "dk-bench-")) : kitHome();
  try {
    for (const image of IMAGES) {
      const started = performance.now();
      const built = await ensureLocalImage(image, { home, onProgress: () => undefined });
      if (built.isErr()) throw new Error(built.error.message);
      const took = performance.now() - started;
      if (built.value.built) console.log(`image build (cold) ${image}: ${(took / 1000).toFixed(1)} s`);
      else {
        const record = await readImageRecord(home, image);
        console.log(
          `image ${image}: cached (built ${record?.builtAt ?? "earlier"}; pass --cold to measure a build)`,
        );
      }
    }

    const driver = createLocalDriver({ home });
    const creates: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const box = await driver.create({ labels: { bench: "local-driver" }, timeoutMs: 30_000 });
      if (box.isErr()) throw new Error(box.error.message);
      creates.push(performance.now() - started);
      ids.push(box.value.id);
    }
    console.log(`sandbox create (warm, median of 5): ${ms(median(creates))}`);

    const id = ids[0]!;
    for (let i = 0; i < 5; i++) await driver.exec(id, { command: "true", timeoutMs: 10_000 });
    const round: number[] = [];
    for (let i = 0; i < 100; i++) {
      const started = performance.now();
      const run = await driver.exec(id, { command: "true", timeoutMs: 10_000 });
      if (run.isErr() || run.value.exitCode !== 0) throw new Error("exec failed");
      round.push(performance.now() - started);
    }
    console.log(`exec round trip (median of 100 \`true\`): ${ms(median(round))}`);
    const emulated = await emulatorExecMedian();
    console.log(
      `exec round trip on the emulator-backed Daytona driver (no added latency, median of 100): ${ms(emulated)}` +
        ` — local / emulator ratio ${(median(round) / emulated).toFixed(2)}×`,
    );

    const stops: number[] = [];
    const starts: number[] = [];
    for (const box of ids.slice(0, 3)) {
      let started = performance.now();
      await driver.stop(box, { timeoutMs: 30_000 });
      stops.push(performance.now() - started);
      started = performance.now();
      await driver.start(box, { timeoutMs: 30_000 });
      starts.push(performance.now() - started);
    }
    console.log(`stop / start (median of 3): ${ms(median(stops))} / ${ms(median(starts))}`);

    const deletes: number[] = [];
    for (const box of ids) {
      const started = performance.now();
      await driver.delete(box, { timeoutMs: 30_000 });
      deletes.push(performance.now() - started);
    }
    console.log(`sandbox delete (median of 5): ${ms(median(deletes))}`);
  } finally {
    if (cold) rmSync(home, { recursive: true, force: true });
  }
}

/** The same exec round trip through the real SDK and the msw emulator, for comparison. */
async function emulatorExecMedian(): Promise<number> {
  const emulator = createDaytonaEmulator();
  emulator.listen();
  const client = new Daytona(emulator.clientConfig("us"));
  const driver = createDaytonaDriver({ clients: { us: client as never }, targets: ["us"] });
  try {
    const box = await driver.create({ timeoutMs: 30_000 });
    if (box.isErr()) throw new Error(box.error.message);
    const times: number[] = [];
    for (let i = 0; i < 105; i++) {
      const started = performance.now();
      await driver.exec(box.value.id, { command: "true", timeoutMs: 10_000 });
      if (i >= 5) times.push(performance.now() - started);
    }
    return median(times);
  } finally {
    await driver.dispose();
    emulator.close();
  }
}

await main();
