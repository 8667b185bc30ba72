import { HOME_DIR, parentOf, resolvePath } from "./fs-state.js";
import { PROGRAMS, type Program } from "./shell-programs.js";
import { type HereDoc, splitScript } from "./shell-script.js";
import type { ProgramIo, ShellState } from "./shell-types.js";
import { type ShellToken, tokenize } from "./shell-words.js";
import type { CommandReply, SandboxRecord } from "./types.js";

/** One simple command after tokenizing: words and redirections. */
interface SimpleCommand {
  readonly argv: string[];
  readonly assignments: [string, string][];
  readonly stdoutTo?: { path: string; append: boolean };
  readonly stderrTo?: "stdout" | "null" | { path: string; append: boolean };
  readonly stdoutToStderr: boolean;
  readonly stdinFrom?: string;
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

/**
 * The emulator's small POSIX shell (dash's messages): commands joined by `&&`, `||`, `;` and newlines, variables,
 * `cd`, redirections, here-documents, and the programs in {@link PROGRAMS}. Any other program answers
 * `sh: LINE: NAME: not found` with exit 127; syntax it does not run answers exit 2 with a message. It never
 * succeeds quietly.
 */
export class MiniShell {
  private stdout = "";
  private stderr = "";
  private output = "";
  private durationMs = 0;
  private exited = false;
  private status = 0;

  constructor(
    private readonly box: SandboxRecord,
    private readonly state: ShellState,
    private readonly baseEnv: Readonly<Record<string, string>>,
  ) {}

  /** Runs a script and answers as the daemon would. */
  run(
    script: string,
  ): Required<Omit<CommandReply, "stdout" | "stderr">> & { stdout: string; stderr: string } {
    for (const step of splitScript(script)) {
      if (this.exited) break;
      if (step.joiner === "&&" && this.status !== 0) continue;
      if (step.joiner === "||" && this.status === 0) continue;
      this.status = this.runStep(step.text, step.line, step.hereDoc);
    }
    return {
      exitCode: this.status,
      output: this.output,
      stdout: this.stdout,
      stderr: this.stderr,
      durationMs: this.durationMs,
    };
  }

  private lookup = (name: string): string | undefined =>
    name === "?" ? String(this.status) : name === "PWD" ? this.state.cwd : ownValue(this.env(), name);

  private env(): Record<string, string> {
    return { ...this.baseEnv, ...this.state.vars, PWD: this.state.cwd };
  }

  private runStep(text: string, line: number, hereDoc: HereDoc | undefined): number {
    const where = `sh: ${line}`;
    const tokenized = tokenize(text, this.lookup);
    if ("unsupported" in tokenized) {
      this.emit(
        "",
        `${where}: the emulator's shell does not run ${tokenized.unsupported}; answer this command with emulator.onCommand\n`,
      );
      return 2;
    }
    const command = parseCommand(tokenized.tokens);
    if (typeof command === "string") {
      this.emit("", `${where}: Syntax error: ${command}\n`);
      return 2;
    }
    if (command.argv.length === 0) {
      for (const [name, value] of command.assignments) this.state.vars[name] = value;
      return 0;
    }
    let stdin: string | undefined;
    if (hereDoc) stdin = hereDoc.expand ? expandText(hereDoc.body, this.lookup) : hereDoc.body;
    if (command.stdinFrom !== undefined) {
      const path = resolvePath(command.stdinFrom, this.state.cwd);
      const bytes = this.box.files.get(path);
      if (!bytes) {
        this.emit("", `${where}: cannot open ${command.stdinFrom}: No such file\n`);
        return 2;
      }
      stdin = new TextDecoder().decode(bytes);
    }

    for (const target of [
      command.stdoutTo,
      typeof command.stderrTo === "object" ? command.stderrTo : undefined,
    ]) {
      const problem = target ? this.unwritable(target.path) : undefined;
      if (problem && target) {
        // The shell opens redirections before running the command: a bad one stops it.
        this.emit("", `${where}: cannot create ${target.path}: ${problem}\n`);
        return 2;
      }
    }
    let out = new ByteSink();
    let err = new ByteSink();
    const io: ProgramIo = {
      box: this.box,
      state: this.state,
      env: { ...this.env(), ...Object.fromEntries(command.assignments) },
      stdin,
      where,
      lastStatus: this.status,
      out: (data) => out.push(data),
      err: (text) => err.push(text),
      resolve: (p) => resolvePath(p, this.state.cwd),
      spend: (ms) => {
        this.durationMs += ms;
      },
      child: (script, extraEnv) => {
        const childState: ShellState = { cwd: this.state.cwd, vars: { ...this.state.vars, ...extraEnv } };
        const reply = new MiniShell(this.box, childState, this.baseEnv).run(script);
        out.push(reply.stdout);
        err.push(reply.stderr);
        this.durationMs += reply.durationMs;
        return reply.exitCode;
      },
      exit: () => {
        this.exited = true;
      },
    };
    const [name, ...args] = command.argv as [string, ...string[]];
    // Own keys only: a command named `__proto__` or `toString` is not a program (it answers "not found").
    const program: Program | undefined = Object.hasOwn(PROGRAMS, name) ? PROGRAMS[name] : undefined;
    const status = program ? program(args, io) : notFound(name, io);

    if (command.stdoutToStderr) {
      out.append(err);
      err = out;
      out = new ByteSink();
    }
    if (command.stderrTo === "stdout") {
      out.append(err);
      err = new ByteSink();
    } else if (command.stderrTo === "null") {
      err = new ByteSink();
    } else if (command.stderrTo) {
      this.writeTo(command.stderrTo, err.bytes());
      err = new ByteSink();
    }
    if (command.stdoutTo) {
      this.writeTo(command.stdoutTo, out.bytes());
      out = new ByteSink();
    }
    this.emit(out.text(), err.text());
    return status;
  }

  /** Why a redirection target cannot be written, or `undefined`. */
  private unwritable(target: string): string | undefined {
    if (target === "/dev/null") return undefined;
    const path = resolvePath(target, this.state.cwd);
    if (this.box.dirs.has(path)) return "Is a directory";
    if (!this.box.dirs.has(parentOf(path))) return "Directory nonexistent";
    return undefined;
  }

  /** Writes redirected output into the emulated filesystem (`/dev/null` swallows it). */
  private writeTo(target: { path: string; append: boolean }, added: Uint8Array): void {
    if (target.path === "/dev/null") return;
    const path = resolvePath(target.path, this.state.cwd);
    const previous = target.append ? (this.box.files.get(path) ?? new Uint8Array()) : new Uint8Array();
    const bytes = new Uint8Array(previous.byteLength + added.byteLength);
    bytes.set(previous, 0);
    bytes.set(added, previous.byteLength);
    this.box.files.set(path, bytes);
  }

  private emit(out: string, err: string): void {
    this.stdout += out;
    this.stderr += err;
    this.output += out + err;
  }
}

/** Output of one command as bytes, in order: text is UTF-8 encoded, bytes are kept as they are. */
class ByteSink {
  private readonly chunks: Uint8Array[] = [];

  push(data: string | Uint8Array): void {
    if (data.length > 0) this.chunks.push(typeof data === "string" ? new TextEncoder().encode(data) : data);
  }

  append(other: ByteSink): void {
    this.chunks.push(...other.chunks);
  }

  bytes(): Uint8Array {
    const total = this.chunks.reduce((sum, c) => sum + c.byteLength, 0);
    const joined = new Uint8Array(total);
    let offset = 0;
    for (const chunk of this.chunks) {
      joined.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return joined;
  }

  text(): string {
    return new TextDecoder().decode(this.bytes());
  }
}

/** dash's answer for a program it cannot find. */
function notFound(name: string, io: ProgramIo): number {
  io.err(`${io.where}: ${name}: not found\n`);
  return 127;
}

/** Expands `$VAR`, `${VAR}` and `$?` in a here-document body. */
function expandText(text: string, lookup: (name: string) => string | undefined): string {
  return text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*)|(\?))/g, (_m, a, b, c) => {
    return lookup((a ?? b ?? c) as string) ?? "";
  });
}

/** Groups tokens into one simple command: leading assignments, words, redirections; or a syntax error. */
function parseCommand(tokens: ShellToken[]): SimpleCommand | string {
  const argv: string[] = [];
  const assignments: [string, string][] = [];
  let stdoutTo: SimpleCommand["stdoutTo"];
  let stderrTo: SimpleCommand["stderrTo"];
  let stdinFrom: string | undefined;
  let stdoutToStderr = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as ShellToken;
    if (token.type === "word") {
      const assignment = argv.length === 0 ? ASSIGNMENT.exec(token.value) : null;
      if (assignment) assignments.push([assignment[1] as string, assignment[2] as string]);
      else argv.push(token.value);
      continue;
    }
    if (token.value === "2>&1") {
      stderrTo = "stdout";
      continue;
    }
    if (token.value === ">&2") {
      stdoutToStderr = true;
      continue;
    }
    const next = tokens[i + 1];
    if (next?.type !== "word") return `redirection unexpected`;
    i += 1;
    if (token.value === "<") stdinFrom = next.value;
    else if (token.value === "2>")
      stderrTo = next.value === "/dev/null" ? "null" : { path: next.value, append: false };
    else stdoutTo = { path: next.value, append: token.value === ">>" };
  }
  return {
    argv,
    assignments,
    stdoutToStderr,
    ...(stdoutTo ? { stdoutTo } : {}),
    ...(stderrTo ? { stderrTo } : {}),
    ...(stdinFrom !== undefined ? { stdinFrom } : {}),
  };
}

/** The environment every command sees before its own variables: the sandbox's env vars and the user's basics. */
export function baseEnvironment(box: SandboxRecord): Record<string, string> {
  return {
    HOME: HOME_DIR,
    USER: "daytona",
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ...box.env,
  };
}

/** `record[key]` when `key` is the record's own (never an inherited `__proto__` or `constructor`). */
function ownValue(record: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
