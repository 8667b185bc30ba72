/**
 * msw mode with a driver toolbox: `createDaytonaEmulator({ toolbox: driver })` under the real `@daytonaio/sdk`, so a
 * consumer's suite switches between the in-memory model and real sandboxes with one option. The memory driver
 * stands in for the local one here (fast, no root); serve/local-toolbox.test.ts runs real local sandboxes.
 */
import { describe, expect, it } from "vitest";
import { createMemoryDriver } from "../../../src/testing/index.js";
import { useEmulator } from "../fixture.js";

const driver = createMemoryDriver();
const { client, emulator } = useEmulator({ toolbox: driver });

describe("msw mode with a driver toolbox", () => {
  it("runs the SDK's round trip on the driver's sandboxes", async () => {
    const daytona = client();
    const sandbox = await daytona.create({ name: "msw-driver", labels: { mode: "msw" } });
    expect(driver.state.sandboxes.get(sandbox.id)?.state).toBe("started");
    await sandbox.fs.uploadFile(Buffer.from("from msw\n"), "note.txt");
    expect(driver.peek(sandbox.id, "/workspace/note.txt")).toEqual(new TextEncoder().encode("from msw\n"));
    const ran = await sandbox.process.executeCommand("cat note.txt");
    expect({ exitCode: ran.exitCode, result: ran.result }).toEqual({ exitCode: 0, result: "from msw\n" });
    const names = (await sandbox.fs.listFiles("/workspace")).map((file) => file.name);
    expect(names).toEqual(["note.txt"]);

    await sandbox.stop();
    expect(driver.state.sandboxes.get(sandbox.id)?.state).toBe("stopped");
    await sandbox.start();
    expect((await sandbox.fs.downloadFile("note.txt")).toString("utf8")).toBe("from msw\n");
    const listed: string[] = [];
    for await (const item of daytona.list({ labels: { mode: "msw" } })) listed.push(item.name);
    expect(listed).toEqual(["msw-driver"]);
    await sandbox.delete();
    expect(driver.state.live()).toHaveLength(0);
    expect(emulator.count("POST /sandbox")).toBe(1);
  });
});
