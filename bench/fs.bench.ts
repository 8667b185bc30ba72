/**
 * Filesystem benchmark: the facade against naive raw-SDK loops, through the real `@daytonaio/sdk` talking to the
 * emulator with a fixed latency per request (so round trips, not CPU, dominate, as they do against Daytona).
 *
 *   npx tsx bench/fs.bench.ts
 *
 * Prints times and ratios; it asserts nothing.
 */
import { Daytona } from "@daytonaio/sdk";
import { createDaytonaDriver } from "../src/driver/daytona/index.js";
import { createExec } from "../src/exec/exec.js";
import { createSandboxFs } from "../src/fs/fs.js";
import { createDaytonaEmulator } from "../src/testing/index.js";

const LATENCY_MS = 20;
const FILES = 500;
const FILE_BYTES = 1024;
const SINGLE_RUNS = 50;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function time(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

async function main(): Promise<void> {
  const emulator = createDaytonaEmulator({ latencyMs: LATENCY_MS });
  emulator.listen();
  const client = new Daytona(emulator.clientConfig("us"));
  const driver = createDaytonaDriver({ clients: { us: client as never }, targets: ["us"] });
  try {
    const created = await driver.create({ image: "node:20-slim", timeoutMs: 60_000 });
    if (created.isErr()) throw new Error(created.error.message);
    const sandboxId = created.value.id;
    const fs = createSandboxFs({ driver, sandboxId, exec: createExec({ driver, sandboxId }) });
    const sandbox = await client.get(sandboxId);
    const body = "x".repeat(FILE_BYTES);

    // Warm both paths once (SDK toolbox client, driver cache).
    await fs.writeText("warm.txt", body);
    await sandbox.fs.uploadFile(Buffer.from(body), "/workspace/warm-raw.txt");

    const entries = Array.from({ length: FILES }, (_, i) => ({ path: `batch/f${i}.txt`, text: body }));
    let requests = 0;
    const facadeMs = await time(async () => {
      const report = (await fs.writeFiles(entries))._unsafeUnwrap();
      if (!report.complete) throw new Error(`batch failed: ${report.failed[0]?.error.message}`);
      requests = report.requests;
    });
    const rawMs = await time(async () => {
      for (let i = 0; i < FILES; i++)
        await sandbox.fs.uploadFile(Buffer.from(body), `/workspace/raw/f${i}.txt`);
    });

    const single: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < SINGLE_RUNS; i++) {
      single.push(await time(async () => (await fs.writeText(`one/f${i}.txt`, body))._unsafeUnwrap()));
      raw.push(await time(() => sandbox.fs.uploadFile(Buffer.from(body), `/workspace/one-raw/f${i}.txt`)));
    }

    const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
    console.log(`emulator latency: ${LATENCY_MS} ms per request`);
    console.log(`\n${FILES} × ${FILE_BYTES} B files`);
    console.log(`  fs.writeFiles (${requests} bulk requests, 4 in flight): ${fmt(facadeMs)}`);
    console.log(`  raw SDK uploadFile loop (${FILES} sequential requests): ${fmt(rawMs)}`);
    console.log(`  speed-up: ${(rawMs / facadeMs).toFixed(1)}×`);
    console.log(`\none ${FILE_BYTES} B file, median of ${SINGLE_RUNS} runs`);
    console.log(`  fs.writeText: ${fmt(median(single))}`);
    console.log(`  raw SDK uploadFile: ${fmt(median(raw))}`);
    console.log(`  facade / raw: ${(median(single) / median(raw)).toFixed(2)}`);
  } finally {
    await driver.dispose();
    emulator.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
