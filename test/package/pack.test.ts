/**
 * Packs the package as npm would publish it, installs the tarball into a temporary project, and loads every entry
 * point with `import` and with `require` — the CJS build must really load although p-retry and p-limit are ESM-only.
 * The temporary project links the repo's installed dependencies instead of downloading them again.
 */
import { execFileSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "../..");
let project = "";

function node(args: string[]): string {
  return execFileSync(process.execPath, args, {
    cwd: project,
    encoding: "utf8",
    env: { ...process.env },
  }).trim();
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "daytona-kit-pack-"));
  // `npm pack` runs prepack, which builds dist/ from the current sources.
  const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", project], {
    cwd: repo,
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .pop() as string;
  const modules = join(project, "node_modules");
  mkdirSync(join(modules, "@apex"), { recursive: true });
  for (const entry of readdirSync(join(repo, "node_modules"))) {
    if (entry === "@apex" || entry.startsWith(".")) continue;
    symlinkSync(join(repo, "node_modules", entry), join(modules, entry));
  }
  const target = join(modules, "@apex", "daytona-kit");
  mkdirSync(target);
  execFileSync("tar", ["-xzf", join(project, tarball), "-C", target, "--strip-components=1"]);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true }));
}, 180_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe("the packed package", () => {
  it("ships only dist, README, LICENSE and package.json", () => {
    const files = execFileSync("find", [".", "-type", "f"], {
      cwd: join(project, "node_modules/@apex/daytona-kit"),
      encoding: "utf8",
    })
      .split("\n")
      .filter(Boolean)
      .map((f) => f.replace(/^\.\//, ""));
    expect(files.every((f) => /^(dist\/|README\.md$|LICENSE$|package\.json$)/.test(f))).toBe(true);
    expect(files).toContain("dist/index.cjs");
    expect(files).toContain("dist/testing/index.d.cts");
  });

  it("loads the main entry with require() and calls shellQuote", () => {
    const out = node(["-e", `const k = require("@apex/daytona-kit"); console.log(k.shellQuote("it's"))`]);
    expect(out).toBe(`'it'\\''s'`);
  });

  it("loads the main entry with import and builds a KitError", () => {
    const out = node([
      "--input-type=module",
      "-e",
      `import { kitError } from "@apex/daytona-kit"; console.log(kitError.notFound("file", "/x").kind)`,
    ]);
    expect(out).toBe("NotFound");
  });

  it("loads the testing entry with require() and creates an emulator", () => {
    const out = node([
      "-e",
      `const t = require("@apex/daytona-kit/testing"); const e = t.createDaytonaEmulator(); console.log(e.handlers.length > 10)`,
    ]);
    expect(out).toBe("true");
  });

  it("loads the testing entry with import and creates an emulator", () => {
    const out = node([
      "--input-type=module",
      "-e",
      `import { createDaytonaEmulator } from "@apex/daytona-kit/testing"; console.log(typeof createDaytonaEmulator().clientConfig)`,
    ]);
    expect(out).toBe("function");
  });

  it("ships the daytona-kit bin (executable, with its shebang), which prints its usage", () => {
    const bin = join(project, "node_modules/@apex/daytona-kit/dist/cli/daytona-kit.js");
    expect(readFileSync(bin, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    expect(node([bin, "--help"])).toContain("Usage: daytona-kit serve");
  });

  it("starts and closes a local Daytona from the testing entry loaded with require()", () => {
    const out = node([
      "-e",
      `require("@apex/daytona-kit/testing").startLocalDaytona().then(async (r) => {
        const local = r._unsafeUnwrap();
        const res = await fetch(local.apiUrl + "/sandbox", { headers: { authorization: "Bearer " + local.apiKey } });
        await local.close();
        console.log(res.status, new URL(local.url).hostname);
      })`,
    ]);
    expect(out).toBe("200 127.0.0.1");
  });

  it("loads the driver entries with require() and with import", () => {
    const required = node([
      "-e",
      `const d = require("@apex/daytona-kit/daytona"); const l = require("@apex/daytona-kit/local");` +
        ` console.log(typeof d.createDaytonaDriver, typeof l.createLocalDriver, l.LOCAL_IMAGES.length > 0)`,
    ]);
    expect(required).toBe("function function true");
    const imported = node([
      "--input-type=module",
      "-e",
      `import { mapDaytonaError } from "@apex/daytona-kit/daytona"; import { kitHome } from "@apex/daytona-kit/local";` +
        ` console.log(mapDaytonaError(new Error("x"), { operation: "op" }).kind, typeof kitHome)`,
    ]);
    expect(imported).toBe("Unexpected function");
  });

  it("keeps internals out of the root entry, and createKit picks a driver without a subpath import", () => {
    const out = node([
      "-e",
      `const k = require("@apex/daytona-kit");` +
        ` console.log(Object.keys(k).sort().join(","), k.createKit({ driver: "local", env: {} }).driverName)`,
    ]);
    expect(out).toBe("checkShellText,createKit,isKitError,kitError,quoteArgs,retryResult,shellQuote local");
  });

  it("does not load the Daytona SDK when the main entry is required", () => {
    const out = node([
      "-e",
      `require("@apex/daytona-kit"); console.log(Object.keys(require.cache).some((k) => k.includes("@daytonaio")))`,
    ]);
    expect(out).toBe("false");
  });
});
