/**
 * Run as its own Node process by sdk-child.test.ts: the real `@daytonaio/sdk`, configured by the environment alone
 * (DAYTONA_API_URL, DAYTONA_API_KEY, DAYTONA_TARGET) and no msw in this process, drives a local Daytona server.
 * Prints one JSON line with what each step returned.
 */
import { Daytona } from "@daytonaio/sdk";

const daytona = new Daytona();
const report: Record<string, unknown> = {};
try {
  const sandbox = await daytona.create({ labels: { "round-trip": "child" } });
  report.created = { id: sandbox.id, state: sandbox.state };
  await sandbox.fs.uploadFile(Buffer.from("from the child\n"), "notes/hello.txt");
  report.downloaded = (await sandbox.fs.downloadFile("notes/hello.txt")).toString("utf8");
  const executed = await sandbox.process.executeCommand("echo hi");
  report.executed = { exitCode: executed.exitCode, result: executed.result };
  const listed: string[] = [];
  for await (const item of daytona.list({ labels: { "round-trip": "child" } })) listed.push(item.id);
  report.listed = listed;
  await sandbox.stop();
  await sandbox.refreshData();
  report.stopped = sandbox.state;
  await sandbox.start();
  report.started = sandbox.state;
  report.keptFile = (await sandbox.fs.downloadFile("notes/hello.txt")).toString("utf8");
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
