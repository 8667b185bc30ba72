/**
 * PostgreSQL in a sandbox, used from this machine: provision it (trust auth for local connections, port 5432),
 * connect with `pg` through the sandbox's forwarded port, and show that a second provision call is a no-op.
 *
 *   npx tsx examples/postgres.ts            # local driver (root on Linux), or Daytona when DAYTONA_ENABLED=true
 *
 * The returned URL is valid INSIDE the sandbox (for your app running there). On the local driver, `preview(5432)`
 * forwards a port on this machine's 127.0.0.1 to the sandbox's own loopback, so `pg` connects from here too.
 */

import { createKit, type ProvisionEvent } from "@apex/daytona-kit";
import pg from "pg";

const PORT = Number(process.env.PG_PORT ?? 5432);

function show(event: ProvisionEvent): void {
  if (event.type === "step-start") console.log(`→ ${event.step}: ${event.description}`);
  if (event.type === "step-done") console.log(`✓ ${event.step} (${event.durationMs} ms)`);
  if (event.type === "skipped") console.log(`· ${event.step} already done`);
}

await using kit = createKit();
const ensured = await kit.ensure({ projectId: "example-postgres" });
if (ensured.isErr()) {
  console.error(`${ensured.error.kind}: ${ensured.error.message}`);
  process.exit(1);
}
const sandbox = ensured.value;
console.log(`sandbox ${sandbox.id} (${sandbox.region})`);

const started = Date.now();
const db = await sandbox.provision.postgres({ database: "myapp", port: PORT, onEvent: show });
if (db.isErr()) {
  console.error(`${db.error.kind}: ${db.error.message}`);
  await sandbox.delete();
  process.exit(1);
}
console.log(`PostgreSQL ${db.value.serverVersion} at ${db.value.url} in ${Date.now() - started} ms`);

if (kit.driverName === "local") {
  // Same URL, with the host side of the sandbox's forwarder for that port.
  const url = new URL(db.value.url);
  const forwarded = new URL((await sandbox.preview(PORT))._unsafeUnwrap().url);
  url.hostname = forwarded.hostname;
  url.port = forwarded.port;
  console.log(`from this machine: ${url}`);
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(
    "CREATE TABLE IF NOT EXISTS visits (id serial PRIMARY KEY, at timestamptz DEFAULT now())",
  );
  await client.query("INSERT INTO visits DEFAULT VALUES");
  const { rows } = await client.query<{ count: string }>("SELECT count(*) FROM visits");
  console.log(`visits so far: ${rows[0]?.count}`);
  await client.end();
}

const again = Date.now();
const second = await sandbox.provision.postgres({ database: "myapp", port: PORT });
console.log(
  `second provision: changed=${second.map((r) => r.changed).unwrapOr(true)} in ${Date.now() - again} ms`,
);

console.log(`deleted: ${(await sandbox.delete()).isOk()}`);
