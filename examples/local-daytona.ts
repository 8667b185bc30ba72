/**
 * A local Daytona: Daytona's HTTP API on 127.0.0.1, served by the emulator's in-memory back end, used here by the
 * real `@daytonaio/sdk` as it would use Daytona Cloud. Any client in any process can use it the same way: print
 * `local.env()` and export it. Run: `npx tsx examples/local-daytona.ts` (no API key, no root).
 */

import { startLocalDaytona } from "@apex/daytona-kit/testing";
import { Daytona } from "@daytonaio/sdk";

const started = await startLocalDaytona({ port: 0 });
if (started.isErr()) {
  console.error(`${started.error.kind}: ${started.error.message}`);
  process.exit(1);
}
await using local = started.value;
console.log(`local Daytona on ${local.url}`);
for (const [name, value] of Object.entries(local.env())) console.log(`  ${name}=${value}`);

// The SDK as for Daytona Cloud; only the URL and key differ (or set DAYTONA_API_URL / DAYTONA_API_KEY).
const daytona = new Daytona({ apiUrl: local.apiUrl, apiKey: local.apiKey, target: local.target });
try {
  const sandbox = await daytona.create({ labels: { example: "local-daytona" } });
  console.log(`created ${sandbox.id} (${sandbox.state})`);
  await sandbox.fs.uploadFile(Buffer.from("hello from the host\n"), "notes/hello.txt");
  const cat = await sandbox.process.executeCommand("cat notes/hello.txt");
  console.log(`cat: exit ${cat.exitCode}, ${JSON.stringify(cat.result)}`);
  const preview = await sandbox.getPreviewLink(3000);
  console.log(`preview of port 3000: ${preview.url}`);
  await sandbox.delete();

  // Everything the SDK sent, as the server logged it.
  for (const entry of local.emulator.requests) console.log(`  ${entry.route} → ${entry.status}`);
  const unserved = await fetch(`${local.apiUrl}/volumes`, {
    headers: { authorization: `Bearer ${local.apiKey}` },
  });
  console.log(`a route it does not serve: ${unserved.status}`);
} finally {
  await daytona[Symbol.asyncDispose]();
}
