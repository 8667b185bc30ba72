import { describe, expect, it } from "vitest";
import { kitError } from "../../src/errors.js";
import { createProvisioner, maxOldSpaceMiB } from "../../src/provision/index.js";
import { STATIC_SERVER_SCRIPT } from "../../src/provision/node/static-server-script.js";
import { createFakeExec, createFakeWriter, type FakeHandlers } from "./fake-exec.js";

const PROJECT = "package-json\nnpm";

function setup(handlers: FakeHandlers = {}, memoryGiB = 1) {
  const fake = createFakeExec(handlers);
  const writer = createFakeWriter();
  const provision = createProvisioner({ exec: fake.exec, writeText: writer.writeText, memoryGiB });
  return { fake, writer, provision };
}

const reports =
  (answers: Record<string, string>): NonNullable<FakeHandlers["report"]> =>
  (name) => ({ output: answers[name] ?? "" });

describe("maxOldSpaceMiB", () => {
  it("is 768 MiB for a 1 GiB sandbox (the seed's value) and about 75% above it", () => {
    expect(maxOldSpaceMiB(1)).toBe(768);
    expect(maxOldSpaceMiB(2)).toBe(1536);
    expect(maxOldSpaceMiB(4)).toBe(3072);
    expect(maxOldSpaceMiB(0.1)).toBe(128);
  });
});

describe("node.install", () => {
  it("runs npm install with the memory-safe flags and a 300 s deadline", async () => {
    const { fake, provision } = setup({ report: reports({ "node-project": PROJECT }) });
    const result = (await provision.node.install("/workspace/app"))._unsafeUnwrap();
    const call = fake.calls.find((c) => !c.probe);
    expect(call?.command).toContain(
      "cd /workspace/app && npm install --legacy-peer-deps --ignore-scripts --no-audit --no-fund",
    );
    expect(call?.options?.timeoutMs).toBe(300_000);
    expect(result).toMatchObject({ packageManager: "npm", changed: true });
  });

  it("adds --no-optional only when optional dependencies are omitted on purpose", () => {
    const { provision } = setup();
    const omit = provision.plan.nodeInstall("app", { optionalDependencies: "omit" })._unsafeUnwrap()[0];
    expect(omit?.command).toContain("npm install --legacy-peer-deps --no-optional --ignore-scripts");
    const include = provision.plan.nodeInstall("app")._unsafeUnwrap()[0];
    expect(include?.command).not.toContain("--no-optional");
  });

  it("skips the install when node_modules is newer than package.json and the lock files", async () => {
    const { fake, provision } = setup({ check: () => true, report: reports({ "node-project": PROJECT }) });
    const result = (await provision.node.install("/workspace/app"))._unsafeUnwrap();
    expect(fake.calls).toHaveLength(1);
    expect(result.changed).toBe(false);
  });

  it("refuses pnpm in a 1 GiB sandbox before running anything, and says to use npm", async () => {
    const { fake, provision } = setup();
    const error = (await provision.node.install("app", { packageManager: "pnpm" }))._unsafeUnwrapErr();
    expect(error.kind).toBe("Unsupported");
    expect(error.message).toContain('packageManager: "npm"');
    expect(fake.calls).toHaveLength(0);
  });

  it("refuses a project with a pnpm-lock.yaml in a 1 GiB sandbox after one probe, with no install", async () => {
    const { fake, provision } = setup({ report: reports({ "node-project": `${PROJECT}\npnpm-lock` }) });
    const error = (await provision.node.install("app"))._unsafeUnwrapErr();
    expect(error.kind).toBe("Unsupported");
    expect(fake.calls).toHaveLength(1);
    expect(fake.stepCommands()).toEqual([]);
  });

  it("installs a pnpm project with npm when npm is asked for explicitly", async () => {
    const { fake, provision } = setup({ report: reports({ "node-project": `${PROJECT}\npnpm-lock` }) });
    expect((await provision.node.install("app", { packageManager: "npm" })).isOk()).toBe(true);
    expect(fake.stepCommands()[0]).toContain("npm install");
  });

  it("lets pnpm run in a sandbox with more than 1 GiB", async () => {
    const { fake, provision } = setup({ report: reports({ "node-project": PROJECT }) }, 4);
    expect((await provision.node.install("app", { packageManager: "pnpm" })).isOk()).toBe(true);
    expect(fake.stepCommands()[0]).toContain("corepack pnpm install");
  });

  it("answers InvalidArgument when the directory has no package.json", async () => {
    const { provision } = setup({ report: reports({ "node-project": "npm" }) });
    expect((await provision.node.install("app"))._unsafeUnwrapErr()).toMatchObject({
      kind: "InvalidArgument",
      argument: "dir",
    });
  });

  it("answers Unsupported when the image has no npm", async () => {
    const { provision } = setup({ report: reports({ "node-project": "package-json" }) });
    const error = (await provision.node.install("app"))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "Unsupported" });
    expect(error.message).toContain("node:20-slim");
  });

  it("maps an install killed with exit 137 to OutOfMemory with a hint", async () => {
    const { provision } = setup({
      report: reports({ "node-project": PROJECT }),
      run: () => ({ exitCode: 137 }),
    });
    const error = (await provision.node.install("app"))._unsafeUnwrapErr();
    expect(error.kind).toBe("OutOfMemory");
    expect(error.message).toContain("more memory");
  });
});

describe("node.build", () => {
  const script = (text: string | null) => reports({ "npm-script": JSON.stringify({ script: text }) });

  it("kills stray node processes, then builds with a 768 MiB heap in a 1 GiB sandbox", async () => {
    const { fake, provision } = setup({ report: script("vite build") });
    const result = (await provision.node.build("/workspace/app"))._unsafeUnwrap();
    const [kill, build] = fake.stepCommands();
    expect(kill).toContain("/proc/[0-9]*/cmdline");
    expect(build).toBe("cd /workspace/app && NODE_OPTIONS=--max-old-space-size=768 npm run build");
    expect(result).toEqual({ script: "build", scriptCommand: "vite build", maxOldSpaceMiB: 768 });
  });

  it("scales the heap limit with the sandbox memory", async () => {
    const { fake, provision } = setup({ report: script("vite build") }, 2);
    await provision.node.build("app", { script: "build:prod" });
    expect(fake.stepCommands()[1]).toBe(
      "cd ./app && NODE_OPTIONS=--max-old-space-size=1536 npm run build:prod",
    );
  });

  it("streams only the build's own lines to onOutput", async () => {
    const lines: string[] = [];
    const { provision } = setup({
      report: script("vite build"),
      run: (command) => ({ output: command.includes("npm run") ? "vite v8\n✓ built in 1s\n" : "killed 2\n" }),
    });
    await provision.node.build("app", { onOutput: (line) => lines.push(line) });
    expect(lines).toEqual(["vite v8", "✓ built in 1s"]);
  });

  it("refuses next build in a 1 GiB sandbox after the probe, before killing or building anything", async () => {
    const { fake, provision } = setup({ report: script("next build --turbopack") });
    const error = (await provision.node.build("app"))._unsafeUnwrapErr();
    expect(error.kind).toBe("Unsupported");
    expect(error.message).toContain("outside the sandbox");
    expect(fake.stepCommands()).toEqual([]);
  });

  it("allows next build in a bigger sandbox", async () => {
    const { provision } = setup({ report: script("next build") }, 4);
    expect((await provision.node.build("app")).isOk()).toBe(true);
  });

  it("maps exit 137 of the build to OutOfMemory with a hint", async () => {
    const { provision } = setup({
      report: script("vite build"),
      run: (command) => (command.includes("npm run") ? { exitCode: 137, output: "Killed" } : {}),
    });
    const error = (await provision.node.build("app"))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "OutOfMemory", exitCode: 137 });
    expect(error.message).toContain("Make the build smaller");
    expect(error.message).toContain("more memory");
  });

  it("keeps a timeout a ProvisionFailed of the build step", async () => {
    const { provision } = setup({
      report: script("vite build"),
      run: (command) => (command.includes("npm run") ? kitError.timeout("exec", 300_000) : {}),
    });
    expect((await provision.node.build("app"))._unsafeUnwrapErr()).toMatchObject({
      kind: "ProvisionFailed",
      step: "node.build",
      cause: { kind: "Timeout" },
    });
  });

  it("answers InvalidArgument when package.json has no such script", async () => {
    const { fake, provision } = setup({ report: script(null) });
    const error = (await provision.node.build("app", { script: "bundle" }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "InvalidArgument", argument: "script" });
    expect(fake.stepCommands()).toEqual([]);
  });

  it.each([[{ script: "-rf" }], [{ script: "a\nb" }], [{ maxOldSpaceMiB: 10 }], [{ timeoutMs: 0 }]])(
    "refuses %j with InvalidArgument and runs nothing",
    async (options) => {
      const { fake, provision } = setup();
      expect((await provision.node.build("app", options))._unsafeUnwrapErr().kind).toBe("InvalidArgument");
      expect(fake.calls).toHaveLength(0);
    },
  );
});

describe("node.serveStatic", () => {
  it.each([[0], [70_000], [3000.5]])("refuses port %d with no command and no file written", async (port) => {
    const { fake, writer, provision } = setup();
    const error = (await provision.node.serveStatic("dist", { port }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "InvalidArgument", argument: "port" });
    expect(fake.calls).toHaveLength(0);
    expect(writer.files.size).toBe(0);
  });

  it("refuses a host that is not an IP literal", async () => {
    const { fake, provision } = setup();
    expect(
      (await provision.node.serveStatic("dist", { host: "0.0.0.0; rm -rf /" }))._unsafeUnwrapErr(),
    ).toMatchObject({ kind: "InvalidArgument", argument: "host" });
    expect(fake.calls).toHaveLength(0);
  });

  it("writes the server script, starts it with nohup in the background and waits from inside", async () => {
    const { fake, writer, provision } = setup({ report: reports({ "static-pid": "4242" }) });
    const result = (await provision.node.serveStatic("/workspace/app/dist", { port: 5173 }))._unsafeUnwrap();
    expect(writer.files.get("/workspace/.daytona-kit/static-server.cjs")).toBe(STATIC_SERVER_SCRIPT);
    const start = fake.stepCommands()[0];
    expect(start).toContain(
      `nohup node /workspace/.daytona-kit/static-server.cjs "$abs" 5173 0.0.0.0 > /workspace/.daytona-kit/static-5173.log 2>&1 &`,
    );
    expect(start).toMatch(/node -e '[\s\S]*http\.get[\s\S]*' 5173 127\.0\.0\.1 15000/);
    expect(result).toEqual({
      url: "http://127.0.0.1:5173",
      port: 5173,
      host: "0.0.0.0",
      pid: 4242,
      logPath: "/workspace/.daytona-kit/static-5173.log",
      changed: true,
    });
  });

  it("keeps a running server of ours for the same directory: one exec, no start", async () => {
    const { fake, provision } = setup({ check: () => true, report: reports({ "static-pid": "4242" }) });
    const result = (await provision.node.serveStatic("dist"))._unsafeUnwrap();
    expect(fake.calls).toHaveLength(1);
    expect(result.changed).toBe(false);
  });

  it("uses the kit's state directory from the context", async () => {
    const fake = createFakeExec({ report: reports({ "static-pid": "1" }) });
    const writer = createFakeWriter();
    const provision = createProvisioner({
      exec: fake.exec,
      writeText: writer.writeText,
      stateDir: "/home/kit",
    });
    await provision.node.serveStatic("dist");
    expect([...writer.files.keys()]).toEqual(["/home/kit/static-server.cjs"]);
  });
});
