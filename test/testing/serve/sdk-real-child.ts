/**
 * Run as its own Node process by sdk-real-backend.test.ts: the real `@daytonaio/sdk`, configured by the environment
 * alone (DAYTONA_API_URL, DAYTONA_API_KEY, DAYTONA_TARGET) and no msw here, drives a local Daytona server whose
 * toolbox is a real local sandbox. Prints one JSON line with what each step returned.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Daytona } from "@daytonaio/sdk";

const daytona = new Daytona();
const report: Record<string, unknown> = {};
const PAGE = "<h1>served from inside the sandbox</h1>\n";

/** GETs the preview URL until the server inside answers (it takes a moment to start); the last answer. */
async function fetchPreview(url: string, token: string): Promise<{ status: number; body: string }> {
  let last = { status: 0, body: "" };
  for (let attempt = 0; attempt < 600; attempt++) {
    const response = await fetch(url, { headers: { "x-daytona-preview-token": token } }).catch(
      () => undefined,
    );
    if (response) last = { status: response.status, body: await response.text() };
    if (last.status === 200) return last;
    await sleep(100);
  }
  return last;
}

try {
  const sandbox = await daytona.create({ labels: { "real-back-end": "child" } });
  report.created = { id: sandbox.id, state: sandbox.state };
  await sandbox.fs.uploadFile(Buffer.from("from the child\n"), "/workspace/notes/hello.txt");
  await sandbox.fs.uploadFile(Buffer.from(PAGE), "/workspace/site/index.html");
  const executed = await sandbox.process.executeCommand('python3 -c "print(6*7)"');
  report.executed = { exitCode: executed.exitCode, result: executed.result.trim() };

  await sandbox.process.createSession("shell");
  await sandbox.process.executeSessionCommand("shell", { command: "export FOO=BAR" });
  const echoed = await sandbox.process.executeSessionCommand("shell", { command: "echo $FOO" });
  report.session = { exitCode: echoed.exitCode, stdout: echoed.stdout };

  report.listed = (await sandbox.fs.listFiles("/workspace/notes")).map((file) => file.name);

  await sandbox.process.createSession("server");
  const serving = await sandbox.process.executeSessionCommand("server", {
    command: "cd /workspace/site && exec python3 -m http.server 8000 --bind 127.0.0.1",
    runAsync: true,
  });
  report.serverStarted = typeof serving.cmdId === "string";
  const preview = await sandbox.getPreviewLink(8000);
  report.preview = await fetchPreview(preview.url, preview.token);

  await sandbox.stop();
  await sandbox.refreshData();
  report.stopped = sandbox.state;
  await sandbox.start();
  report.started = sandbox.state;
  report.keptFile = (await sandbox.fs.downloadFile("/workspace/notes/hello.txt")).toString("utf8");
  await sandbox.delete();
  try {
    await daytona.get(sandbox.id);
    report.afterDelete = "still there";
  } catch (error) {
    report.afterDelete = (error as { statusCode?: number }).statusCode;
  }
} catch (error) {
  report.crashed = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
} finally {
  await daytona[Symbol.asyncDispose]();
}
process.stdout.write(`${JSON.stringify(report)}\n`);
