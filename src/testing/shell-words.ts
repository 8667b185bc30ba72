/**
 * Splits ONE simple command of the mini shell into words and redirection operators, expanding `$VAR`, `${VAR}` and
 * `$?` through `lookup` at run time (so `export X=1; echo $X` sees the new value). Words may use single and double
 * quotes and backslashes. Operators: `>`, `>>`, `<`, `2>`, `2>&1`, `>&2`. Syntax it does not run (pipes, `&`,
 * `$(…)`, backticks, subshells) is reported by name, so the shell can fail loudly instead of guessing.
 */
export type ShellToken = { type: "word"; value: string } | { type: "op"; value: string };

/** The tokens, or the unsupported construct that stopped the tokenizer. */
export type TokenizeResult = { readonly tokens: ShellToken[] } | { readonly unsupported: string };

const UNSUPPORTED: Record<string, string> = {
  "|": "pipes (|)",
  "&": "background jobs (&)",
  "`": "command substitution (`…`)",
  "(": "subshells and functions (( … ))",
  ")": "subshells and functions (( … ))",
};

/** Tokenizes `text`; `lookup` answers a variable's value (`undefined` = unset, expands to nothing). */
export function tokenize(text: string, lookup: (name: string) => string | undefined): TokenizeResult {
  const tokens: ShellToken[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  const flush = () => {
    if (inWord) tokens.push({ type: "word", value: word });
    word = "";
    inWord = false;
  };
  /** At text[i] === "$": the expansion, or `undefined` for `$(`. */
  const expand = (): string | undefined => {
    if (text[i + 1] === "(") return undefined;
    if (text[i + 1] === "?") {
      i += 2;
      return lookup("?") ?? "0";
    }
    const braced = text[i + 1] === "{";
    const start = braced ? i + 2 : i + 1;
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(start));
    if (!match || (braced && text[start + match[0].length] !== "}")) {
      i += 1;
      return "$";
    }
    i = start + match[0].length + (braced ? 1 : 0);
    return lookup(match[0]) ?? "";
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (!inWord && ch === "2" && text[i + 1] === ">") {
      const op = text.startsWith("2>&1", i) ? "2>&1" : "2>";
      tokens.push({ type: "op", value: op });
      i += op.length;
    } else if (ch === " " || ch === "\t" || ch === "\n") {
      flush();
      i += 1;
    } else if (ch === ">" || ch === "<") {
      flush();
      const op = text.startsWith(">>", i) ? ">>" : text.startsWith(">&2", i) ? ">&2" : ch;
      tokens.push({ type: "op", value: op });
      i += op.length;
    } else if (ch in UNSUPPORTED) {
      return { unsupported: UNSUPPORTED[ch] as string };
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return { unsupported: "an unterminated quote" };
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      inWord = true;
      i += 1;
      while (i < text.length && text[i] !== '"') {
        const c = text[i] as string;
        if (c === "\\" && i + 1 < text.length && '"\\$`'.includes(text[i + 1] as string)) {
          word += text[i + 1];
          i += 2;
        } else if (c === "$") {
          const value = expand();
          if (value === undefined) return { unsupported: "command substitution ($(…))" };
          word += value;
        } else if (c === "`") {
          return { unsupported: UNSUPPORTED["`"] as string };
        } else {
          word += c;
          i += 1;
        }
      }
      if (i >= text.length) return { unsupported: "an unterminated quote" };
      i += 1;
    } else if (ch === "\\") {
      if (i + 1 < text.length && text[i + 1] !== "\n") {
        word += text[i + 1];
        inWord = true;
      }
      i += 2;
    } else if (ch === "$") {
      const value = expand();
      if (value === undefined) return { unsupported: "command substitution ($(…))" };
      word += value;
      inWord = true;
    } else {
      word += ch;
      inWord = true;
      i += 1;
    }
  }
  flush();
  return { tokens };
}
