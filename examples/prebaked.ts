/**
 * Prebaked environments: git, PostgreSQL, Redis and jq installed ONCE into an image (a local cached layer, or a
 * Daytona snapshot), then each project's sandbox created from it runs only its per-sandbox steps (start the servers,
 * create the database, write the git identity).
 *
 *   npx tsx examples/prebaked.ts              # local driver (root on Linux), or Daytona when DAYTONA_ENABLED=true
 *   npx tsx examples/prebaked.ts --cleanup    # also delete the image at the end
 *
 * The first run builds the image (tens of seconds: the apt installs); later runs reuse it.
 */
import { createKit, type Provision } from "@apex/daytona-kit";

const spec = {
  git: true,
  postgres: { database: "app" },
  redis: true,
  apt: ["jq"],
} satisfies Provision.PrebakeSpec;
const projectId = process.env.PREBAKED_PROJECT ?? "example-prebaked";
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

await using kit = createKit({ timeouts: { ensureMs: 300_000 } });

// A dry run: what would be baked, and what each sandbox still does itself.
const compiled = kit.prebaked.plan(spec)._unsafeUnwrap();
console.log(`image: ${compiled.plan.name} on ${compiled.plan.baseImage}`);
console.log(`per sandbox: ${compiled.perSandbox.map((step) => step.name).join(", ")}`);

// Build it (or find it). Build logs arrive line by line; here only their number is shown.
let started = performance.now();
let lines = 0;
const image = await kit.prebake(spec, { onLog: () => lines++ });
if (image.isErr()) {
  console.error(`${image.error.kind}: ${image.error.message}`);
  process.exit(1);
}
console.log(`prebake: ${image.value.built ? "built" : "reused"} in ${seconds(started)} (${lines} log lines)`);

// The project's sandbox, from the image: only the per-sandbox steps run.
started = performance.now();
const ensured = await kit.ensure({ projectId, prebaked: spec });
if (ensured.isErr()) {
  console.error(`${ensured.error.kind}: ${ensured.error.message}`);
  process.exit(1);
}
const sandbox = ensured.value;
console.log(`ensure: sandbox ${sandbox.id} ready in ${seconds(started)}`);
console.log(`postgres: ${sandbox.services.postgres.url}`);
console.log(`redis: ${sandbox.services.redis.url}`);

const check = await sandbox.exec(
  "psql -U postgres -d app -tAc 'SELECT current_database()' && redis-cli ping && jq --version",
);
console.log(
  check.isOk() ? `inside: ${check.value.output.trim().split("\n").join(" | ")}` : check.error.message,
);

await sandbox.delete();
if (process.argv.includes("--cleanup")) {
  const deleted = await kit.prebaked.delete(image.value.name);
  console.log(`image deleted: ${deleted.isOk()}`);
}
