/**
 * Provisioning git + PostgreSQL + Redis on fresh local sandboxes:
 *   A. `provision.all()` — one apt-get update, one batched install, then configuration;
 *   B. the seed's recipe step by step — a separate `apt-get update && apt-get install` round per service;
 * then the re-run of `all()` on the provisioned sandbox. Prints both times, the ratio and the round trips.
 *
 *   npx tsx bench/provision.bench.ts [--runs 2]
 *
 * Needs root on Linux (local driver). The package download is cached by apt inside each sandbox only, so every run
 * downloads again: run it twice and compare, since the mirror's speed dominates the absolute numbers.
 * Both recipes keep postinst scripts from starting services (a policy-rc.d), so neither grabs the host's 5432/6379.
 */
import { okAsync } from "neverthrow";
import { createLocalDriver } from "../src/driver/local/index.js";
import { createExec } from "../src/exec/exec.js";
import type { Exec } from "../src/exec/types.js";
import { createProvisioner } from "../src/provision/index.js";

const runsIndex = process.argv.indexOf("--runs");
const RUNS = runsIndex > 0 ? Number(process.argv[runsIndex + 1]) : 1;
const PG_PORT = 55442;
const REDIS_PORT = 56389;

const driver = createLocalDriver({ onProgress: (line) => process.stderr.write(`[image] ${line}\n`) });

async function withSandbox<T>(work: (exec: Exec, count: () => number, id: string) => Promise<T>): Promise<T> {
  const created = await driver.create({
    image: "python:3.12-slim-bookworm",
    labels: { "daytona-kit.bench": "provision" },
    timeoutMs: 600_000,
  });
  if (created.isErr()) throw new Error(created.error.message);
  const id = created.value.id;
  let calls = 0;
  const real = createExec({ driver, sandboxId: id });
  const exec: Exec = (command, options) => {
    calls += 1;
    return real(command, options);
  };
  try {
    return await work(exec, () => calls, id);
  } finally {
    await driver.delete(id, { timeoutMs: 60_000 });
  }
}

// The seed's commands, one exec each, with the PostgreSQL version discovered (the seed's hard-coded 15 would break
// elsewhere) and non-default ports (the seed's recipe run as written, ports included).
const NO_AUTOSTART =
  "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d";
const SEED_STEPS: readonly { command: string; timeoutMs: number }[] = [
  { command: NO_AUTOSTART, timeoutMs: 10_000 },
  { command: "apt-get update -qq && apt-get install -y -qq git", timeoutMs: 180_000 },
  { command: 'git config --global user.email "apex@apex.dev"', timeoutMs: 10_000 },
  { command: 'git config --global user.name "Apex"', timeoutMs: 10_000 },
  {
    command: "apt-get update -qq && apt-get install -y -qq postgresql postgresql-client",
    timeoutMs: 180_000,
  },
  {
    command: `v=$(ls /etc/postgresql); sed -i 's/^port = .*/port = ${PG_PORT}/' /etc/postgresql/$v/main/postgresql.conf && pg_ctlcluster $v main start`,
    timeoutMs: 60_000,
  },
  {
    command: "v=$(ls /etc/postgresql); sed -i 's/peer/trust/g' /etc/postgresql/$v/main/pg_hba.conf",
    timeoutMs: 10_000,
  },
  { command: "v=$(ls /etc/postgresql); pg_ctlcluster $v main reload", timeoutMs: 30_000 },
  { command: `psql -U postgres -p ${PG_PORT} -c 'CREATE DATABASE myapp'`, timeoutMs: 30_000 },
  { command: "apt-get update -qq && apt-get install -y -qq redis-server", timeoutMs: 180_000 },
  { command: `redis-server --daemonize yes --port ${REDIS_PORT}`, timeoutMs: 30_000 },
];

const services = {
  git: true,
  postgres: { database: "myapp", port: PG_PORT },
  redis: { port: REDIS_PORT },
} as const;

async function main(): Promise<void> {
  for (let run = 1; run <= RUNS; run++) {
    const kit = await withSandbox(async (exec, count) => {
      const provision = createProvisioner({ exec, writeText: () => okAsync(undefined), memoryGiB: 1 });
      const started = performance.now();
      const first = await provision.all(services);
      if (first.isErr()) throw new Error(first.error.message);
      const fresh = performance.now() - started;
      const freshCalls = count();
      const again = performance.now();
      const second = await provision.all(services);
      if (second.isErr()) throw new Error(second.error.message);
      return { fresh, freshCalls, rerun: performance.now() - again, rerunCalls: count() - freshCalls };
    });
    const seed = await withSandbox(async (exec, count) => {
      const started = performance.now();
      for (const step of SEED_STEPS) {
        const outcome = await exec(step.command, { timeoutMs: step.timeoutMs });
        if (outcome.isErr()) throw new Error(outcome.error.message);
      }
      return { time: performance.now() - started, calls: count() };
    });
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(`run ${run}:`);
    console.log(`  all() on a fresh sandbox:        ${s(kit.fresh)} (${kit.freshCalls} exec round trips)`);
    console.log(`  seed recipe, 3 update+install:   ${s(seed.time)} (${seed.calls} exec round trips)`);
    console.log(`  ratio seed / all():              ${(seed.time / kit.fresh).toFixed(2)}x`);
    console.log(
      `  all() re-run (provisioned):      ${kit.rerun.toFixed(0)} ms (${kit.rerunCalls} exec round trip)`,
    );
  }
  await driver.dispose();
}

await main();
