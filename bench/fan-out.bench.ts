/**
 * Fan-out benchmark in simulated time: N new projects on the emulator with Daytona-style server limits
 * (sandbox-create L per simulated minute, latency on every request), all figures from one run:
 * - requests sent against the minimum (one uncontended ensure's requests × N),
 * - 429s received, and the most in any one server window,
 * - total simulated time against the limit-bound ideal ((ceil(N/L) − 1) windows + one ensure),
 * - projects ensured and duplicate sandboxes,
 * for kit.fanOut (client limits set to the tier; and left at Daytona's published defaults) and for a naive
 * Promise.all over ensure (throttling on, and off).
 *
 *   npx tsx bench/fan-out.bench.ts [--projects 200] [--limit 60] [--latency 50] [--concurrency 20]
 */
import { Daytona } from "@daytonaio/sdk";
import { createDaytonaDriver } from "../src/daytona.js";
import type { Kit, KitOptions } from "../src/index.js";
import { createKitWithSeams } from "../src/kit.js";
import { createDaytonaEmulator, createSimulatedClock } from "../src/testing/index.js";
import { seededRandom as seeded } from "../src/testing/seeded-random.js";

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const projects = arg("projects", 200);
const limit = arg("limit", 60);
const latencyMs = arg("latency", 50);
const concurrency = arg("concurrency", 20);
const WINDOW_MS = 60_000;

const clock = createSimulatedClock();
const emulator = createDaytonaEmulator({
  clock,
  latencyMs,
  rateLimits: { "sandbox-create": { limit, windowMs: WINDOW_MS } },
});
emulator.listen();
const config = emulator.clientConfig("us");
const driver = createDaytonaDriver({
  clients: { us: new Daytona(config) as never },
  targets: ["us"],
  apiKey: config.apiKey,
});

function newKit(extra: Partial<KitOptions> = {}): Kit {
  const seams = { now: clock.now, sleep: clock.sleep, random: seeded(42) };
  return createKitWithSeams(
    {
      driver,
      env: {},
      targets: ["us"],
      retry: seams,
      throttling: { ...seams, random: seeded(7) },
      timeouts: { ensureMs: 3_600_000 },
      ...extra,
    },
    { clock, pollMs: 250 },
  );
}

interface Figures {
  label: string;
  ok: number;
  requests: number;
  throttled: number;
  worstWindow: number;
  windows: number;
  elapsedMs: number;
  duplicates: number;
}

async function measure(label: string, names: string[], run: () => Promise<number>): Promise<Figures> {
  emulator.reset();
  const startedAt = clock.now();
  const ok = await run();
  const elapsedMs = clock.now() - startedAt;
  const log = emulator.requests.map((r) => ({ t: r.at - startedAt, status: r.status }));
  const windows = Math.max(1, Math.ceil(elapsedMs / WINDOW_MS));
  const perWindow = new Array<number>(windows + 1).fill(0);
  for (const r of log) {
    const window = Math.floor(r.t / WINDOW_MS);
    if (r.status === 429) perWindow[window] = (perWindow[window] ?? 0) + 1;
  }
  const live = emulator.sandboxes.list();
  const duplicates = names.reduce((sum, name) => {
    const count = live.filter((s) => s.labels["apex.project"] === name).length;
    return sum + Math.max(0, count - 1);
  }, 0);
  return {
    label,
    ok,
    requests: log.length,
    throttled: log.filter((r) => r.status === 429).length,
    worstWindow: Math.max(...perWindow),
    windows,
    elapsedMs,
    duplicates,
  };
}

const namesFor = (run: string) => Array.from({ length: projects }, (_, i) => `${run}-${i}`);

// The minimum: what one uncontended ensure of a new project costs.
emulator.reset();
await newKit().ensure({ projectId: "probe" });
const perEnsure = emulator.requests.length;
const oneEnsureMs = perEnsure * latencyMs;
const minimum = perEnsure * projects;
const idealMs = (Math.ceil(projects / limit) - 1) * WINDOW_MS + oneEnsureMs;

const results: Figures[] = [];
{
  const names = namesFor("tier");
  const kit = newKit();
  results.push(
    await measure(`fanOut, limits = tier (${limit}/min)`, names, async () => {
      const report = await kit.fanOut(names, () => true, {
        concurrency,
        rateLimits: { "sandbox-create": { limit, windowMs: WINDOW_MS } },
      });
      return report._unsafeUnwrap().summary.succeeded;
    }),
  );
}
{
  const names = namesFor("published");
  const kit = newKit();
  results.push(
    await measure("fanOut, published defaults (600/min)", names, async () => {
      const report = await kit.fanOut(names, () => true, { concurrency });
      return report._unsafeUnwrap().summary.succeeded;
    }),
  );
}
{
  const names = namesFor("naive");
  const kit = newKit();
  results.push(
    await measure("naive Promise.all(ensure), throttling on", names, async () => {
      const all = await Promise.all(names.map((projectId) => kit.ensure({ projectId })));
      return all.filter((r) => r.isOk()).length;
    }),
  );
}
{
  const names = namesFor("naive-off");
  const kit = newKit({ throttling: { enabled: false } });
  results.push(
    await measure("naive Promise.all(ensure), throttling off", names, async () => {
      const all = await Promise.all(names.map((projectId) => kit.ensure({ projectId })));
      return all.filter((r) => r.isOk()).length;
    }),
  );
}

console.log(
  `${projects} new projects; server: sandbox-create ${limit} per ${WINDOW_MS / 1000} s, ${latencyMs} ms latency ` +
    `(simulated time); fanOut concurrency ${concurrency}`,
);
console.log(
  `minimum requests ${minimum} (${perEnsure} per ensure); limit-bound ideal ${(idealMs / 1000).toFixed(1)} s\n`,
);
for (const f of results) {
  console.log(
    `${f.label.padEnd(44)} ok ${String(f.ok).padStart(3)}/${projects}  requests ${String(f.requests).padStart(4)} ` +
      `(${(f.requests / minimum).toFixed(2)}× min)  429s ${String(f.throttled).padStart(3)} ` +
      `(worst window ${f.worstWindow}, ${f.windows} windows)  time ${(f.elapsedMs / 1000).toFixed(1)} s ` +
      `(${(f.elapsedMs / idealMs).toFixed(2)}× ideal)  duplicates ${f.duplicates}`,
  );
}

await driver.dispose();
emulator.close();
