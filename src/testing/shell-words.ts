/**
 * A deliberately small shell tokenizer for the default command responder: words with single/double quotes,
 * backslash escapes and `$VAR`/`${VAR}` expansion, and the operators `&&`, `||`, `;`, newline and the redirections
 * `>`, `>>`, `2>`, `2>&1`. Anything it does not understand (pipes, `$(…)`, backticks, `<`, `&`) makes it give up,
 * so the responder can answer "unknown command" instead of guessing.
 */
export type ShellToken = { type: "word"; value: string } | { type: "op"; value: string };

/** Tokenizes `text`, expanding variables from `env`; `undefined` when it uses unsupported syntax. */
export function tokenize(text: string, env: Readonly<Record<string, string>>): ShellToken[] | undefined {
  const tokens: ShellToken[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  const flush = () => {
    if (inWord) tokens.push({ type: "word", value: word });
    word = "";
    inWord = false;
  };
  const expand = (): string | undefined => {
    // at text[i] === "$"
    const braced = text[i + 1] === "{";
    const start = braced ? i + 2 : i + 1;
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(start));
    if (!match) {
      if (text[i + 1] === "(") return undefined;
      i += 1;
      return "$";
    }
    const name = match[0];
    let end = start + name.length;
    if (braced) {
      if (text[end] !== "}") return undefined;
      end += 1;
    }
    i = end;
    return env[name] ?? "";
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (!inWord && ch === "2" && text[i + 1] === ">") {
      const op = text.startsWith("2>&1", i) ? "2>&1" : "2>";
      tokens.push({ type: "op", value: op });
      i += op.length;
      continue;
    }
    if (ch === " " || ch === "\t") {
      flush();
      i += 1;
    } else if (ch === "|" || ch === "&" || ch === "<" || ch === "`" || ch === "(" || ch === ")") {
      if (ch === "&" && text[i + 1] === "&") {
        flush();
        tokens.push({ type: "op", value: "&&" });
        i += 2;
        continue;
      }
      if (ch === "|" && text[i + 1] === "|") {
        flush();
        tokens.push({ type: "op", value: "||" });
        i += 2;
        continue;
      }
      return undefined;
    } else if (ch === ";" || ch === "\n" || ch === ">") {
      flush();
      const op = ch === ">" && text[i + 1] === ">" ? ">>" : ch;
      tokens.push({ type: "op", value: op });
      i += op.length;
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return undefined;
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
          if (value === undefined) return undefined;
          word += value;
        } else if (c === "`") {
          return undefined;
        } else {
          word += c;
          i += 1;
        }
      }
      if (i >= text.length) return undefined;
      i += 1;
    } else if (ch === "\\") {
      if (i + 1 < text.length && text[i + 1] !== "\n") word += text[i + 1];
      inWord = inWord || text[i + 1] !== "\n";
      i += 2;
    } else if (ch === "$") {
      const value = expand();
      if (value === undefined) return undefined;
      word += value;
      inWord = true;
    } else if (ch === "#" && !inWord) {
      while (i < text.length && text[i] !== "\n") i += 1;
    } else {
      word += ch;
      inWord = true;
      i += 1;
    }
  }
  flush();
  return tokens;
}
