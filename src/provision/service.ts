/**
 * Composition: a service (git, PostgreSQL, Redis) is a list of apt packages plus its own steps and reports. Any set
 * of services becomes ONE recipe whose apt part is shared: one `apt-get update`, one `apt-get install` of the union of
 * their packages, then each service's steps in order.
 *
 * A service's steps come in two phases, so one definition serves two uses: `install` steps only change the image
 * (packages, clusters, configuration files) and can be baked into a prebaked image once; `steps` are what every
 * sandbox does itself (start a server, create a database, write the git identity). A running sandbox gets both,
 * in that order; a sandbox created from a prebaked image gets only `steps` ({@link composeStart}).
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import type { KitError } from "../errors.js";
import { aptSteps, DEFAULT_APT_TIMEOUT_MS } from "./apt.js";
import type { Recipe, RecipeFacts } from "./engine.js";
import type { ProvisionStep } from "./types.js";

/** One service's part of a recipe. */
export interface Service<T> {
  readonly name: string;
  /** Debian packages the service needs (validated constants). */
  readonly packages: readonly string[];
  /** Steps that only change the image, run after the shared apt steps: baked into a prebaked image. */
  readonly install?: readonly ProvisionStep[];
  /** Steps every sandbox runs itself, after `install` (never an apt-get: they must work on a baked sandbox). */
  readonly steps: readonly ProvisionStep[];
  readonly reports: Readonly<Record<string, string>>;
  readonly parse: (facts: RecipeFacts) => Result<T, KitError>;
}

type ValueOf<S> = S extends Service<infer T> ? T : never;

/** The typed value of composing the services of `S`. */
export type ComposedValue<S extends Record<string, Service<unknown>>> = { [K in keyof S]: ValueOf<S[K]> };

/**
 * Builds one recipe from several services; their results come back under the same keys. `extraPackages` join the
 * one apt install (after the services' own packages).
 */
export function composeServices<S extends Record<string, Service<unknown>>>(
  name: string,
  services: S,
  aptTimeoutMs = DEFAULT_APT_TIMEOUT_MS,
  extraPackages: readonly string[] = [],
): Recipe<ComposedValue<S>> {
  const entries = Object.values(services);
  const steps = [
    ...aptSteps(packagesOf(services, extraPackages), aptTimeoutMs),
    ...entries.flatMap((service) => [...(service.install ?? []), ...service.steps]),
  ];
  return withSteps(name, services, steps);
}

/**
 * The install phase of `services`: the shared apt steps over the union of their packages and `extraPackages`,
 * then each service's `install` steps. What a prebaked image bakes in.
 */
export function composeInstall(
  services: Readonly<Record<string, Service<unknown>>>,
  aptTimeoutMs = DEFAULT_APT_TIMEOUT_MS,
  extraPackages: readonly string[] = [],
): ProvisionStep[] {
  return [
    ...aptSteps(packagesOf(services, extraPackages), aptTimeoutMs),
    ...Object.values(services).flatMap((service) => service.install ?? []),
  ];
}

/**
 * The per-sandbox phase of `services` as a recipe: only their `steps` (no apt step, no install step), with the
 * same reports and result as {@link composeServices}. What a sandbox created from a prebaked image runs, in one
 * exec round trip (`oneTrip`).
 */
export function composeStart<S extends Record<string, Service<unknown>>>(
  name: string,
  services: S,
): Recipe<ComposedValue<S>> {
  const recipe = withSteps(
    name,
    services,
    Object.values(services).flatMap((service) => service.steps),
  );
  // Starting servers takes well under a second each: the round trips would cost as much as the work.
  return { ...recipe, oneTrip: true };
}

/** Every package the services need, then `extra`, each once, in first-seen order. */
function packagesOf(
  services: Readonly<Record<string, Service<unknown>>>,
  extra: readonly string[],
): string[] {
  return [...new Set([...Object.values(services).flatMap((service) => service.packages), ...extra])];
}

/** The recipe of `services` running `steps`: their reports, and their results under their keys. */
function withSteps<S extends Record<string, Service<unknown>>>(
  name: string,
  services: S,
  steps: readonly ProvisionStep[],
): Recipe<ComposedValue<S>> {
  const entries = Object.entries(services) as [keyof S & string, Service<unknown>][];
  const reports = Object.assign({}, ...entries.map(([, service]) => service.reports)) as Record<
    string,
    string
  >;
  return {
    name,
    steps,
    reports,
    parse: (facts) => {
      const value: Partial<Record<keyof S, unknown>> = {};
      for (const [key, service] of entries) {
        const parsed = service.parse(facts);
        if (parsed.isErr()) return err(parsed.error);
        value[key] = parsed.value;
      }
      return ok(value as ComposedValue<S>);
    },
  };
}

/** Whether any step of `service` ran (its own steps, or the shared apt steps). */
export function serviceChanged(facts: RecipeFacts, service: string): boolean {
  return facts.ran.some((step) => step.startsWith(`${service}.`));
}
