/**
 * A test-only {@link SandboxDriver} that keeps every sandbox in memory, for fast unit and contract tests.
 *
 * Files follow the Daytona daemon's rules: uploads create missing parents, a missing file is a per-path `NotFound`
 * in downloads, non-recursive delete of a non-empty directory fails. `exec` runs a deliberately tiny shell over
 * the same in-memory files, enough for the library's own commands and the contract suite:
 *
 * - syntax: `'…'`, `"…"` with `$VAR`/`${VAR}`/`$?`, `\` escapes, `&&`, `||`, `;`, newlines,
 *   redirects `>`, `>>`, `2>`, `2>&1`, `>&2` (no pipes, globs, subshells or word splitting of expansions);
 * - commands: `echo`, `printf` (`%s %d %%`, `\n \t \\`), `exit`, `true`, `false`, `pwd`, `cd`, `sleep`, `cat`,
 *   `sha256sum`, `mkdir [-p]`, `rm [-r] [-f]`, `mv`, `ls`, `test -e|-f|-d`; anything else exits 127.
 *
 * `sleep` honours the request's deadline (answering `Timeout`, like the daemon's 408) and its AbortSignal.
 * @module
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { posix } from "node:path";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import type {
  DownloadOutcome,
  ExecOutcome,
  ExecRequest,
  FileEntry,
  SandboxDriver,
  SandboxInfo,
  UploadEntry,
} from "../../src/driver/types.js";
import { type KitError, kitError } from "../../src/errors.js";

interface MemorySandbox {
  info: SandboxInfo;
  readonly files: Map<string, { data: Uint8Array; modifiedAt: string }>;
  readonly dirs: Set<string>;
}

/** The in-memory driver plus test helpers to look inside a sandbox without going through the port. */
export interface MemoryDriver extends SandboxDriver {
  /** A started sandbox, ready to use (skips `create`'s spec). */
  createStarted(labels?: Record<string, string>): string;
  /** Absolute paths of every file in a sandbox, sorted. */
  filePaths(id: string): string[];
  /** Absolute paths of every directory in a sandbox, sorted. */
  dirPaths(id: string): string[];
  /** The bytes of one file, or undefined. */
  peek(id: string, path: string): Uint8Array | undefined;
}

/**
 * Creates an empty in-memory driver. Each sandbox starts with `/`, `/tmp` and `/workspace`.
 *
 * @example
 * ```ts
 * const driver = createMemoryDriver();
 * const sandboxId = driver.createStarted();
 * const fs = createSandboxFs({ driver, sandboxId, exec: createExec({ driver, sandboxId }) });
 * ```
 */
export function createMemoryDriver(): MemoryDriver {
  const sandboxes = new Map<string, MemorySandbox>();
  let counter = 0;

  const newSandbox = (labels: Record<string, string>, target = "memory"): MemorySandbox => {
    const id = `mem-${++counter}`;
    const box: MemorySandbox = {
      info: { id, state: "started", target, labels: { ...labels } },
      files: new Map(),
      dirs: new Set(["/", "/tmp", "/workspace"]),
    };
    sandboxes.set(id, box);
    return box;
  };

  const withBox = <T>(id: string, run: (box: MemorySandbox) => T | KitError): ResultAsync<T, KitError> => {
    const box = sandboxes.get(id);
    if (!box) return errAsync(kitError.notFound("sandbox", id));
    const value = run(box);
    return isError(value) ? errAsync(value) : okAsync(value as T);
  };
  const started = (box: MemorySandbox): KitError | undefined =>
    box.info.state === "started"
      ? undefined
      : kitError.conflict(`Sandbox ${box.info.id} is ${box.info.state}.`);
  const setState = (id: string, state: string) =>
    withBox(id, (box) => {
      box.info = { ...box.info, state };
      return box.info;
    });

  return {
    name: "memory",
    create: (spec) => okAsync(newSandbox({ ...(spec.labels ?? {}) }, spec.target).info),
    get: (id) => withBox(id, (box) => box.info),
    list: (query) =>
      okAsync(
        [...sandboxes.values()]
          .map((b) => b.info)
          .filter((info) => Object.entries(query?.labels ?? {}).every(([k, v]) => info.labels[k] === v)),
      ),
    start: (id) => setState(id, "started"),
    stop: (id) => setState(id, "stopped"),
    delete: (id) => withBox(id, () => void sandboxes.delete(id)),
    setLabels: (id, labels) =>
      withBox(id, (box) => {
        box.info = { ...box.info, labels: { ...labels } };
        return { ...labels };
      }),

    uploadFiles: (id, files) => withBox(id, (box) => started(box) ?? upload(box, files)),
    uploadLocalFile: (id, localPath, remotePath) =>
      ResultAsync.fromPromise(readFile(localPath), (cause) =>
        kitError.notFound("local file", localPath, cause),
      ).andThen((data) =>
        withBox(id, (box) => started(box) ?? upload(box, [{ path: remotePath, data: new Uint8Array(data) }])),
      ),
    downloadFiles: (id, paths) =>
      withBox(
        id,
        (box) =>
          started(box) ??
          paths.map((path): DownloadOutcome => {
            const file = box.files.get(path);
            return file
              ? { path, ok: true, data: file.data.slice() }
              : { path, ok: false, error: kitError.notFound("file", path) };
          }),
      ),
    listFiles: (id, path) =>
      withBox(id, (box) => {
        if (!box.dirs.has(path))
          return box.files.has(path) ? notADirectory(path) : kitError.notFound("file", path);
        return children(box, path).map((child) => entryOf(box, child) as FileEntry);
      }),
    fileInfo: (id, path) => withBox(id, (box) => entryOf(box, path) ?? kitError.notFound("file", path)),
    createFolder: (id, path) => withBox(id, (box) => mkdirParents(box, path)),
    deleteFile: (id, path, recursive) => withBox(id, (box) => remove(box, path, recursive)),
    moveFile: (id, source, destination) => withBox(id, (box) => move(box, source, destination)),

    exec: (id, request) => {
      const box = sandboxes.get(id);
      if (!box) return errAsync(kitError.notFound("sandbox", id));
      const notStarted = started(box);
      if (notStarted) return errAsync(notStarted);
      return ResultAsync.fromPromise(runScript(box, request), (cause) =>
        isError(cause) ? cause : kitError.unexpected("memory shell crashed", { cause }),
      );
    },
    previewLink: () =>
      errAsync(
        kitError.unsupported(
          "previewLink",
          "The in-memory test driver runs no servers; use the local driver.",
        ),
      ),
    dispose: async () => {},

    createStarted: (labels = {}) => newSandbox(labels).info.id,
    filePaths: (id) => [...(sandboxes.get(id)?.files.keys() ?? [])].sort(),
    dirPaths: (id) => [...(sandboxes.get(id)?.dirs ?? [])].sort(),
    peek: (id, path) => sandboxes.get(id)?.files.get(path)?.data,
  };
}

function isError(value: unknown): value is KitError {
  return typeof value === "object" && value !== null && "kind" in value && "retryable" in value;
}

const notADirectory = (path: string) =>
  kitError.invalidArgument("path", `${path} is not a directory`, { status: 400 });

function children(box: MemorySandbox, dir: string): string[] {
  const prefix = dir === "/" ? "/" : `${dir}/`;
  const names = new Set<string>();
  for (const path of [...box.files.keys(), ...box.dirs]) {
    if (path !== dir && path.startsWith(prefix) && !path.slice(prefix.length).includes("/")) names.add(path);
  }
  return [...names].sort();
}

function entryOf(box: MemorySandbox, path: string): FileEntry | undefined {
  const name = posix.basename(path);
  if (box.dirs.has(path)) return { name, path, isDir: true, size: 4096, mode: "755" };
  const file = box.files.get(path);
  return file
    ? { name, path, isDir: false, size: file.data.byteLength, mode: "644", modifiedAt: file.modifiedAt }
    : undefined;
}

function mkdirParents(box: MemorySandbox, path: string): undefined | KitError {
  const segments = path.split("/").filter(Boolean);
  let current = "";
  for (const segment of segments) {
    current += `/${segment}`;
    if (box.files.has(current)) return notADirectory(current);
    box.dirs.add(current);
  }
  return undefined;
}

function writeFile(box: MemorySandbox, path: string, data: Uint8Array): undefined | KitError {
  if (box.dirs.has(path)) return kitError.invalidArgument("path", `${path} is a directory`, { status: 400 });
  // A plain copy: the caller may reuse its buffer, and Buffer#slice would not copy.
  box.files.set(path, { data: new Uint8Array(data), modifiedAt: new Date().toISOString() });
  return undefined;
}

function upload(box: MemorySandbox, files: readonly UploadEntry[]): undefined | KitError {
  for (const file of files) {
    // The port's rule, enforced: a string body here is the seed's gotcha 1 (a string read as a local path).
    if (!(file.data instanceof Uint8Array)) {
      return kitError.invalidArgument("data", `Upload of ${file.path} got ${typeof file.data}, not bytes.`);
    }
    const failed = mkdirParents(box, posix.dirname(file.path)) ?? writeFile(box, file.path, file.data);
    if (failed) return failed;
  }
  return undefined;
}

function remove(box: MemorySandbox, path: string, recursive: boolean): undefined | KitError {
  if (box.files.delete(path)) return undefined;
  if (!box.dirs.has(path)) return kitError.notFound("file", path);
  const inside = [...box.files.keys(), ...box.dirs].filter((p) => p.startsWith(`${path}/`));
  if (inside.length > 0 && !recursive) {
    return kitError.invalidArgument("path", `${path}: directory not empty`, { status: 400 });
  }
  for (const p of inside) box.files.delete(p) || box.dirs.delete(p);
  box.dirs.delete(path);
  return undefined;
}

function move(box: MemorySandbox, source: string, destination: string): undefined | KitError {
  if (!entryOf(box, source)) return kitError.notFound("file", source);
  if (!box.dirs.has(posix.dirname(destination))) return kitError.notFound("file", posix.dirname(destination));
  if (destination === source || destination.startsWith(`${source}/`)) {
    return kitError.invalidArgument("destination", `Cannot move ${source} into itself`, { status: 400 });
  }
  const renamed = (p: string) => destination + p.slice(source.length);
  const file = box.files.get(source);
  if (file) {
    if (box.dirs.has(destination))
      return kitError.invalidArgument("destination", `${destination} is a directory`);
    box.files.delete(source);
    box.files.set(destination, file);
    return undefined;
  }
  for (const [p, f] of [...box.files]) {
    if (p.startsWith(`${source}/`)) {
      box.files.delete(p);
      box.files.set(renamed(p), f);
    }
  }
  for (const d of [...box.dirs]) {
    if (d === source || d.startsWith(`${source}/`)) {
      box.dirs.delete(d);
      box.dirs.add(renamed(d));
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The tiny shell.

type Part = string | { readonly variable: string };
type Word = { readonly parts: Part[]; readonly quoted: boolean };
type Token = { readonly word: Word } | { readonly op: string };

const OPERATORS = ["2>&1", "1>&2", ">&2", ">>", "2>", "&&", "||", ">", ";", "\n"];

function tokenize(script: string): Token[] {
  const tokens: Token[] = [];
  let parts: Part[] = [];
  let text = "";
  let quoted = false;
  let inWord = false;
  const endWord = () => {
    if (text) parts.push(text);
    if (inWord) tokens.push({ word: { parts, quoted } });
    parts = [];
    text = "";
    quoted = false;
    inWord = false;
  };
  const readVariable = (i: number): [Part, number] => {
    if (script[i + 1] === "?") return [{ variable: "?" }, i + 2];
    if (script[i + 1] === "{") {
      const close = script.indexOf("}", i);
      return [{ variable: script.slice(i + 2, close) }, close + 1];
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(script.slice(i + 1))?.[0];
    return name ? [{ variable: name }, i + 1 + name.length] : ["$", i + 1];
  };
  let i = 0;
  while (i < script.length) {
    const c = script[i] as string;
    const op = !inWord || "&|>;\n".includes(c) ? OPERATORS.find((o) => script.startsWith(o, i)) : undefined;
    if (op) {
      endWord();
      tokens.push({ op: op === "\n" ? ";" : op === "1>&2" ? ">&2" : op });
      i += op.length;
    } else if (c === "&" || c === "|") {
      throw kitError.unsupported(`shell syntax ${c}`, "The memory shell has no pipes or background jobs.");
    } else if (c === " " || c === "\t") {
      endWord();
      i++;
    } else if (c === "'") {
      const close = script.indexOf("'", i + 1);
      text += script.slice(i + 1, close);
      quoted = inWord = true;
      i = close + 1;
    } else if (c === '"') {
      quoted = inWord = true;
      i++;
      while (i < script.length && script[i] !== '"') {
        if (script[i] === "\\" && '"\\$`'.includes(script[i + 1] ?? "")) {
          text += script[i + 1];
          i += 2;
        } else if (script[i] === "$") {
          if (text) parts.push(text);
          text = "";
          const [part, next] = readVariable(i);
          parts.push(part);
          i = next;
        } else text += script[i++];
      }
      i++;
    } else if (c === "\\") {
      text += script[i + 1] ?? "";
      inWord = true;
      i += 2;
    } else if (c === "$") {
      if (text) parts.push(text);
      text = "";
      const [part, next] = readVariable(i);
      parts.push(part);
      inWord = true;
      i = next;
    } else {
      text += c;
      inWord = true;
      i++;
    }
  }
  endWord();
  return tokens;
}

type Target =
  | { readonly kind: "out" }
  | { readonly kind: "null" }
  | { readonly kind: "file"; readonly path: string };

interface Shell {
  readonly box: MemorySandbox;
  readonly env: Record<string, string>;
  cwd: string;
  status: number;
  readonly output: Uint8Array[];
  readonly request: ExecRequest;
  readonly deadline: number;
}

class ExitSignal {
  constructor(readonly code: number) {}
}

async function runScript(box: MemorySandbox, request: ExecRequest): Promise<ExecOutcome> {
  const shell: Shell = {
    box,
    env: { HOME: "/root", PATH: "/usr/bin:/bin", ...(request.env ?? {}) },
    cwd: request.cwd ?? "/workspace",
    status: 0,
    output: [],
    request,
    deadline: Date.now() + request.timeoutMs,
  };
  if (!box.dirs.has(shell.cwd)) {
    return { exitCode: -1, output: `chdir ${shell.cwd}: no such file or directory` };
  }
  const tokens = tokenize(request.command);
  let skip = false;
  let words: Word[] = [];
  let redirects: { op: string; word?: Word }[] = [];
  try {
    for (let i = 0; i <= tokens.length; i++) {
      const token = tokens[i];
      if (token && "word" in token) {
        words.push(token.word);
        continue;
      }
      if (token && (token.op.startsWith(">") || token.op.startsWith("2>"))) {
        const needsWord = token.op === ">" || token.op === ">>" || token.op === "2>";
        const next = tokens[i + 1];
        redirects.push({ op: token.op, ...(needsWord && next && "word" in next ? { word: next.word } : {}) });
        if (needsWord) i++;
        continue;
      }
      if (!skip && (words.length > 0 || redirects.length > 0))
        shell.status = await runCommand(shell, words, redirects);
      words = [];
      redirects = [];
      const op = token?.op;
      skip = (op === "&&" && shell.status !== 0) || (op === "||" && shell.status === 0);
    }
  } catch (signal) {
    if (!(signal instanceof ExitSignal)) throw signal;
    shell.status = signal.code;
  }
  return { exitCode: shell.status, output: Buffer.concat(shell.output).toString("utf8") };
}

function expand(shell: Shell, word: Word): string | undefined {
  const text = word.parts
    .map((p) =>
      typeof p === "string" ? p : p.variable === "?" ? String(shell.status) : (shell.env[p.variable] ?? ""),
    )
    .join("");
  return text === "" && !word.quoted ? undefined : text;
}

async function runCommand(
  shell: Shell,
  words: Word[],
  redirects: { op: string; word?: Word }[],
): Promise<number> {
  const args = words.map((w) => expand(shell, w)).filter((a): a is string => a !== undefined);
  const abs = (p: string) => posix.resolve(shell.cwd, p);
  let fd1: Target = { kind: "out" };
  let fd2: Target = { kind: "out" };
  const opened = new Map<string, Uint8Array[]>();
  for (const redirect of redirects) {
    const to = redirect.word ? expand(shell, redirect.word) : undefined;
    const fileTarget = (): Target => {
      if (to === "/dev/null") return { kind: "null" };
      const path = abs(to ?? "");
      if (!shell.box.dirs.has(posix.dirname(path))) throw new ExitSignal(2);
      const previous = redirect.op === ">>" ? shell.box.files.get(path)?.data : undefined;
      opened.set(path, previous ? [previous] : []);
      return { kind: "file", path };
    };
    if (redirect.op === ">" || redirect.op === ">>") fd1 = fileTarget();
    else if (redirect.op === "2>") fd2 = fileTarget();
    else if (redirect.op === "2>&1") fd2 = fd1;
    else if (redirect.op === ">&2") fd1 = fd2;
  }
  const write = (target: Target, data: Uint8Array | string) => {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    if (target.kind === "out") {
      shell.output.push(bytes);
      shell.request.onOutput?.(Buffer.from(bytes).toString("utf8"));
    } else if (target.kind === "file") opened.get(target.path)?.push(bytes);
  };
  const out = (data: Uint8Array | string) => write(fd1, data);
  const fail = (message: string, code = 1) => {
    write(fd2, `${args[0]}: ${message}\n`);
    return code;
  };
  try {
    return await builtin(shell, args, out, fail, abs);
  } finally {
    for (const [path, chunks] of opened) writeFile(shell.box, path, Buffer.concat(chunks));
  }
}

async function builtin(
  shell: Shell,
  args: string[],
  out: (data: Uint8Array | string) => void,
  fail: (message: string, code?: number) => number,
  abs: (p: string) => string,
): Promise<number> {
  const [name = "", ...rest] = args;
  const operands = rest.filter((a) => a !== "--");
  const { box } = shell;
  switch (name) {
    case "true":
      return 0;
    case "false":
      return 1;
    case "exit":
      throw new ExitSignal(Number(rest[0] ?? shell.status) & 255);
    case "echo":
      if (rest[0] === "-n") out(rest.slice(1).join(" "));
      else out(`${rest.join(" ")}\n`);
      return 0;
    case "printf":
      out(printf(rest[0] ?? "", rest.slice(1)));
      return 0;
    case "pwd":
      out(`${shell.cwd}\n`);
      return 0;
    case "cd": {
      const target = abs(rest[0] ?? shell.env.HOME ?? "/");
      if (!box.dirs.has(target)) return fail(`can't cd to ${rest[0]}`, 2);
      shell.cwd = target;
      return 0;
    }
    case "sleep":
      return sleep(shell, Number(rest[0] ?? 0) * 1000);
    case "cat":
    case "sha256sum": {
      let status = 0;
      for (const operand of operands) {
        const file = box.files.get(abs(operand));
        if (!file) status = fail(`${operand}: No such file or directory`);
        else if (name === "cat") out(file.data);
        else out(`${createHash("sha256").update(file.data).digest("hex")}  ${operand}\n`);
      }
      return status;
    }
    case "mkdir": {
      for (const operand of operands.filter((a) => !a.startsWith("-"))) {
        const path = abs(operand);
        if (!rest.includes("-p") && (box.dirs.has(path) || !box.dirs.has(posix.dirname(path)))) {
          return fail(`cannot create directory '${operand}'`);
        }
        if (mkdirParents(box, path)) return fail(`cannot create directory '${operand}'`);
      }
      return 0;
    }
    case "rm": {
      const flags = rest.filter((a) => /^-[rRf]+$/.test(a)).join("");
      for (const operand of operands.filter((a) => !/^-[rRf]+$/.test(a))) {
        const error = remove(box, abs(operand), /[rR]/.test(flags));
        if (error && !(error.kind === "NotFound" && flags.includes("f")))
          return fail(`cannot remove '${operand}'`);
      }
      return 0;
    }
    case "mv": {
      const [from, to] = operands;
      if (!from || !to) return fail("missing operand");
      const target = box.dirs.has(abs(to)) ? posix.join(abs(to), posix.basename(from)) : abs(to);
      box.files.delete(target);
      return move(box, abs(from), target) ? fail(`cannot move '${from}'`) : 0;
    }
    case "ls": {
      const dir = abs(operands[0] ?? ".");
      if (!box.dirs.has(dir)) return fail(`cannot access '${operands[0]}': No such file or directory`, 2);
      for (const child of children(box, dir)) out(`${posix.basename(child)}\n`);
      return 0;
    }
    case "test": {
      const [flag, operand = ""] = rest;
      const path = abs(operand);
      if (flag === "-f") return box.files.has(path) ? 0 : 1;
      if (flag === "-d") return box.dirs.has(path) ? 0 : 1;
      return box.files.has(path) || box.dirs.has(path) ? 0 : 1;
    }
    default:
      return fail("not found", 127);
  }
}

function printf(format: string, values: string[]): string {
  let result = "";
  let index = 0;
  do {
    result += format
      .replace(/\\(n|t|\\)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : "\\"))
      .replace(/%([sd%])/g, (_, c: string) =>
        c === "%" ? "%" : c === "d" ? String(Number(values[index++] ?? 0)) : (values[index++] ?? ""),
      );
  } while (index > 0 && index < values.length);
  return result;
}

/** Sleeps like the daemon would run a command: the deadline answers `Timeout`, the signal answers `Aborted`. */
function sleep(shell: Shell, ms: number): Promise<number> {
  const { signal } = shell.request;
  const remaining = shell.deadline - Date.now();
  const timedOut = ms > remaining;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(kitError.aborted("exec", signal.reason));
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        if (timedOut) reject(kitError.timeout("exec", shell.request.timeoutMs));
        else resolve(0);
      },
      Math.max(0, Math.min(ms, remaining)),
    );
    const onAbort = () => {
      clearTimeout(timer);
      reject(kitError.aborted("exec", signal?.reason));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
