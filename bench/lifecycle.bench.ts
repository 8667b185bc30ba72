/**
 * Lifecycle benchmark on the emulator (real SDK through msw), all figures from one run:
 * - the overhead of `kit.ensure` on an existing started sandbox against the raw SDK's `daytona.get(id)`;
 * - the request count of each lifecycle operation.
 *
 *   npx tsx bench/lifecycle.bench.ts [--latency 20] [--runs 200]
 */
import { Daytona } from "@daytonaio/sdk";
import { createDaytonaDriver } from "../src/daytona.js";
import { createKit } from "../src/index.js";
import { createDaytonaEmulator } from "../src/testing/index.js";

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const latencyMs = arg("latency", 20);
const runs = arg("runs", 200);

const emulator = createDaytonaEmulator({ latencyMs });
emulator.listen();
const config = emulator.clientConfig("us");
const raw = new Daytona(config);
const driver = createDaytonaDriver({
  clients: { us: new Daytona(config) as never },
  targets: ["us"],
  apiKey: config.apiKey,
});
const kit = createKit({ driver, env: {} });

async function median(label: string, fn: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const value = times[Math.floor(times.length / 2)] ?? Number.NaN;
  console.log(`${label.padEnd(44)} median ${value.toFixed(2)} ms over ${runs} runs`);
  return value;
}

async function requestsOf(label: string, fn: () => unknown) {
  const before = emulator.requests.length;
  await fn();
  const made = emulator.requests.slice(before).map((r) => r.route);
  const counts = made.reduce<Record<string, number>>((acc, route) => {
    acc[route] = (acc[route] ?? 0) + 1;
    return acc;
  }, {});
  console.log(`${label.padEnd(44)} ${made.length} request(s) ${JSON.stringify(counts)}`);
}

console.log(`emulator latency ${latencyMs} ms per request\n`);
const sandbox = (await kit.ensure({ projectId: "bench" }))._unsafeUnwrap();
const rawGet = await median("raw SDK daytona.get(id)", () => raw.get(sandbox.id));
const ensure = await median("kit.ensure (existing, started, cached)", () =>
  kit.ensure({ projectId: "bench" }),
);
console.log(`ensure / raw get ratio: ${(ensure / rawGet).toFixed(3)}×\n`);

await requestsOf("ensure, new project (lookup + create)", () => kit.ensure({ projectId: "fresh" }));
await requestsOf("ensure, cached and started", () => kit.ensure({ projectId: "fresh" }));
const other = createKit({ driver, env: {} });
await requestsOf("ensure, new process (label lookup)", () => other.ensure({ projectId: "fresh" }));
const fresh = (await kit.ensure({ projectId: "fresh" }))._unsafeUnwrap();
await requestsOf("stop", () => fresh.stop());
await requestsOf("ensure, stopped (lookup + start)", () => kit.ensure({ projectId: "fresh" }));
await requestsOf("preview(3000)", () => fresh.preview(3000));
await requestsOf("delete", () => fresh.delete());

await kit.dispose();
await raw[Symbol.asyncDispose]();
emulator.close();
