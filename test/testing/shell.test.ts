import { describe, expect, it } from "vitest";
import { useEmulator } from "./fixture.js";

/** The built-in shell through the real SDK: sessions keep state, and nothing it cannot run succeeds quietly. */
const env = useEmulator();

const started = async () => env.client().create();

describe("sessions", () => {
  it("keep cd and exported variables between commands", async () => {
    const sandbox = await started();
    await sandbox.process.createSession("work");
    const setup = await sandbox.process.executeSessionCommand("work", {
      command: "cd /tmp && export FOO=BAR",
    });
    expect(setup.exitCode).toBe(0);
    const read = await sandbox.process.executeSessionCommand("work", { command: "pwd; echo $FOO" });
    expect(read).toMatchObject({ exitCode: 0, stdout: "/tmp\nBAR\n" });
    const plain = await sandbox.process.executeSessionCommand("work", {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable, not a template
      command: "NAME=x; echo ${NAME}-$FOO",
    });
    expect(plain.stdout).toBe("x-BAR\n");
    // Another session, and process/execute, start fresh.
    await sandbox.process.createSession("other");
    expect(
      (await sandbox.process.executeSessionCommand("other", { command: "pwd; echo [$FOO]" })).stdout,
    ).toBe("/home/daytona\n[]\n");
    expect((await sandbox.process.executeCommand("pwd; echo [$FOO]")).result).toBe("/home/daytona\n[]\n");
  });

  it("answer 127 and sh's message for a program that does not exist", async () => {
    const sandbox = await started();
    await sandbox.process.createSession("s");
    const reply = await sandbox.process.executeSessionCommand("s", { command: "definitely-not-a-command" });
    expect(reply).toMatchObject({
      exitCode: 127,
      stdout: "",
      stderr: "sh: 1: definitely-not-a-command: not found\n",
    });
  });

  it("are listed by listSessions with their commands", async () => {
    const sandbox = await started();
    await sandbox.process.createSession("a");
    await sandbox.process.createSession("b");
    const { cmdId } = await sandbox.process.executeSessionCommand("a", { command: "false" });
    const sessions = await sandbox.process.listSessions();
    expect(sessions.map((s) => s.sessionId).sort()).toEqual(["a", "b"]);
    expect(sessions.find((s) => s.sessionId === "a")?.commands).toEqual([
      { id: cmdId, command: "false", exitCode: 1 },
    ]);
    expect(env.emulator.count("GET /toolbox/process/session")).toBe(1);
  });
});

describe("file commands report errors with coreutils' exit codes and messages", () => {
  const run = async (command: string) => {
    const sandbox = await started();
    return sandbox.process.executeCommand(command);
  };

  it.each([
    ["ls /missing", 2, "ls: cannot access '/missing': No such file or directory\n"],
    ["cat /missing", 1, "cat: /missing: No such file or directory\n"],
    ["cat /tmp", 1, "cat: /tmp: Is a directory\n"],
    ["mkdir /tmp", 1, "mkdir: cannot create directory '/tmp': File exists\n"],
    ["mkdir /a/b", 1, "mkdir: cannot create directory '/a/b': No such file or directory\n"],
    ["rm /missing", 1, "rm: cannot remove '/missing': No such file or directory\n"],
    ["rm /tmp", 1, "rm: cannot remove '/tmp': Is a directory\n"],
    ["mv /missing /tmp/x", 1, "mv: cannot stat '/missing': No such file or directory\n"],
    ["test -f /tmp", 1, ""],
    ["[ 1 -gt x ]", 2, "sh: 1: [: Illegal number: x\n"],
    ["cd /missing", 2, "sh: 1: cd: can't cd to /missing\n"],
    ["echo hi > /missing/dir/file", 2, "sh: 1: cannot create /missing/dir/file: Directory nonexistent\n"],
    ["rm -f /missing", 0, ""],
  ])("%s → %i", async (command, exitCode, output) => {
    expect(await run(command)).toMatchObject({ exitCode, result: output });
  });

  it("lists, moves, removes and creates for real in the emulated filesystem", async () => {
    const sandbox = await started();
    const script = [
      "mkdir -p /w/src && touch /w/src/a.txt /w/.hidden",
      "echo data > /w/src/b.txt",
      "mv /w/src/b.txt /w/c.txt",
      "ls /w; ls -a /w/src",
      "rm -r /w/src && test ! -e /w/src && echo gone",
    ].join("\n");
    expect(await sandbox.process.executeCommand(script)).toMatchObject({
      exitCode: 0,
      result: "c.txt\nsrc\n.\n..\na.txt\ngone\n",
    });
    expect((await sandbox.fs.downloadFile("/w/c.txt")).toString()).toBe("data\n");
  });
});

describe("here-documents", () => {
  it("feed programs the shell runs, and answer 127 for a program it does not run", async () => {
    const sandbox = await started();
    const python = await sandbox.process.executeCommand("python3 - <<'EOF'\nprint(1 + 1)\nEOF");
    expect(python).toMatchObject({ exitCode: 127, result: "sh: 1: python3: not found\n" });
    const written = await sandbox.process.executeCommand(
      "X=7; cat > /tmp/h.txt <<EOF\nx=$X\nEOF\ncat /tmp/h.txt",
    );
    expect(written).toMatchObject({ exitCode: 0, result: "x=7\n" });
    const script = await sandbox.process.executeCommand("sh <<'EOF'\necho from stdin\nexit 3\nEOF");
    expect(script).toMatchObject({ exitCode: 3, result: "from stdin\n" });
  });

  it("answer syntax the shell does not run with exit 2 and a message, never a silent 0", async () => {
    const sandbox = await started();
    const piped = await sandbox.process.executeCommand("cat /etc/hosts | grep localhost");
    expect(piped.exitCode).toBe(2);
    expect(piped.result).toMatch(/^sh: 1: the emulator's shell does not run pipes/);
    const background = await sandbox.process.executeCommand("sleep 1 &");
    expect(background.exitCode).toBe(2);
  });
});

describe("listFiles depth", () => {
  it("lists deeper levels when depth is given, and refuses a depth below 1", async () => {
    const sandbox = await started();
    await sandbox.fs.uploadFile(Buffer.from("1"), "/d/a/one.txt");
    await sandbox.fs.uploadFile(Buffer.from("2"), "/d/a/b/two.txt");
    await sandbox.fs.uploadFile(Buffer.from("3"), "/d/z.txt");
    const paths = async (depth?: number) =>
      (await sandbox.fs.listFiles("/d", depth === undefined ? undefined : { depth })).map((f) => f.path);
    expect(await paths()).toEqual(["/d/a", "/d/z.txt"]);
    expect(await paths(2)).toEqual(["/d/a", "/d/a/b", "/d/a/one.txt", "/d/z.txt"]);
    expect(await paths(5)).toEqual(["/d/a", "/d/a/b", "/d/a/b/two.txt", "/d/a/one.txt", "/d/z.txt"]);
    const raw = await fetch(`${env.emulator.toolboxUrl}/${sandbox.id}/files?path=/d&depth=0`, {
      headers: { authorization: `Bearer ${env.emulator.apiKey}` },
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ message: "depth must be an integer >= 1" });
  });
});
