import { describe, expect, it } from "vitest";
import { createProvisioner, MONGO_UNSUPPORTED_HINT } from "../../src/provision/index.js";
import { BOOKWORM_REPORTS, createFakeExec, createFakeWriter, type FakeHandlers } from "./fake-exec.js";

function setup(handlers: FakeHandlers = {}) {
  const fake = createFakeExec({
    report: (name) => ({ output: BOOKWORM_REPORTS[name] ?? "" }),
    ...handlers,
  });
  const provision = createProvisioner({ exec: fake.exec, writeText: createFakeWriter().writeText });
  return { fake, provision };
}

describe("provision.git", () => {
  it("installs git, then sets the default author, quoted", () => {
    const steps = setup().provision.plan.git()._unsafeUnwrap();
    expect(steps.map((step) => step.name)).toEqual(["apt.update", "apt.install", "git.config"]);
    expect(steps[2]?.command).toContain("git config --global user.email apex@apex.dev");
    expect(steps[2]?.command).toContain("git config --global user.name Apex");
  });

  it("quotes an author name with an apostrophe so the shell reads it literally", () => {
    const steps = setup()
      .provision.plan.git({ name: "Dara O'Brien", email: "dara@example.org" })
      ._unsafeUnwrap();
    expect(steps[2]?.command).toContain(`user.name 'Dara O'\\''Brien'`);
    expect(steps[2]?.check).toContain(`= 'Dara O'\\''Brien' ]`);
  });

  it("initialises a repository with a .gitignore when asked", () => {
    const steps = setup().provision.plan.git({ init: "app" })._unsafeUnwrap();
    const init = steps.find((step) => step.name === "git.init");
    expect(init?.command).toContain("mkdir -p ./app && cd ./app");
    expect(init?.command).toContain("git init -q -b main");
    expect(init?.command).toContain("for line in node_modules dist .env .daytona-kit/;");
    expect(init?.check).toContain("grep -qxF -- node_modules .gitignore");
  });

  it("returns the version parsed from git --version", async () => {
    const { provision } = setup();
    const result = (await provision.git())._unsafeUnwrap();
    expect(result).toEqual({ version: "2.39.5", email: "apex@apex.dev", name: "Apex", changed: true });
  });

  it("re-runs on a configured sandbox with one exec and no install", async () => {
    const { fake, provision } = setup({ check: () => true });
    const result = (await provision.git({ init: "/workspace" }))._unsafeUnwrap();
    expect(fake.calls).toHaveLength(1);
    expect(result).toMatchObject({ changed: false, repository: "/workspace" });
  });

  it.each([
    [{ email: "a@b.c\nx" }, "email"],
    [{ email: "not-an-email" }, "email"],
    [{ email: "a\0@b.c" }, "email"],
    [{ name: "Apex\nEvil" }, "name"],
    [{ name: "" }, "name"],
    [{ init: "repo\nrm -rf /" }, "init"],
    [{ branch: "-x" }, "branch"],
    [{ ignore: ["ok", ""] }, "ignore"],
  ])("refuses %j with InvalidArgument and runs nothing", async (options, argument) => {
    const { fake, provision } = setup();
    const result = await provision.git(options);
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument", argument });
    expect(fake.calls).toHaveLength(0);
  });
});

describe("provision.postgres", () => {
  const plan = (options = {}) => setup().provision.plan.postgres(options)._unsafeUnwrap();

  it("plans install, cluster, configure, start and database in that order", () => {
    expect(plan().map((step) => step.name)).toEqual([
      "apt.update",
      "apt.install",
      "postgres.cluster",
      "postgres.configure",
      "postgres.start",
      "postgres.database",
    ]);
    expect(plan()[1]?.command).toContain("for p in postgresql postgresql-client;");
  });

  it("never hard-codes a PostgreSQL version: the cluster is found at run time", () => {
    for (const step of plan({ port: 55432, database: "myapp" })) {
      expect(step.command).not.toMatch(/\b1[0-9]\b(?!\.)/);
      expect(step.command).not.toContain("/15/");
    }
    const start = plan().find((step) => step.name === "postgres.start");
    // Found from /etc/postgresql first (pg_lsclusters is a Perl script), pg_lsclusters as the last resort.
    expect(start?.command).toContain("ls -d /etc/postgresql/*/main/");
    expect(start?.command).toContain("pg_lsclusters -h");
    // The cluster's own clients, not Debian's Perl pg_wrapper in /usr/bin.
    expect(start?.command).toContain('PATH="/usr/lib/postgresql/$pgv/bin:$PATH"');
    // pg_ctl as the cluster's owner (found at run time too), pg_ctlcluster where runuser/setsid are missing.
    expect(start?.command).toContain(
      'runuser -u "$owner" -- setsid -w "/usr/lib/postgresql/$pgv/bin/pg_ctl" start -w',
    );
    expect(start?.command).toContain('pg_ctlcluster "$pgv" "$pgc" start');
  });

  it("switches to trust for local and loopback lines only and never opens the server to the network", () => {
    const configure = plan().find((step) => step.name === "postgres.configure");
    expect(configure?.command).toContain("/^local[[:space:]]/ s/");
    expect(configure?.command).toContain("(127\\.0\\.0\\.1/32|::1/128)");
    expect(configure?.command).toContain("listen_addresses = '\\''localhost'\\''");
    for (const step of plan()) {
      expect(step.command).not.toContain("0.0.0.0");
      expect(step.command).not.toMatch(/listen_addresses = '\\''\*/);
    }
  });

  it("writes the chosen port into postgresql.conf and probes it", () => {
    const steps = plan({ port: 55432 });
    expect(steps.find((step) => step.name === "postgres.configure")?.command).toContain("port = 55432");
    expect(steps.find((step) => step.name === "postgres.start")?.check).toBe("pg_isready -q -p 55432");
  });

  it("waits for pg_isready with a bounded loop", () => {
    const start = plan({ readyTimeoutMs: 10_000 }).find((step) => step.name === "postgres.start");
    expect(start?.command).toContain('if [ "$i" -ge 20 ]');
    expect(start?.timeoutMs).toBe(70_000);
  });

  it("creates the database only when psql cannot connect to it", () => {
    const database = plan({ database: "myapp", port: 55432 }).find(
      (step) => step.name === "postgres.database",
    );
    expect(database?.check).toBe("psql -p 55432 -U postgres -d myapp -tAc 'SELECT 1' >/dev/null 2>&1");
    expect(database?.command).toContain("|| createdb -p 55432 -U postgres myapp");
  });

  it("takes another process's simultaneous start or createdb as success (two first starts of one sandbox)", () => {
    // Measured on the local driver: two kits ensuring one prebaked project at once failed postgres.start in 2 of
    // 3 rounds before these fallbacks ("already running"), 0 of 3 after.
    const steps = plan({ database: "myapp" });
    const start = steps.find((step) => step.name === "postgres.start");
    // Both ways of starting (pg_ctl as the owner, pg_ctlcluster as the fallback) accept the other's start.
    expect(
      start?.command.match(/ \|\| pg_ctlcluster "\$pgv" "\$pgc" status >\/dev\/null 2>&1 \|\| \{/g),
    ).toHaveLength(2);
    const database = steps.find((step) => step.name === "postgres.database");
    expect(database?.command).toMatch(
      /\|\| createdb -p 5432 -U postgres myapp \|\| psql .* >\/dev\/null 2>&1$/,
    );
  });

  it("returns the URL, the major version and the port", async () => {
    const { provision } = setup();
    const result = (await provision.postgres({ database: "myapp", port: 55432 }))._unsafeUnwrap();
    expect(result).toEqual({
      url: "postgresql://postgres@localhost:55432/myapp",
      version: "15",
      serverVersion: "15.14 (Debian 15.14-0+deb12u1)",
      port: 55432,
      database: "myapp",
      cluster: "main",
      changed: true,
    });
  });

  it("reads the version the sandbox reports (16 here), not a constant", async () => {
    const { provision } = setup({
      report: () => ({ output: "cluster=16/main\nserver_version=16.4" }),
    });
    expect((await provision.postgres())._unsafeUnwrap()).toMatchObject({
      version: "16",
      serverVersion: "16.4",
    });
  });

  it.each([
    [{ database: "x'; DROP DATABASE y; --" }, "database"],
    [{ database: "1abc" }, "database"],
    [{ database: "a".repeat(64) }, "database"],
    [{ database: "my-app" }, "database"],
    [{ port: 0 }, "port"],
    [{ port: 70_000 }, "port"],
    [{ port: 5432.5 }, "port"],
    [{ readyTimeoutMs: -1 }, "readyTimeoutMs"],
  ])("refuses %j with InvalidArgument and runs nothing", async (options, argument) => {
    const { fake, provision } = setup();
    const result = await provision.postgres(options);
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument", argument });
    expect(fake.calls).toHaveLength(0);
  });
});

describe("provision.redis", () => {
  it("starts redis daemonized on 127.0.0.1, protected, on the chosen port, with data out of /workspace", () => {
    const steps = setup().provision.plan.redis({ port: 56379 })._unsafeUnwrap();
    const start = steps.find((step) => step.name === "redis.start");
    expect(start?.command).toContain(
      "redis-server --daemonize yes --bind 127.0.0.1 --protected-mode yes --port 56379 " +
        "--pidfile /var/run/daytona-kit/redis-56379.pid --logfile /var/log/daytona-kit/redis-56379.log " +
        "--dir /var/lib/daytona-kit/redis-56379",
    );
    expect(start?.command).toContain("redis-cli -p 56379 ping");
    expect(steps[1]?.command).toContain("for p in redis-server;");
  });

  it("counts as running only when its own pid file names a live process that answers PONG", () => {
    const start = setup().provision.plan.redis()._unsafeUnwrap().at(-1);
    expect(start?.check).toBe(
      'pid=$(cat /var/run/daytona-kit/redis-6379.pid 2>/dev/null) && kill -0 "$pid" 2>/dev/null && ' +
        "redis-cli -p 6379 ping 2>/dev/null | grep -q PONG",
    );
  });

  it("fails at once on a taken port unless a server answers there (another process's start racing this one)", () => {
    const start = setup().provision.plan.redis()._unsafeUnwrap().at(-1);
    expect(start?.command).toContain(
      "if { grep -q 'Address already in use' /var/log/daytona-kit/redis-6379.log 2>/dev/null && " +
        "! redis-cli -p 6379 ping 2>/dev/null | grep -q PONG; }",
    );
  });

  it("returns the URL and version", async () => {
    const result = (await setup().provision.redis({ port: 56379 }))._unsafeUnwrap();
    expect(result).toEqual({ url: "redis://127.0.0.1:56379", port: 56379, version: "7.0.15", changed: true });
  });

  it.each([[0], [70_000], [-1], [Number.NaN]])(
    "refuses port %d with InvalidArgument and runs nothing",
    async (port) => {
      const { fake, provision } = setup();
      expect((await provision.redis({ port }))._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument" });
      expect(fake.calls).toHaveLength(0);
    },
  );
});

describe("provision.mongo", () => {
  it("answers Unsupported with the seed's options when the image has no mongod, after one probe and no install", async () => {
    const { fake, provision } = setup({ report: (name) => ({ output: name === "mongod-path" ? "" : "x" }) });
    const error = (await provision.mongo())._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "Unsupported", hint: MONGO_UNSUPPORTED_HINT });
    expect(error.message).toContain("mongo:7");
    expect(error.message).toContain("mongodb-memory-server");
    expect(fake.calls).toHaveLength(1);
    expect(fake.matching("apt-get")).toHaveLength(0);
  });

  it("starts mongod bound to 127.0.0.1 when the image has it", async () => {
    const { fake, provision } = setup({
      report: (name) => ({ output: name === "mongod-path" ? "/usr/bin/mongod" : "db version v7.0.14" }),
    });
    const result = (await provision.mongo({ port: 57017 }))._unsafeUnwrap();
    expect(result).toEqual({
      url: "mongodb://127.0.0.1:57017",
      port: 57017,
      version: "7.0.14",
      changed: true,
    });
    expect(fake.stepCommands()[0]).toContain("mongod --fork --bind_ip 127.0.0.1 --port 57017");
  });
});
