/**
 * Composition: a service (git, PostgreSQL, Redis) is a list of apt packages plus its own steps and reports. Any set
 * of services becomes ONE recipe whose apt part is shared: one `apt-get update`, one `apt-get install` of the union of
 * their packages, then each service's steps in order.
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
  readonly steps: readonly ProvisionStep[];
  readonly reports: Readonly<Record<string, string>>;
  readonly parse: (facts: RecipeFacts) => Result<T, KitError>;
}

type ValueOf<S> = S extends Service<infer T> ? T : never;

/** The typed value of composing the services of `S`. */
export type ComposedValue<S extends Record<string, Service<unknown>>> = { [K in keyof S]: ValueOf<S[K]> };

/** Builds one recipe from several services; their results come back under the same keys. */
export function composeServices<S extends Record<string, Service<unknown>>>(
  name: string,
  services: S,
  aptTimeoutMs = DEFAULT_APT_TIMEOUT_MS,
): Recipe<ComposedValue<S>> {
  const entries = Object.entries(services) as [keyof S & string, Service<unknown>][];
  const packages = [...new Set(entries.flatMap(([, service]) => service.packages))];
  const steps = [...aptSteps(packages, aptTimeoutMs), ...entries.flatMap(([, service]) => service.steps)];
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
