/**
 * Pure path rules of the filesystem facade: every caller path becomes an absolute, normalized POSIX path under
 * the sandbox root, or a typed error. Nothing here touches a driver.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { isWellFormed } from "../shell/text.js";

/** The longest path accepted, in UTF-8 bytes (Linux's `PATH_MAX`). */
export const MAX_PATH_BYTES = 4_096;

/**
 * Percent-encoded `.`, `/` and `\`, also double-encoded (`%252e`): a path that contains one is someone's escape
 * attempt or an encoding mistake.
 */
const ENCODED_SEPARATOR = /%(25)*(2e|2f|5c)/i;

const encoder = new TextEncoder();

/** How a resolved path will be used: the root itself is a valid place to look, never a valid thing to replace. */
export interface ResolveOptions {
  /** Accept the root itself (list, exists, mkdir, resolve). @default false */
  readonly allowRoot?: boolean;
  /** The argument name used in errors. @default "path" */
  readonly argument?: string;
  /**
   * The path names a file (a write or a read): a trailing `/`, `/.` or `/..` names a directory, so it is
   * `InvalidArgument` instead of silently naming the file `x` for `x/`. @default false
   */
  readonly file?: boolean;
}

/**
 * Checks a root directory given in the options: absolute, normalized, no NUL.
 *
 * @example
 * ```ts
 * validateRoot("/workspace/") // => Ok("/workspace")
 * validateRoot("workspace")   // => Err(InvalidArgument)
 * ```
 */
export function validateRoot(root: string): Result<string, KitError> {
  if (typeof root !== "string" || !root.startsWith("/") || root.includes("\0")) {
    return err(
      kitError.invalidArgument(
        "root",
        `The sandbox root must be an absolute path, got ${JSON.stringify(root)}.`,
      ),
    );
  }
  const segments = root.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) {
    return err(
      kitError.invalidArgument(
        "root",
        `The sandbox root must not contain "..", got ${JSON.stringify(root)}.`,
      ),
    );
  }
  return ok(`/${segments.join("/")}`);
}

/**
 * Resolves `input` against `root` (already validated with {@link validateRoot}).
 *
 * - relative paths resolve against the root; absolute paths must already be under it;
 * - `..` that leaves the root at any point, even to come back (`/workspace/../workspace/x`), is `PathOutsideRoot`;
 * - percent-encoded `.`, `/` or `\` (`%2e%2e/`) are refused: `PathOutsideRoot` when the decoded path would escape,
 *   otherwise `InvalidArgument`; nothing in this library ever percent-decodes a path, so such a name is a mistake;
 * - empty paths, NUL bytes, lone UTF-16 surrogates (`"a\uD800"` and `"a\uDBFF"` would both encode to the same
 *   UTF-8 name) and paths over {@link MAX_PATH_BYTES} bytes are `InvalidArgument`;
 * - with `file: true`, a path ending in `/`, `/.` or `/..` (a directory) is `InvalidArgument`.
 *
 * @example
 * ```ts
 * resolveUnderRoot("/workspace", "src/../README.md") // => Ok("/workspace/README.md")
 * resolveUnderRoot("/workspace", "../../etc/passwd") // => Err(PathOutsideRoot)
 * ```
 */
export function resolveUnderRoot(
  root: string,
  input: string,
  options: ResolveOptions = {},
): Result<string, KitError> {
  const argument = options.argument ?? "path";
  if (typeof input !== "string" || input.trim() === "") {
    return err(kitError.invalidArgument(argument, `${argument} must be a non-empty path.`));
  }
  if (input.includes("\0")) {
    return err(kitError.invalidArgument(argument, `${argument} must not contain a NUL byte.`));
  }
  if (!isWellFormed(input)) {
    return err(
      kitError.invalidArgument(
        argument,
        `${argument} contains a lone UTF-16 surrogate: it has no UTF-8 form, and two such names would collide.`,
      ),
    );
  }
  if (options.file && /(^|\/)(\.{0,2})$/.test(input)) {
    return err(
      kitError.invalidArgument(
        argument,
        `${argument} ${JSON.stringify(input)} ends in "/", "/." or "/..", which names a directory, not a file.`,
      ),
    );
  }
  if (encoder.encode(input).byteLength > MAX_PATH_BYTES) {
    return err(kitError.invalidArgument(argument, `${argument} is longer than ${MAX_PATH_BYTES} bytes.`));
  }
  if (ENCODED_SEPARATOR.test(input)) {
    const decoded = decodeRepeatedly(input);
    const escapes = decoded !== undefined && lexicalResolve(root, decoded) === undefined;
    return err(
      escapes
        ? kitError.pathOutsideRoot(input, root)
        : kitError.invalidArgument(
            argument,
            `${argument} ${JSON.stringify(input)} contains a percent-encoded ".", "/" or "\\"; paths are never URL-decoded.`,
          ),
    );
  }
  const resolved = lexicalResolve(root, input);
  if (resolved === undefined) return err(kitError.pathOutsideRoot(input, root));
  if (resolved === root && !options.allowRoot) {
    return err(
      kitError.invalidArgument(
        argument,
        `${argument} must name something inside ${root}, not the root itself.`,
      ),
    );
  }
  return ok(resolved);
}

/**
 * Walks the segments like the kernel would (without symlinks). Returns `undefined` when the walk leaves the root
 * after entering it, or ends outside it.
 */
function lexicalResolve(root: string, input: string): string | undefined {
  const rootSegments = root === "/" ? [] : root.slice(1).split("/");
  const absolute = input.startsWith("/");
  const stack: string[] = absolute ? [] : [...rootSegments];
  let insideRoot = !absolute || rootSegments.length === 0;
  for (const segment of input.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      stack.pop();
      if (insideRoot && stack.length < rootSegments.length) return undefined;
      continue;
    }
    stack.push(segment);
    if (!insideRoot && hasPrefix(stack, rootSegments)) insideRoot = true;
  }
  if (!insideRoot || !hasPrefix(stack, rootSegments)) return undefined;
  return `/${stack.join("/")}`;
}

function hasPrefix(stack: readonly string[], prefix: readonly string[]): boolean {
  if (stack.length < prefix.length) return false;
  return prefix.every((segment, i) => stack[i] === segment);
}

/** Decodes until stable (double encoding such as `%252e` included); `undefined` when the text is not valid. */
function decodeRepeatedly(input: string): string | undefined {
  let current = input;
  for (let i = 0; i < 4; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return undefined;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

/** The parent directory of an absolute path (`/` for top-level entries). */
export function parentOf(path: string): string {
  const index = path.lastIndexOf("/");
  return index <= 0 ? "/" : path.slice(0, index);
}

/** The last segment of an absolute path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Joins an absolute directory and a single name. */
export function joinPath(dir: string, name: string): string {
  return dir === "/" ? `/${name}` : `${dir}/${name}`;
}
