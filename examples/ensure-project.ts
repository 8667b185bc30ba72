/**
 * Ensure a project's sandbox, stop it, ensure it again (started, not recreated), then delete it.
 * The sandbox is named `<sandboxNamePrefix><projectId>`: run this in two terminals at once and both get the same one.
 * Runs on the local driver by default: `npx tsx examples/ensure-project.ts`.
 */
import { createKit } from "@apex/daytona-kit";

await using kit = createKit({
  // Every process of one application must use the same prefix (the default is "apex-").
  sandboxNamePrefix: "example-",
  retry: {
    onRetry: ({ operation, attempt, delayMs, error }) =>
      console.log(`retry ${operation} #${attempt} in ${delayMs} ms (${error.kind})`),
  },
});

const first = await kit.ensure({ projectId: "example-ensure" });
if (first.isErr()) {
  console.error(`${first.error.kind}: ${first.error.message}`);
  process.exit(1);
}
const sandbox = first.value;
console.log(`ensured ${sandbox.id} (${sandbox.info.name}) in ${sandbox.region}: ${sandbox.state}`);

console.log(`stopped: ${(await sandbox.stop()).map((info) => info.state).unwrapOr("stop failed")}`);

const again = await kit.ensure({ projectId: "example-ensure" });
console.log(
  again.isOk()
    ? `ensured again: same sandbox ${again.value.id === sandbox.id}, ${again.value.state}`
    : again.error.message,
);

console.log(`deleted: ${(await sandbox.delete()).isOk()}`);
