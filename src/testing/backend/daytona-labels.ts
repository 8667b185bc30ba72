/**
 * The real (local) toolbox back end keeps no database of its own: the local driver's records under `--home` are the
 * source of truth, so a server restart finds every sandbox again. The Daytona-side fields a local sandbox does not
 * have (the Daytona name, the target, which server created it) ride along in the local record's labels under one
 * reserved prefix; the user's own labels are stored as they are.
 * @module
 */
import { err, ok, type Result } from "neverthrow";

/** Prefix of the labels the server reserves for itself; a user label starting with it is refused. */
export const RESERVED_LABEL_PREFIX = "daytona-kit.serve/";

const NAME = `${RESERVED_LABEL_PREFIX}name`;
const TARGET = `${RESERVED_LABEL_PREFIX}target`;
const SNAPSHOT = `${RESERVED_LABEL_PREFIX}snapshot`;

/** The label naming the server run that created a sandbox (`--cleanup` lists its own by it). */
export const CREATED_BY_LABEL = `${RESERVED_LABEL_PREFIX}created-by`;
const CREATED_BY = CREATED_BY_LABEL;

/** The Daytona-side fields of one sandbox that the local driver has no field for. */
export interface DaytonaSideFields {
  /** The user's labels, as Daytona shows them. */
  readonly labels: Readonly<Record<string, string>>;
  /** The Daytona sandbox name. */
  readonly name: string;
  /** The Daytona target (region). */
  readonly target: string;
  /** Id of the server run that created the sandbox (`--cleanup` deletes only its own); absent when unknown. */
  readonly createdBy?: string | undefined;
  /** The snapshot (local image) the sandbox was created from; absent for one made from an image build. */
  readonly snapshot?: string | undefined;
}

/** What {@link toLocalLabels} stores: without a name, the sandbox's Daytona name is its id. */
export type LocalLabelFields = Omit<DaytonaSideFields, "name"> & { readonly name?: string | undefined };

/** True when a local record carries the server's labels (a sandbox created through the local Daytona). */
export function isServedSandbox(local: Readonly<Record<string, string>>): boolean {
  return Object.hasOwn(local, TARGET);
}

/**
 * The local labels that store `fields`, or the 400 message when a user label uses the reserved prefix (it would
 * overwrite, or be mistaken for, the server's own fields).
 */
export function toLocalLabels(fields: LocalLabelFields): Result<Record<string, string>, string> {
  const reserved = Object.keys(fields.labels).find((key) => key.startsWith(RESERVED_LABEL_PREFIX));
  if (reserved !== undefined) {
    return err(
      `Label ${reserved} is reserved: labels starting with ${RESERVED_LABEL_PREFIX} are the server's own`,
    );
  }
  const local: Record<string, string> = { ...fields.labels, [TARGET]: fields.target };
  if (fields.name !== undefined) local[NAME] = fields.name;
  if (fields.createdBy !== undefined) local[CREATED_BY] = fields.createdBy;
  if (fields.snapshot !== undefined) local[SNAPSHOT] = fields.snapshot;
  return ok(local);
}

/**
 * The Daytona-side fields read back from a local record's labels. A record made outside the server (no reserved
 * labels) shows its local id as its name and `fallbackTarget` as its target.
 */
export function fromLocalLabels(
  local: Readonly<Record<string, string>>,
  localId: string,
  fallbackTarget: string,
): DaytonaSideFields {
  // fromEntries defines own properties: a `__proto__` label stays a label instead of setting the prototype.
  const labels = Object.fromEntries(
    Object.entries(local).filter(([key]) => !key.startsWith(RESERVED_LABEL_PREFIX)),
  );
  return {
    labels,
    name: local[NAME] ?? localId,
    target: local[TARGET] ?? fallbackTarget,
    ...(local[CREATED_BY] !== undefined ? { createdBy: local[CREATED_BY] } : {}),
    ...(local[SNAPSHOT] !== undefined ? { snapshot: local[SNAPSHOT] } : {}),
  };
}
