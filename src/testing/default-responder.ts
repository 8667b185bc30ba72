import { resolvePath } from "./fs-state.js";
import { type ShellToken, tokenize } from "./shell-words.js";
import type { CommandContext, CommandReply } from "./types.js";

/**
 * The built-in command responder. It answers honestly a small set of commands and exits 0 with no output for
 * anything else (documented in docs/testing-with-the-emulator.md):
 * `echo [-n]`, `printf FORMAT [ARGS]` (`%s %d %%`, `\n \t \\`), `true`, `false`, `exit [N]`, `pwd`, `cd DIR`,
 * `cat FILE…`, `mkdir [-p] DIR…`, `test`/`[` with `-e -f -d`, `sh -c SCRIPT`, `env K=V… COMMAND`,
 * `sleep N[smh]` (emulated time, checked against the
 * sent timeout), joined by `&&`, `||`, `;` or newlines, with `> file`, `>> file`, `2>&1`, `2>/dev/null`.
 * Pipes, subshells, `$(…)` and backticks are not understood: such a command answers exit 0 with no output.
 */
export function defaultResponder(ctx: CommandContext): CommandReply {
  const tokens = tokenize(ctx.command, ctx.env);
  if (!tokens) return { exitCode: 0, output: "" };
  return new MiniShell(ctx).run(tokens);
}

interface SimpleCommand {
  argv: string[];
  stdoutTo?: { path: string; append: boolean };
  dropStderr: boolean;
}

interface Step {
  readonly command: SimpleCommand;
  /** How this command is joined to the previous one. */
  readonly joiner: "&&" | "||" | ";";
}

const DURATION_UNITS: Record<string, number> = { "": 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

class MiniShell {
  private cwd: string;
  private stdout = "";
  private stderr = "";
  private output = "";
  private durationMs = 0;
  private exited = false;

  constructor(private readonly ctx: CommandContext) {
    this.cwd = ctx.cwd;
  }

  run(tokens: ShellToken[]): CommandReply {
    const steps = parseSteps(tokens);
    if (!steps) return { exitCode: 0, output: "" };
    let status = 0;
    for (const step of steps) {
      if (this.exited) break;
      if (step.joiner === "&&" && status !== 0) continue;
      if (step.joiner === "||" && status === 0) continue;
      status = this.runOne(step.command);
    }
    return {
      exitCode: status,
      output: this.output,
      stdout: this.stdout,
      stderr: this.stderr,
      durationMs: this.durationMs,
    };
  }

  private runOne(command: SimpleCommand): number {
    const [name, ...args] = command.argv;
    if (name === undefined) return 0;
    let out = "";
    let err = "";
    let status = 0;
    const fail = (message: string, code = 1) => {
      err += `${message}\n`;
      status = code;
    };
    switch (name) {
      case "echo": {
        const noNewline = args[0] === "-n";
        out = (noNewline ? args.slice(1) : args).join(" ") + (noNewline ? "" : "\n");
        break;
      }
      case "printf":
        out = args.length === 0 ? "" : printf(args[0] as string, args.slice(1));
        break;
      case "true":
      case ":":
        break;
      case "false":
        status = 1;
        break;
      case "exit":
        status = args[0] === undefined ? 0 : Number.parseInt(args[0], 10) & 255;
        this.exited = true;
        break;
      case "pwd":
        out = `${this.cwd}\n`;
        break;
      case "cd": {
        const dir = resolvePath(args[0] ?? "/home/daytona", this.cwd);
        if (this.ctx.fs.isDirectory(dir)) this.cwd = dir;
        else fail(`sh: cd: can't cd to ${args[0]}`, 2);
        break;
      }
      case "cat":
        for (const file of args) {
          const path = resolvePath(file, this.cwd);
          const text = this.ctx.fs.isDirectory(path) ? undefined : this.ctx.fs.readText(path);
          if (text === undefined) {
            fail(
              `cat: ${file}: ${this.ctx.fs.isDirectory(path) ? "Is a directory" : "No such file or directory"}`,
            );
          } else out += text;
        }
        break;
      case "mkdir":
        for (const dir of args.filter((a) => !a.startsWith("-"))) {
          const path = resolvePath(dir, this.cwd);
          if (this.ctx.fs.exists(path) && !args.includes("-p"))
            fail(`mkdir: cannot create directory '${dir}': File exists`);
          else this.ctx.fs.mkdir(path);
        }
        break;
      case "test":
      case "[":
        status = this.test(name === "[" ? args.slice(0, -1) : args) ? 0 : 1;
        break;
      case "sleep": {
        const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(args[0] ?? "");
        if (!match) fail("sleep: invalid time interval");
        else this.durationMs += Number(match[1]) * (DURATION_UNITS[match[2] as string] ?? 1000);
        break;
      }
      case "sh":
      case "bash":
        // `sh -c 'script'` runs the script in a child shell: same files, its own cwd.
        if (args[0] === "-c" && args[1] !== undefined)
          status = this.child({}, args[1], (o, e) => {
            out += o;
            err += e;
          });
        break;
      case "env": {
        // `env K=V … command args`: the command sees the extra variables.
        const assignments = args.filter(
          (a, i) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(a) && args.slice(0, i).every((b) => b.includes("=")),
        );
        const rest = args.slice(assignments.length);
        const extra = Object.fromEntries(
          assignments.map((a) => [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]),
        );
        if (rest.length > 0)
          status = this.child(extra, rest.map(quoteWord).join(" "), (o, e) => {
            out += o;
            err += e;
          });
        break;
      }
      default:
        break;
    }
    if (command.stdoutTo && command.stdoutTo.path !== "/dev/null") {
      const path = resolvePath(command.stdoutTo.path, this.cwd);
      const previous = command.stdoutTo.append ? (this.ctx.fs.readText(path) ?? "") : "";
      this.ctx.fs.writeFile(path, previous + out);
      out = "";
    } else if (command.stdoutTo) {
      out = "";
    }
    if (command.dropStderr) err = "";
    this.stdout += out;
    this.stderr += err;
    this.output += out + err;
    return status;
  }

  /** Runs `script` in a child shell with extra environment; reports its output and returns its status. */
  private child(
    env: Record<string, string>,
    script: string,
    emit: (out: string, err: string) => void,
  ): number {
    const ctx = { ...this.ctx, cwd: this.cwd, env: { ...this.ctx.env, ...env } };
    const tokens = tokenize(script, ctx.env);
    if (!tokens) return 0;
    const reply = new MiniShell(ctx).run(tokens);
    emit(reply.stdout ?? reply.output, reply.stderr ?? "");
    this.durationMs += reply.durationMs ?? 0;
    return reply.exitCode;
  }

  private test(args: string[]): boolean {
    const negate = args[0] === "!";
    const rest = negate ? args.slice(1) : args;
    const [flag, operand] = rest;
    let result: boolean;
    if (operand === undefined) result = (flag ?? "") !== "";
    else {
      const path = resolvePath(operand, this.cwd);
      if (flag === "-d") result = this.ctx.fs.isDirectory(path);
      else if (flag === "-f") result = this.ctx.fs.exists(path) && !this.ctx.fs.isDirectory(path);
      else if (flag === "-e") result = this.ctx.fs.exists(path);
      else result = false;
    }
    return negate ? !result : result;
  }
}

/** Groups tokens into simple commands with their joiners and redirections. */
function parseSteps(tokens: ShellToken[]): Step[] | undefined {
  const steps: Step[] = [];
  let joiner: Step["joiner"] = ";";
  let current: SimpleCommand = { argv: [], dropStderr: false };
  const push = () => {
    if (current.argv.length > 0) steps.push({ command: current, joiner });
    current = { argv: [], dropStderr: false };
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as ShellToken;
    if (token.type === "word") {
      current.argv.push(token.value);
      continue;
    }
    const next = tokens[i + 1];
    switch (token.value) {
      case ">":
      case ">>":
        if (next?.type !== "word") return undefined;
        current.stdoutTo = { path: next.value, append: token.value === ">>" };
        i += 1;
        break;
      case "2>":
        if (next?.type !== "word") return undefined;
        current.dropStderr = next.value === "/dev/null";
        i += 1;
        break;
      case "2>&1":
        break;
      default:
        push();
        joiner = token.value === "\n" ? ";" : (token.value as Step["joiner"]);
    }
  }
  push();
  return steps;
}

/** `printf` with `%s`, `%d`, `%%` and backslash escapes; the format is reused while arguments remain (as in sh). */
function printf(format: string, args: string[]): string {
  const expandEscapes = (s: string) =>
    s.replace(/\\([nt\\])/g, (_m, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : "\\"));
  let out = "";
  let index = 0;
  do {
    out += expandEscapes(format).replace(/%([sd%])/g, (_m, spec: string) => {
      if (spec === "%") return "%";
      const value = args[index++] ?? "";
      return spec === "d" ? String(Number.parseInt(value || "0", 10) || 0) : value;
    });
  } while (index < args.length && /%[sd]/.test(format));
  return out;
}

/** Quotes one word for re-parsing by the mini shell. */
function quoteWord(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
