/**
 * apt, done once and in one batch: `apt-get update` at most once per sandbox (a marker file), every missing package in
 * ONE `apt-get install`, already-installed packages skipped, and no service auto-started by a package's postinst
 * (the recipes start services themselves, on the caller's port).
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import type { KitError } from "../errors.js";
import { quoteArgs, shellQuote } from "../shell/quote.js";
import { HEAL_MARKER, type Recipe, readReport } from "./engine.js";
import type { ProvisionStep, RunOptions } from "./types.js";
import { validatePackage, validateTimeout } from "./validate.js";

/** Where the "apt-get update already ran" marker lives inside the sandbox. */
export const APT_MARKER = "/var/lib/daytona-kit/apt-updated";

/** Default deadline of `apt-get update` and of `apt-get install` (installs need about 180 s). */
export const DEFAULT_APT_TIMEOUT_MS = 180_000;

/** Options of `provision.apt`. */
export interface AptOptions extends RunOptions {
  /** Deadline of `apt-get update` and of `apt-get install`, each. @default 180_000 */
  readonly timeoutMs?: number;
}

/** Result of `provision.apt`. */
export interface AptResult {
  /** Installed version of each requested package, e.g. `{ git: "1:2.39.5-0+deb12u2" }`. */
  readonly versions: Readonly<Record<string, string>>;
  /** Whether `apt-get update` ran in this call (false once the marker exists, or when nothing was missing). */
  readonly updated: boolean;
  /** Whether the install step ran (false when every package was already installed). */
  readonly changed: boolean;
}

const LOCK_WAIT = ["-o", "DPkg::Lock::Timeout=60"];
// biome-ignore lint/suspicious/noTemplateCurlyInString: a dpkg-query format, not a template
const STATUS_FORMAT = shellQuote("${Status}\\n");

/** Validates package names and removes duplicates, keeping the first order. */
export function validatePackages(packages: readonly string[]): Result<string[], KitError> {
  const unique: string[] = [];
  for (const name of packages) {
    const valid = validatePackage(name);
    if (valid.isErr()) return err(valid.error);
    if (!unique.includes(name)) unique.push(name);
  }
  return ok(unique);
}

/** A command that exits 0 when every package is installed: one `dpkg-query` for all of them. */
export function allInstalledCheck(packages: readonly string[]): string {
  return (
    `[ "$(dpkg-query -W -f=${STATUS_FORMAT} ${quoteArgs(packages)} 2>/dev/null | grep -c ' ok installed$')" ` +
    `-ge ${packages.length} ]`
  );
}

/**
 * The two apt steps for `packages` (already validated): `apt.update` (skipped when the marker exists or nothing is
 * missing) and `apt.install` (skipped when everything is installed). Empty when there are no packages.
 */
export function aptSteps(packages: readonly string[], timeoutMs = DEFAULT_APT_TIMEOUT_MS): ProvisionStep[] {
  if (packages.length === 0) return [];
  const installed = allInstalledCheck(packages);
  const update = quoteArgs(["apt-get", "update", "-qq", ...LOCK_WAIT]);
  const markUpdated = `mkdir -p /var/lib/daytona-kit && touch ${APT_MARKER}`;
  const install = `apt-get install -y -qq --no-install-recommends ${quoteArgs(LOCK_WAIT)} $missing`;
  return [
    {
      name: "apt.update",
      description: "Refresh the package lists, once per sandbox (a marker file remembers it).",
      check: `test -f ${APT_MARKER} || ${installed}`,
      command: `${update} && ${markUpdated}`,
      timeoutMs,
    },
    {
      name: "apt.install",
      description: `Install the missing packages of ${packages.join(", ")} in one apt-get call.`,
      check: installed,
      command: [
        "missing=''",
        `for p in ${quoteArgs(packages)}; do dpkg-query -W -f=${STATUS_FORMAT} "$p" 2>/dev/null | grep -q ' ok installed$' || missing="$missing $p"; done`,
        `[ -n "$missing" ] || { echo 'all packages already installed'; exit 0; }`,
        // The install's output goes to the caller AND to a log, so its failure can be read afterwards.
        "log=$(mktemp) && rc=$(mktemp) && cleanup=\"$log $rc\" && trap 'rm -f $cleanup' EXIT || exit 1",
        // Keep postinst scripts from starting services on their default ports: the recipes start them on the
        // caller's port. Our policy file is tagged so an interrupted run's leftover is recognised and removed.
        "if [ ! -e /usr/sbin/policy-rc.d ] || grep -q daytona-kit /usr/sbin/policy-rc.d; then " +
          `printf '#!/bin/sh\\n# daytona-kit: no service starts during installs\\nexit 101\\n' > /usr/sbin/policy-rc.d && ` +
          'chmod 755 /usr/sbin/policy-rc.d && cleanup="$cleanup /usr/sbin/policy-rc.d"; fi',
        "export DEBIAN_FRONTEND=noninteractive",
        `echo "installing:$missing"`,
        `try_install() { { ${install}; echo $? > "$rc"; } 2>&1 | tee "$log"; return "$(cat "$rc")"; }`,
        // A sandbox stopped (or OOM-killed) during an install leaves dpkg "interrupted": every later apt-get
        // refuses until `dpkg --configure -a` finishes the job. Do it, say so (a `healed` event), try again.
        "healed() { grep -q 'dpkg was interrupted' \"$log\" || return 1; " +
          `echo '${HEAL_MARKER}dpkg --configure -a\tdpkg was interrupted (a stop or a kill during an earlier install)'; ` +
          "dpkg --configure -a; }",
        // Stale or missing package lists (the marker outlived them): refresh once and try again.
        `try_install || { healed && try_install; } || { ${update} && ${markUpdated} && try_install; }`,
      ].join("\n"),
      timeoutMs,
    },
  ];
}

/** A report command printing `name version` for each installed package. */
export function versionsReport(packages: readonly string[]): string {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a dpkg-query format, not a template
  return `dpkg-query -W -f=${shellQuote("${Package} ${Version}\\n")} ${quoteArgs(packages)}`;
}

/** Parses `name version` lines. */
export function parseVersions(text: string): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const [name, version] = line.trim().split(/\s+/);
    if (name && version) versions[name] = version;
  }
  return versions;
}

/** The recipe behind `provision.apt(packages)`. */
export function aptRecipe(
  packages: readonly string[],
  options: AptOptions = {},
): Result<Recipe<AptResult>, KitError> {
  return validatePackages(packages).andThen((names) =>
    validateTimeout(options.timeoutMs ?? DEFAULT_APT_TIMEOUT_MS).map(
      (timeoutMs): Recipe<AptResult> => ({
        name: "apt",
        steps: aptSteps(names, timeoutMs),
        reports: names.length > 0 ? { "apt-versions": versionsReport(names) } : {},
        parse: (facts) => {
          const versions =
            names.length > 0 ? readReport(facts, "apt-versions", "apt").map(parseVersions) : ok({});
          return versions.map((v) => ({
            versions: v,
            updated: facts.ran.includes("apt.update"),
            changed: facts.ran.length > 0,
          }));
        },
      }),
    ),
  );
}
