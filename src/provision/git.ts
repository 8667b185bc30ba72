/**
 * git: installed when missing (slim images have none), the author configured before any commit, and
 * optionally a workspace initialised with a `.gitignore`.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { checkShellText, quoteArgs, shellQuote } from "../shell/quote.js";
import { readReport } from "./engine.js";
import type { Service } from "./service.js";
import type { ProvisionStep, RunOptions } from "./types.js";
import { validateAuthorName, validateDir, validateEmail } from "./validate.js";

/** What `provision.git` can be told (also the value of `all({ git })`). */
export interface GitSettings {
  /** `user.email` for commits. @default "apex@apex.dev" */
  readonly email?: string;
  /** `user.name` for commits. @default "Apex" */
  readonly name?: string;
  /**
   * A directory to `git init` (created if missing; relative paths resolve against `/workspace`), with a
   * `.gitignore` holding {@link GitSettings.ignore}. Left alone when it already is a repository.
   * @example "/workspace/app"
   */
  readonly init?: string;
  /** Initial branch of a new repository. @default "main" */
  readonly branch?: string;
  /** Lines the `.gitignore` must contain (missing ones are appended). @default ["node_modules", "dist", ".env", ".daytona-kit/"] */
  readonly ignore?: readonly string[];
}

/** Options of `provision.git`. */
export interface GitOptions extends GitSettings, RunOptions {}

/** Result of `provision.git`. */
export interface GitResult {
  /** From `git --version`, e.g. `"2.39.5"`. */
  readonly version: string;
  readonly email: string;
  readonly name: string;
  /** The initialised directory, when `init` was given. */
  readonly repository?: string;
  /** Whether any step ran (install, config or init). */
  readonly changed: boolean;
}

/** Defaults of {@link GitOptions}. */
export const GIT_DEFAULTS = {
  email: "apex@apex.dev",
  name: "Apex",
  branch: "main",
  ignore: ["node_modules", "dist", ".env", ".daytona-kit/"],
} as const;

const BRANCH = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;
// `git config --global` needs a HOME; some exec environments do not set one.
// biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
const HOME = 'export HOME="${HOME:-/root}"';

/** The git service: package `git`, steps `git.config` (+ `git.init`), report `git --version`. */
export function gitService(options: GitSettings = {}): Result<Service<GitResult>, KitError> {
  const email = validateEmail(options.email ?? GIT_DEFAULTS.email);
  if (email.isErr()) return err(email.error);
  const name = validateAuthorName(options.name ?? GIT_DEFAULTS.name);
  if (name.isErr()) return err(name.error);
  const branch = options.branch ?? GIT_DEFAULTS.branch;
  if (!BRANCH.test(branch) || branch.includes("..")) {
    return err(kitError.invalidArgument("branch", `${JSON.stringify(branch)} is not a usable branch name.`));
  }
  const ignore = options.ignore ?? GIT_DEFAULTS.ignore;
  for (const line of ignore) {
    const checked = checkShellText(line, "ignore");
    if (checked.isErr()) return err(checked.error);
    if (line.trim() === "")
      return err(kitError.invalidArgument("ignore", "ignore entries must not be empty."));
  }

  const steps: ProvisionStep[] = [configStep(email.value, name.value)];
  let repository: string | undefined;
  if (options.init !== undefined) {
    const dir = validateDir(options.init, "init");
    if (dir.isErr()) return err(dir.error);
    repository = options.init;
    steps.push(initStep(dir.value, branch, ignore));
  }
  return ok({
    name: "git",
    packages: ["git"],
    steps,
    reports: { "git-version": "git --version" },
    parse: (facts) =>
      readReport(facts, "git-version", "git").andThen((text) => {
        const version = /git version (\S+)/.exec(text)?.[1];
        if (version === undefined) {
          return err(
            kitError.provisionFailed("git.report", kitError.unexpected(`Unexpected git --version: ${text}`)),
          );
        }
        const changed = facts.ran.some((step) => step.startsWith("git.") || step.startsWith("apt."));
        return ok({
          version,
          email: email.value,
          name: name.value,
          changed,
          ...(repository ? { repository } : {}),
        });
      }),
  });
}

function configStep(email: string, name: string): ProvisionStep {
  return {
    name: "git.config",
    description:
      "Set the commit author (user.email, user.name) globally, so commits never fail for want of one.",
    check:
      `${HOME}; [ "$(git config --global --get user.email)" = ${shellQuote(email)} ] && ` +
      `[ "$(git config --global --get user.name)" = ${shellQuote(name)} ]`,
    command:
      `${HOME}; ${quoteArgs(["git", "config", "--global", "user.email", email])} && ` +
      quoteArgs(["git", "config", "--global", "user.name", name]),
    timeoutMs: 30_000,
  };
}

function initStep(dir: string, branch: string, ignore: readonly string[]): ProvisionStep {
  const lines = quoteArgs([...ignore]);
  const hasAll = ignore.map((line) => `grep -qxF -- ${shellQuote(line)} .gitignore`).join(" && ");
  return {
    name: "git.init",
    description: `Initialise a repository in ${dir} with a .gitignore (${ignore.join(", ")}).`,
    check: `cd ${shellQuote(dir)} && test -d .git && test -f .gitignore${hasAll ? ` && ${hasAll}` : ""}`,
    command: [
      `mkdir -p ${shellQuote(dir)} && cd ${shellQuote(dir)} || exit 1`,
      `test -d .git || ${quoteArgs(["git", "init", "-q", "-b", branch])} || exit 1`,
      "touch .gitignore",
      // Never glue a new entry onto a last line that lacks its newline.
      `if [ -s .gitignore ] && [ -n "$(tail -c 1 .gitignore)" ]; then echo >> .gitignore; fi`,
      ...(ignore.length > 0
        ? [
            `for line in ${lines}; do grep -qxF -- "$line" .gitignore || printf '%s\\n' "$line" >> .gitignore; done`,
          ]
        : []),
    ].join("\n"),
    timeoutMs: 30_000,
  };
}
