import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { commandFs } from "../../src/testing/commands.js";
import { createDaytonaEmulator, defaultResponder } from "../../src/testing/index.js";

function run(command: string, env: Record<string, string> = {}, cwd = "/home/daytona") {
  const emulator = createDaytonaEmulator();
  const box = emulator.sandboxes.seed({
    files: { "/home/daytona/a.txt": "A\n", "/etc/os-release": "ID=debian\n" },
  });
  const fs = commandFs(box, cwd);
  const reply = defaultResponder({
    command,
    cwd,
    env,
    timeoutSeconds: undefined,
    sessionId: undefined,
    session: undefined,
    sandbox: box,
    fs,
  });
  return { reply, box };
}

describe("default command responder", () => {
  it("echoes words, honouring -n, quotes and variables", () => {
    expect(run("echo hello   world").reply.output).toBe("hello world\n");
    expect(run("echo -n 'a  b'").reply.output).toBe("a  b");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable, not a template
    expect(run("echo \"$X-${Y}\" '$X'", { X: "1", Y: "2" }).reply.output).toBe("1-2 $X\n");
    expect(run("echo $UNSET.").reply.output).toBe(".\n");
  });

  it("formats printf with %s, %d, %% and escapes, reusing the format for extra arguments", () => {
    expect(run("printf '%s=%d%%\\n' a 5").reply.output).toBe("a=5%\n");
    expect(run("printf '%s\\n' x y").reply.output).toBe("x\ny\n");
  });

  // Each expectation was checked against dash 0.5 (Debian's /bin/sh), whose printf is what a sandbox runs.
  it("converts %d as dash does: hex, octal, a quoted character, and warns with exit 1 on junk", () => {
    expect(run("printf '%d|%d|%d|%d|%i\\n' 0x1f 010 ' 7' -3 \"'a\"").reply).toMatchObject({
      exitCode: 0,
      output: "31|8|7|-3|97\n",
    });
    expect(run("printf '%d %d\\n' 1 2 3").reply.output).toBe("1 2\n3 0\n");
    expect(run("printf '%s-%d\\n' a").reply.output).toBe("a-0\n");
    const junk = run("printf '%d|%d\\n' abc 12abc").reply;
    expect(junk).toMatchObject({
      exitCode: 1,
      stdout: "0|12\n",
      stderr: "sh: 1: printf: abc: expected numeric value\nsh: 1: printf: 12abc: not completely converted\n",
    });
    const huge = run("printf '%d' 99999999999999999999").reply;
    expect(huge).toMatchObject({ exitCode: 1, stdout: "9223372036854775807" });
    expect(huge.stderr).toContain("Numerical result out of range");
  });

  it("hashes files with sha256sum as coreutils prints it, and fails for a missing file", () => {
    const sha = (text: string) => createHash("sha256").update(text).digest("hex");
    expect(run("sha256sum a.txt").reply).toMatchObject({ exitCode: 0, output: `${sha("A\n")}  a.txt\n` });
    expect(run("sha256sum <<EOF\nA\nEOF").reply.output).toBe(`${sha("A\n")}  -\n`);
    expect(run("sha256sum nope /tmp").reply).toMatchObject({
      exitCode: 1,
      output: "sha256sum: nope: No such file or directory\nsha256sum: /tmp: Is a directory\n",
    });
  });

  it("keeps bytes through cat and redirections (a binary join is byte-exact)", () => {
    const { box } = run("true");
    box.files.set("/home/daytona/bin", new Uint8Array([0x00, 0xff, 0xc3]));
    const reply = defaultResponder({
      command: "cat bin bin > joined && sha256sum joined",
      cwd: "/home/daytona",
      env: {},
      timeoutSeconds: undefined,
      sessionId: undefined,
      session: undefined,
      sandbox: box,
      fs: commandFs(box, "/home/daytona"),
    });
    const joined = new Uint8Array([0x00, 0xff, 0xc3, 0x00, 0xff, 0xc3]);
    expect(box.files.get("/home/daytona/joined")).toEqual(joined);
    expect(reply.output).toBe(`${createHash("sha256").update(joined).digest("hex")}  joined\n`);
  });

  it("answers true, false and exit N, stopping at exit", () => {
    expect(run("true").reply.exitCode).toBe(0);
    expect(run("false").reply.exitCode).toBe(1);
    expect(run("exit 42; echo never").reply).toMatchObject({ exitCode: 42, output: "" });
  });

  it("joins with &&, || and ; like sh", () => {
    expect(run("false && echo a || echo b").reply.output).toBe("b\n");
    expect(run("true && echo a; echo c").reply.output).toBe("a\nc\n");
    expect(run("false; echo after").reply).toMatchObject({ exitCode: 0, output: "after\n" });
    expect(run("echo one\necho two").reply.output).toBe("one\ntwo\n");
  });

  it("reads files with cat, relative to the cwd, and reports missing ones on stderr with exit 1", () => {
    expect(run("cat a.txt /etc/os-release").reply.output).toBe("A\nID=debian\n");
    expect(run("cat nope").reply).toMatchObject({
      exitCode: 1,
      stdout: "",
      stderr: "cat: nope: No such file or directory\n",
    });
    expect(run("cat nope 2>/dev/null").reply.output).toBe("");
  });

  it("tracks cd and pwd within one command", () => {
    expect(run("pwd").reply.output).toBe("/home/daytona\n");
    expect(run("cd /tmp && pwd").reply.output).toBe("/tmp\n");
    expect(run("cd /missing").reply.exitCode).toBe(2);
  });

  it("redirects stdout into the emulated fs", () => {
    const { reply, box } = run("echo hi > out.txt && echo more >> out.txt");
    expect(reply.output).toBe("");
    expect(new TextDecoder().decode(box.files.get("/home/daytona/out.txt"))).toBe("hi\nmore\n");
  });

  it("tests paths with test and [", () => {
    expect(run("test -f a.txt").reply.exitCode).toBe(0);
    expect(run("[ -d /tmp ]").reply.exitCode).toBe(0);
    expect(run("[ -e /nope ] || echo absent").reply.output).toBe("absent\n");
    expect(run("test ! -d a.txt").reply.exitCode).toBe(0);
  });

  it("adds sleep to the emulated duration", () => {
    expect(run("sleep 2 && sleep 0.5").reply.durationMs).toBe(2500);
    expect(run("sleep 1m").reply.durationMs).toBe(60_000);
  });

  it("answers 127 and sh's message for programs it does not run, and exit 2 for syntax it does not run", () => {
    expect(run("apt-get install -y git").reply).toMatchObject({
      exitCode: 127,
      output: "sh: 1: apt-get: not found\n",
      stdout: "",
    });
    expect(run("true\n/usr/bin/python3 -V").reply).toMatchObject({
      exitCode: 127,
      output: "sh: 2: /usr/bin/python3: not found\n",
    });
    const pipe = run("echo a | tr a b").reply;
    expect(pipe.exitCode).toBe(2);
    expect(pipe.output).toContain("does not run pipes (|)");
    const substitution = run("echo $(whoami)").reply;
    expect(substitution.exitCode).toBe(2);
    expect(substitution.output).toContain("command substitution");
  });

  it("runs sh -c scripts in a child shell with the parent's cwd, and env assignments for one command", () => {
    expect(run("sh -c 'echo one && pwd'", {}, "/etc").reply).toMatchObject({
      exitCode: 0,
      output: "one\n/etc\n",
    });
    expect(run("cd /etc && env GREETING='hi there' sh -c 'echo \"$GREETING\"; exit 4'").reply).toMatchObject({
      exitCode: 4,
      output: "hi there\n",
    });
    expect(run("sh -c 'cd /etc'; pwd").reply.output).toBe("/home/daytona\n");
  });
});
