/**
 * A runtime check of JSON bodies against the SDK's generated models, read from the `.d.ts` files that
 * `@daytona/api-client` and `@daytona/toolbox-api-client` install (one interface per file, properties written as
 * `'name'?: type;`). It understands what the generator emits: `string`, `number`, `boolean`, `Date` (an ISO
 * string on the wire), `T | null`, `Array<T>`, `{ [key: string]: T; }`, other models and string enums. A body
 * field the model does not declare is a violation too (the SDK ignores it, but the real server never sends it).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export type SdkPackage = "@daytona/api-client" | "@daytona/toolbox-api-client";

interface Property {
  readonly name: string;
  readonly optional: boolean;
  readonly type: string;
}

type Definition =
  | { readonly kind: "interface"; readonly properties: Property[]; readonly file: string }
  | { readonly kind: "enum"; readonly values: string[] };

const require = createRequire(import.meta.url);
const cache = new Map<string, Definition>();

/** `SandboxListItem` → `sandbox-list-item`. */
function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

function modelsDir(pkg: SdkPackage): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), "src", "models");
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
}

/** Splits `a; b { c; }; d` on the semicolons at brace depth 0. */
function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of body) {
    if (ch === "{" || ch === "<") depth += 1;
    if (ch === "}" || ch === ">") depth -= 1;
    if (ch === ";" && depth === 0) {
      parts.push(current.trim());
      current = "";
    } else current += ch;
  }
  if (current.trim() !== "") parts.push(current.trim());
  return parts;
}

/** The body between the `{` at `open` and its matching `}`. */
function braced(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth += 1;
    if (text[i] === "}") {
      depth -= 1;
      if (depth === 0) return text.slice(open + 1, i);
    }
  }
  throw new Error("unbalanced braces");
}

/** Reads the definition of `name` from `file` (a model file of `pkg`). */
function load(pkg: SdkPackage, name: string, file = kebab(name)): Definition {
  const key = `${pkg}:${name}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const text = stripComments(readFileSync(join(modelsDir(pkg), `${file}.d.ts`), "utf8"));
  const enumStart = text.search(new RegExp(`export declare const ${name}: \\{`));
  const interfaceStart = text.search(new RegExp(`export interface ${name} \\{`));
  let definition: Definition;
  if (interfaceStart >= 0) {
    const body = braced(text, text.indexOf("{", interfaceStart));
    const properties = splitTopLevel(body).map((part) => {
      const match = /^'([^']+)'(\?)?:\s*([\s\S]+)$/.exec(part);
      if (!match) throw new Error(`cannot read property "${part}" of ${name}`);
      return { name: match[1] as string, optional: match[2] === "?", type: (match[3] as string).trim() };
    });
    definition = { kind: "interface", properties, file };
  } else if (enumStart >= 0) {
    const body = braced(text, text.indexOf("{", enumStart));
    const values = [...body.matchAll(/readonly \w+: "([^"]*)"/g)]
      .map((m) => m[1] as string)
      .filter((v) => v !== "11184809"); // the generator's UNKNOWN_DEFAULT_OPEN_API placeholder
    definition = { kind: "enum", values };
  } else throw new Error(`no model ${name} in ${file}.d.ts`);
  cache.set(key, definition);
  return definition;
}

/** The file a type name used in `file` comes from (its `import type` line), or `file` itself (inline enums). */
function fileOf(pkg: SdkPackage, name: string, file: string): string {
  const text = readFileSync(join(modelsDir(pkg), `${file}.d.ts`), "utf8");
  const match = new RegExp(`import type \\{ ${name} \\} from '\\./([^']+)'`).exec(text);
  return match ? (match[1] as string) : file;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function checkType(pkg: SdkPackage, type: string, value: unknown, path: string, file: string): string[] {
  const union = type.split(/\s*\|\s*(?![^<{]*[>}])/);
  if (union.length > 1) {
    const results = union.map((member) => checkType(pkg, member, value, path, file));
    return results.some((r) => r.length === 0) ? [] : (results[0] ?? []);
  }
  const fail = (expected: string) => [`${path}: expected ${expected}, got ${JSON.stringify(value)}`];
  if (type === "string") return typeof value === "string" ? [] : fail("a string");
  if (type === "number") return typeof value === "number" && Number.isFinite(value) ? [] : fail("a number");
  if (type === "boolean") return typeof value === "boolean" ? [] : fail("a boolean");
  if (type === "null") return value === null ? [] : fail("null");
  if (type === "any" || type === "object") return value === undefined ? fail("a value") : [];
  if (type === "Date") return typeof value === "string" && ISO_DATE.test(value) ? [] : fail("an ISO date");
  const array = /^Array<([\s\S]+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) return fail("an array");
    return value.flatMap((item, i) => checkType(pkg, array[1] as string, item, `${path}[${i}]`, file));
  }
  const record = /^\{\s*\[key: string\]:\s*([\s\S]+?);?\s*\}$/.exec(type);
  if (record) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return fail("an object");
    return Object.entries(value).flatMap(([k, v]) =>
      checkType(pkg, record[1] as string, v, `${path}.${k}`, file),
    );
  }
  if (/^[A-Z]\w*$/.test(type)) return violations(pkg, type, value, path, fileOf(pkg, type, file));
  throw new Error(`${path}: the check does not understand the type "${type}"`);
}

/**
 * Every way `value` differs from the SDK model `model` of `pkg` (empty when it conforms).
 *
 * @example
 * violations("@daytona/api-client", "Sandbox", await response.json()); // []
 */
export function violations(
  pkg: SdkPackage,
  model: string,
  value: unknown,
  path = model,
  file = kebab(model),
): string[] {
  const definition = load(pkg, model, file);
  if (definition.kind === "enum") {
    return typeof value === "string" && definition.values.includes(value)
      ? []
      : [`${path}: ${JSON.stringify(value)} is not one of ${model} (${definition.values.join(", ")})`];
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [`${path}: expected a ${model} object, got ${JSON.stringify(value)}`];
  }
  const body = value as Record<string, unknown>;
  const found: string[] = [];
  const declared = new Set(definition.properties.map((p) => p.name));
  for (const key of Object.keys(body)) {
    if (!declared.has(key)) found.push(`${path}.${key}: not a field of ${model}`);
  }
  for (const property of definition.properties) {
    const field = body[property.name];
    if (field === undefined) {
      if (!property.optional) found.push(`${path}.${property.name}: required by ${model}, missing`);
      continue;
    }
    found.push(...checkType(pkg, property.type, field, `${path}.${property.name}`, definition.file));
  }
  return found;
}

/** The properties a model declares (name → required), for tests of the checker itself. */
export function propertiesOf(pkg: SdkPackage, model: string): Record<string, boolean> {
  const definition = load(pkg, model);
  if (definition.kind !== "interface") throw new Error(`${model} is an enum`);
  return Object.fromEntries(definition.properties.map((p) => [p.name, !p.optional]));
}
