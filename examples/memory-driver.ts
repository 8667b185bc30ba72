/**
 * Unit-testing your own code against the kit with the in-memory driver: no Daytona account, no msw, no Linux
 * sandbox, a few milliseconds per call. `deployConfig` below stands for a function of your service; the script
 * checks its happy path and its failure path, as a test would. Run: `npx tsx examples/memory-driver.ts`.
 */
import { createKit, type KitError, type KitSandbox, kitError } from "@apex/daytona-kit";
import { createMemoryDriver } from "@apex/daytona-kit/testing";

/** Your code: writes a config file and validates it with a command in the sandbox. */
async function deployConfig(sandbox: KitSandbox, port: number): Promise<KitError | "deployed"> {
  const written = await sandbox.fs.writeJson("app/config.json", { port });
  if (written.isErr()) return written.error;
  const checked = await sandbox.exec("test -s app/config.json && sha256sum app/config.json");
  return checked.isErr() ? checked.error : "deployed";
}

// Happy path: the memory driver runs the kit's fs facade and a small POSIX shell over in-memory files.
const driver = createMemoryDriver();
await using kit = createKit({ driver });
const sandbox = (await kit.ensure({ projectId: "example-memory" }))._unsafeUnwrap();
console.log("deploy:", await deployConfig(sandbox, 3000));
console.log("file:", new TextDecoder().decode(driver.peek(sandbox.id, "/workspace/app/config.json")));

// Failure path: inject a fault into one port method; your code sees the typed error a real driver would return.
const flaky = createMemoryDriver({
  onCall: ({ method }) =>
    method === "uploadFiles" ? kitError.transient("injected 503", { status: 503 }) : undefined,
});
await using flakyKit = createKit({ driver: flaky, retry: { attempts: 1 } });
const other = (await flakyKit.ensure({ projectId: "example-memory" }))._unsafeUnwrap();
const failed = await deployConfig(other, 3000);
console.log("deploy with a failing upload:", failed === "deployed" ? failed : failed.kind);

// Lifecycle rules are Daytona's: a stopped sandbox refuses commands until it is started again.
await sandbox.stop();
console.log("exec on a stopped sandbox:", (await sandbox.exec("true"))._unsafeUnwrapErr().kind);
