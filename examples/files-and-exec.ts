/**
 * Files and commands in a sandbox, without the classic mistakes: text is sent as bytes, the upload cap is checked
 * before sending, paths cannot leave /workspace, large files go in verified parts, and every failure is a typed
 * value. Runs on a real local sandbox (Linux, root; no API key): `npx tsx examples/files-and-exec.ts`.
 * The same code runs on Daytona: `createKit({ apiKey })` instead.
 */
import { createKit } from "@apex/daytona-kit";

await using kit = createKit({ driver: "local" });

const ensured = await kit.ensure({ projectId: "example-files-and-exec" });
if (ensured.isErr()) {
  console.error(`${ensured.error.kind}: ${ensured.error.message}`);
  process.exit(1);
}
const sandbox = ensured.value;
const { fs, exec } = sandbox;
console.log(`sandbox ${sandbox.id} (${kit.driverName}), root ${fs.root}`);

// Text: a string is content, never a local path (the SDK's #1 trap).
await fs.writeText("notes/hello.md", "# Hej världen\n");
console.log("readText:", JSON.stringify((await fs.readText("notes/hello.md")).unwrapOr("?")));

// JSON is pretty-printed and written atomically (temp file, then rename).
await fs.writeJson("config/app.json", { name: "demo", port: 3000 });
console.log(
  "readJson:",
  (await fs.readJson<{ port: number }>("config/app.json")).map((c) => c.port).unwrapOr(-1),
);

// Many files: 120 files go out in 3 bulk requests (50 per request), 4 at a time.
const batch = await fs.writeFiles(
  Array.from({ length: 120 }, (_, i) => ({ path: `src/module-${i}.ts`, text: `export const n = ${i};\n` })),
);
batch.match(
  (report) =>
    console.log(
      `writeFiles: ${report.written.length} written in ${report.requests} requests, complete=${report.complete}`,
    ),
  (error) => console.log(`writeFiles refused: ${error.kind}`),
);

// Escapes are refused before anything is sent.
const escaped = await fs.writeText("../../etc/passwd", "nope");
console.log("escape:", escaped.isErr() ? escaped.error.kind : "written?!");

// Over the 5 MiB cap: refused, unless chunked (parts, joined and SHA-256-verified inside, then moved into place).
const big = new Uint8Array(12 * 1024 * 1024).map((_, i) => i % 251);
const refused = await fs.writeBytes("data/big.bin", big);
console.log("12 MiB without chunked:", refused.isErr() ? refused.error.kind : "sent?!");
console.log(
  "12 MiB with chunked:",
  (await fs.writeBytes("data/big.bin", big, { chunked: true })).isOk() ? "ok" : "failed",
);

// Exec: a deadline is always sent, output is combined, exit codes become typed errors.
const listed = await exec("ls src | wc -l && du -sh data", { timeoutMs: 10_000 });
console.log("exec:", listed.map((r) => r.output.trim().replace(/\s+/g, " ")).unwrapOr("failed"));

const failed = await exec("echo compiling; echo 'error: missing semicolon' >&2; exit 2");
if (failed.isErr() && failed.error.kind === "CommandFailed") {
  console.log(`CommandFailed exit ${failed.error.exitCode}, output: ${JSON.stringify(failed.error.output)}`);
}
const slow = await exec("sleep 5", { timeoutMs: 500 });
console.log("sleep 5 with a 500 ms deadline:", slow.isErr() ? slow.error.kind : "finished?!");

await exec("for i in 1 2 3; do echo step $i; done", { onOutput: (line) => console.log(`  | ${line}`) });

console.log("deleted:", (await sandbox.delete()).isOk());
