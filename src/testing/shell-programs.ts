import { createHash } from "node:crypto";
import { type EmulatedFileInfo, listDir, mkdirp, parentOf, remove } from "./fs-state.js";
import { printf } from "./shell-printf.js";
import type { ProgramIo } from "./shell-types.js";

/** A program or builtin of the mini shell: gets its arguments, answers its exit status. */
export type Program = (args: string[], io: ProgramIo) => number;

const DURATION_UNITS: Record<string, number> = { "": 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const isDir = (io: ProgramIo, path: string) => io.box.dirs.has(path);
const isFile = (io: ProgramIo, path: string) => io.box.files.has(path);
const exists = (io: ProgramIo, path: string) => isDir(io, path) || isFile(io, path);

/** Splits leading `-xyz` options (up to `--`) from operands. */
function options(args: string[]): { flags: Set<string>; operands: string[] } {
  const flags = new Set<string>();
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--") {
      i += 1;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    for (const flag of arg.slice(1)) flags.add(flag);
  }
  return { flags, operands: args.slice(i) };
}

/** `test` / `[`: `-e -f -d -s -n -z`, `=`, `!=`, `-eq -ne -lt -le -gt -ge`, `!`; 2 for what it cannot parse. */
function test(args: string[], io: ProgramIo, name: string): number {
  const negate = args[0] === "!";
  const rest = negate ? args.slice(1) : args;
  const unexpected = (op: string) => {
    io.err(`${io.where}: ${name}: ${op}: unexpected operator\n`);
    return 2;
  };
  let result: boolean;
  if (rest.length === 0) result = false;
  else if (rest.length === 1) result = (rest[0] as string) !== "";
  else if (rest.length === 2) {
    const [flag, operand] = rest as [string, string];
    const path = io.resolve(operand);
    if (flag === "-e") result = exists(io, path);
    else if (flag === "-f") result = isFile(io, path);
    else if (flag === "-d") result = isDir(io, path);
    else if (flag === "-s") result = (io.box.files.get(path)?.byteLength ?? 0) > 0 || isDir(io, path);
    else if (flag === "-n") result = operand !== "";
    else if (flag === "-z") result = operand === "";
    else return unexpected(flag);
  } else if (rest.length === 3) {
    const [left, op, right] = rest as [string, string, string];
    const numeric: Record<string, (a: number, b: number) => boolean> = {
      "-eq": (a, b) => a === b,
      "-ne": (a, b) => a !== b,
      "-lt": (a, b) => a < b,
      "-le": (a, b) => a <= b,
      "-gt": (a, b) => a > b,
      "-ge": (a, b) => a >= b,
    };
    if (op === "=") result = left === right;
    else if (op === "!=") result = left !== right;
    else if (op in numeric) {
      const [a, b] = [Number(left), Number(right)];
      if (!Number.isInteger(a) || !Number.isInteger(b)) {
        io.err(`${io.where}: ${name}: Illegal number: ${Number.isInteger(a) ? right : left}\n`);
        return 2;
      }
      result = (numeric[op] as (a: number, b: number) => boolean)(a, b);
    } else return unexpected(op);
  } else return unexpected(rest[3] as string);
  return result !== negate ? 0 : 1;
}

/** `ls`: one name per line (as when not writing to a terminal); `-a` adds `.`/`..`, `-l` a long format. */
function ls(args: string[], io: ProgramIo): number {
  const { flags, operands } = options(args);
  let status = 0;
  const targets = operands.length > 0 ? operands : ["."];
  const line = (info: EmulatedFileInfo) =>
    flags.has("l")
      ? `${info.mode} 1 ${info.owner} ${info.group} ${info.size} ${info.name}\n`
      : `${info.name}${flags.has("p") && info.isDir ? "/" : ""}\n`;
  const sections: string[] = [];
  for (const target of targets) {
    const path = io.resolve(target);
    if (!exists(io, path)) {
      io.err(`ls: cannot access '${target}': No such file or directory\n`);
      status = 2;
      continue;
    }
    if (isFile(io, path)) {
      sections.push(
        flags.has("l")
          ? line({ ...(listDirEntry(io, path) as EmulatedFileInfo), name: target })
          : `${target}\n`,
      );
      continue;
    }
    const entries = listDir(io.box, path) as EmulatedFileInfo[];
    const names = entries
      .filter((e) => flags.has("a") || flags.has("A") || !e.name.startsWith("."))
      .map(line)
      .join("");
    const dots = flags.has("a") ? ".\n..\n" : "";
    sections.push(targets.length > 1 ? `${target}:\n${dots}${names}` : dots + names);
  }
  io.out(sections.join(targets.length > 1 ? "\n" : ""));
  return status;
}

function listDirEntry(io: ProgramIo, path: string): EmulatedFileInfo | undefined {
  return (listDir(io.box, parentOf(path)) as EmulatedFileInfo[]).find((e) => e.path === path);
}

function cat(args: string[], io: ProgramIo): number {
  if (args.length === 0) {
    io.out(io.stdin ?? "");
    return 0;
  }
  let status = 0;
  for (const file of args) {
    if (file === "-") {
      io.out(io.stdin ?? "");
      continue;
    }
    const path = io.resolve(file);
    const bytes = io.box.files.get(path);
    // Bytes, not text: `cat part… > file` must join binary parts exactly (the chunked upload's join).
    if (bytes) io.out(bytes);
    else {
      io.err(`cat: ${file}: ${isDir(io, path) ? "Is a directory" : "No such file or directory"}\n`);
      status = 1;
    }
  }
  return status;
}

/** `sha256sum [FILE…]`: coreutils' `HASH  NAME` lines; standard input (named `-`) when no file is given. */
function sha256sum(args: string[], io: ProgramIo): number {
  const { operands } = options(args);
  const hash = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");
  if (operands.length === 0) {
    io.out(`${hash(io.stdin ?? "")}  -\n`);
    return 0;
  }
  let status = 0;
  for (const file of operands) {
    const path = io.resolve(file);
    const bytes = file === "-" ? (io.stdin ?? "") : io.box.files.get(path);
    if (bytes !== undefined) io.out(`${hash(bytes)}  ${file}\n`);
    else {
      io.err(`sha256sum: ${file}: ${isDir(io, path) ? "Is a directory" : "No such file or directory"}\n`);
      status = 1;
    }
  }
  return status;
}

function mkdir(args: string[], io: ProgramIo): number {
  const { flags, operands } = options(args);
  if (operands.length === 0) {
    io.err("mkdir: missing operand\nTry 'mkdir --help' for more information.\n");
    return 1;
  }
  let status = 0;
  for (const dir of operands) {
    const path = io.resolve(dir);
    const fail = (reason: string) => {
      io.err(`mkdir: cannot create directory '${dir}': ${reason}\n`);
      status = 1;
    };
    if (flags.has("p")) {
      if (isFile(io, path)) fail("File exists");
      else if (mkdirp(io.box, path)) fail("Not a directory");
    } else if (exists(io, path)) fail("File exists");
    else if (!isDir(io, parentOf(path))) fail("No such file or directory");
    else io.box.dirs.add(path);
  }
  return status;
}

function rm(args: string[], io: ProgramIo): number {
  const { flags, operands } = options(args);
  const force = flags.has("f");
  const recursive = flags.has("r") || flags.has("R");
  if (operands.length === 0) {
    if (force) return 0;
    io.err("rm: missing operand\nTry 'rm --help' for more information.\n");
    return 1;
  }
  let status = 0;
  for (const target of operands) {
    const path = io.resolve(target);
    if (!exists(io, path)) {
      if (!force) {
        io.err(`rm: cannot remove '${target}': No such file or directory\n`);
        status = 1;
      }
    } else if (isDir(io, path) && !recursive) {
      io.err(`rm: cannot remove '${target}': Is a directory\n`);
      status = 1;
    } else if (path === "/") {
      io.err(
        "rm: it is dangerous to operate recursively on '/'\nrm: use --no-preserve-root to override this failsafe\n",
      );
      status = 1;
    } else remove(io.box, path, true);
  }
  return status;
}

/** `mv SOURCE… DEST`: into DEST when it is a directory, over a file otherwise (as coreutils does). */
function mv(args: string[], io: ProgramIo): number {
  const { flags, operands } = options(args);
  // -T: DEST is the name itself, never a directory to move into.
  const noTargetDirectory = flags.has("T");
  if (operands.length < 2) {
    io.err(
      `mv: ${operands.length === 0 ? "missing file operand" : `missing destination file operand after '${operands[0]}'`}\nTry 'mv --help' for more information.\n`,
    );
    return 1;
  }
  const destination = operands[operands.length - 1] as string;
  const sources = operands.slice(0, -1);
  const destPath = io.resolve(destination);
  if (noTargetDirectory && sources.length > 1) {
    io.err(`mv: extra operand '${operands[2]}'\nTry 'mv --help' for more information.\n`);
    return 1;
  }
  if (sources.length > 1 && !isDir(io, destPath)) {
    io.err(`mv: target '${destination}' is not a directory\n`);
    return 1;
  }
  let status = 0;
  for (const source of sources) {
    const from = io.resolve(source);
    const to =
      !noTargetDirectory && isDir(io, destPath)
        ? `${destPath === "/" ? "" : destPath}/${from.slice(from.lastIndexOf("/") + 1)}`
        : destPath;
    const fail = (message: string) => {
      io.err(`mv: ${message}\n`);
      status = 1;
    };
    if (!exists(io, from)) fail(`cannot stat '${source}': No such file or directory`);
    else if (!isDir(io, parentOf(to)))
      fail(`cannot move '${source}' to '${destination}': No such file or directory`);
    else if (from === to) fail(`'${source}' and '${destination}' are the same file`);
    else if (to.startsWith(`${from}/`))
      fail(`cannot move '${source}' to a subdirectory of itself, '${destination}'`);
    else if (isDir(io, from) && isFile(io, to))
      fail(`cannot overwrite non-directory '${destination}' with directory '${source}'`);
    else if (isFile(io, from) && isDir(io, to))
      fail(`cannot overwrite directory '${destination}' with non-directory`);
    else {
      if (isFile(io, to)) io.box.files.delete(to);
      else if (isDir(io, to)) remove(io.box, to, true);
      renameTree(io, from, to);
    }
  }
  return status;
}

function renameTree(io: ProgramIo, from: string, to: string): void {
  const file = io.box.files.get(from);
  if (file) {
    io.box.files.delete(from);
    io.box.files.set(to, file);
    return;
  }
  const moved = (p: string) => to + p.slice(from.length);
  for (const dir of [...io.box.dirs].filter((p) => p === from || p.startsWith(`${from}/`))) {
    io.box.dirs.delete(dir);
    io.box.dirs.add(moved(dir));
  }
  for (const [p, bytes] of [...io.box.files].filter(([p]) => p.startsWith(`${from}/`))) {
    io.box.files.delete(p);
    io.box.files.set(moved(p), bytes);
  }
}

function touch(args: string[], io: ProgramIo): number {
  let status = 0;
  for (const file of options(args).operands) {
    const path = io.resolve(file);
    if (exists(io, path)) continue;
    if (!isDir(io, parentOf(path))) {
      io.err(`touch: cannot touch '${file}': No such file or directory\n`);
      status = 1;
    } else io.box.files.set(path, new Uint8Array());
  }
  return status;
}

/** Quotes one word for re-parsing by the mini shell. */
function quoteWord(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The programs and builtins the mini shell runs. Everything else is "not found" (127): answer it with
 * `emulator.onCommand` or the `commandResponder` option.
 */
export const PROGRAMS: Readonly<Record<string, Program>> = {
  echo: (args, io) => {
    const noNewline = args[0] === "-n";
    io.out((noNewline ? args.slice(1) : args).join(" ") + (noNewline ? "" : "\n"));
    return 0;
  },
  printf: (args, io) => {
    if (args.length === 0) {
      io.err("printf: usage: printf format [arg ...]\n");
      return 2;
    }
    const result = printf(args[0] as string, args.slice(1));
    io.out(result.out);
    for (const warning of result.warnings) io.err(`${io.where}: printf: ${warning}\n`);
    return result.status;
  },
  true: () => 0,
  ":": () => 0,
  false: () => 1,
  exit: (args, io) => {
    io.exit();
    return args[0] === undefined ? io.lastStatus : Number.parseInt(args[0], 10) & 255;
  },
  pwd: (_args, io) => {
    io.out(`${io.state.cwd}\n`);
    return 0;
  },
  cd: (args, io) => {
    const target = args[0] ?? io.env.HOME ?? "/";
    const dir = io.resolve(target);
    if (!isDir(io, dir)) {
      io.err(`${io.where}: cd: can't cd to ${target}\n`);
      return 2;
    }
    io.state.cwd = dir;
    return 0;
  },
  export: (args, io) => {
    for (const arg of args) {
      const eq = arg.indexOf("=");
      if (eq > 0) io.state.vars[arg.slice(0, eq)] = arg.slice(eq + 1);
      else if (io.env[arg] !== undefined) io.state.vars[arg] = io.env[arg] as string;
    }
    return 0;
  },
  unset: (args, io) => {
    for (const name of args) delete io.state.vars[name];
    return 0;
  },
  env: (args, io) => {
    const assignments = [];
    let i = 0;
    while (i < args.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[i] as string))
      assignments.push(args[i++] as string);
    const rest = args.slice(i);
    const extra = Object.fromEntries(
      assignments.map((a) => [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]),
    );
    if (rest.length === 0) {
      const all = { ...io.env, ...extra };
      io.out(
        Object.entries(all)
          .map(([k, v]) => `${k}=${v}\n`)
          .join(""),
      );
      return 0;
    }
    return io.child(rest.map(quoteWord).join(" "), extra);
  },
  sh: (args, io) => shell(args, io),
  bash: (args, io) => shell(args, io),
  test: (args, io) => test(args, io, "test"),
  "[": (args, io) => {
    if (args[args.length - 1] !== "]") {
      io.err(`${io.where}: [: missing ]\n`);
      return 2;
    }
    return test(args.slice(0, -1), io, "[");
  },
  sleep: (args, io) => {
    const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(args[0] ?? "");
    if (!match) {
      io.err(
        args[0] === undefined ? "sleep: missing operand\n" : `sleep: invalid time interval '${args[0]}'\n`,
      );
      return 1;
    }
    io.spend(Number(match[1]) * (DURATION_UNITS[match[2] as string] ?? 1000));
    return 0;
  },
  ls,
  cat,
  mkdir,
  rm,
  mv,
  touch,
  sha256sum,
};

/** `sh -c SCRIPT` / `bash -c SCRIPT` (a child shell), or the script from standard input (`sh <<EOF`). */
function shell(args: string[], io: ProgramIo): number {
  if (args[0] === "-c" && args[1] !== undefined) return io.child(args[1], {});
  if (args.length === 0 && io.stdin !== undefined) return io.child(io.stdin, {});
  io.err(`${io.where}: the emulator's shell runs only 'sh -c SCRIPT' and scripts on standard input\n`);
  return 2;
}
