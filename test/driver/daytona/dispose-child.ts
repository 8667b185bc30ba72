/**
 * The child process of dispose.test.ts: runs one scenario against the server the parent started, then calls
 * `kit.dispose()` with calls still in flight and prints what it saw as one JSON line. It never calls
 * process.exit: the parent measures how soon after dispose() returned the process ends on its own.
 */
import { createKit } from "../../../src/kit.js";

const [scenario = "", apiUrl = "", apiKey = ""] = process.argv.slice(2);
/** The resources of the child's own stdout/stderr pipes: not the kit's. */
const STDIO = new Set(["PipeWrap", "TTYWrap", "WriteWrap", "ShutdownWrap"]);

const kit = createKit({
  driver: "daytona",
  apiKey,
  apiUrl,
  env: {},
  targets: ["us"],
  useDeprecatedPolling: true,
  retry: { baseDelayMs: 5, maxDelayMs: 50 },
  timeouts: { ensureMs: 60_000, lifecycleMs: 60_000, execMs: 30_000 },
});

type Pending = Promise<{ isOk(): boolean; isErr(): boolean; error?: { kind: string } }>;
const kinds = async (pending: readonly Pending[]) =>
  (await Promise.all(pending)).map((r) =>
    r.isOk() ? "Ok" : process.env.DISPOSE_DEBUG ? JSON.stringify(r.error) : (r.error?.kind ?? "?"),
  );

async function main(): Promise<void> {
  const report: Record<string, unknown> = { scenario };
  const inFlight: Pending[] = [];
  if (scenario === "in-flight") {
    // The SDK loads lazily and slowly under load; load it first so the calls below reach the server.
    await import("@daytonaio/sdk");
    // A black hole: nothing ever answers, so every call is still running at dispose.
    inFlight.push(kit.ensure({ projectId: "hang" }) as unknown as Pending);
    inFlight.push(kit.list() as unknown as Pending);
    inFlight.push(kit.get("sandbox-1") as unknown as Pending);
    await new Promise((resolve) => setTimeout(resolve, 500));
  } else {
    const sandbox = (await kit.ensure({ projectId: `dispose-${scenario}` }))._unsafeUnwrap();
    if (scenario === "failed-downloads") {
      const failures: Pending[] = [];
      for (let i = 0; i < 20; i++)
        failures.push(sandbox.fs.readText(`missing-${i}.txt`) as unknown as Pending);
      report.before = await kinds(failures);
    } else if (scenario === "keep-alive") {
      for (let i = 0; i < 5; i++) {
        (await sandbox.fs.writeText(`f${i}.txt`, `v${i}`))._unsafeUnwrap();
        (await sandbox.fs.readText(`f${i}.txt`))._unsafeUnwrap();
      }
      report.before = "ok";
    } else if (scenario === "soak") {
      const outcomes: Pending[] = [];
      for (let i = 0; i < 40; i++) {
        outcomes.push(sandbox.fs.writeText(`soak/${i}.txt`, String(i)) as unknown as Pending);
        outcomes.push(sandbox.fs.readText(`soak/${i}.txt`) as unknown as Pending);
        outcomes.push(sandbox.exec(`echo ${i}`) as unknown as Pending);
        outcomes.push(kit.list({ projectId: `dispose-${scenario}` }) as unknown as Pending);
      }
      report.before = await kinds(outcomes);
    }
    // Calls still in flight when dispose() is called: the server holds every request that names "hold-forever".
    inFlight.push(sandbox.fs.readText("hold-forever.txt") as unknown as Pending);
    inFlight.push(sandbox.exec("echo hold-forever") as unknown as Pending);
    inFlight.push(kit.list({ labels: { hold: "hold-forever" } }) as unknown as Pending);
    inFlight.push(sandbox.fs.writeText("held.txt", "hold-forever") as unknown as Pending);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const settled = kinds(inFlight);
  await kit.dispose();
  report.disposedAt = Date.now();
  report.inFlight = await settled;
  report.settledAt = Date.now();
  // Destroyed sockets finish closing a loop turn later; then whatever still holds the event loop is listed.
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
  report.holding = process.getActiveResourcesInfo().filter((name) => !STDIO.has(name));
  process.stdout.write(`${JSON.stringify(report)}\n`);
  // Emitted once the event loop is empty: nothing the kit left (socket, timer) holds the process any more.
  process.once("exit", () => process.stdout.write(`${JSON.stringify({ loopEmptyAt: Date.now() })}\n`));
}

main().catch((error: unknown) => {
  process.stdout.write(`${JSON.stringify({ scenario, crashed: String(error) })}\n`);
  process.exitCode = 1;
});
