/**
 * Splits a script for the mini shell into simple commands joined by `&&`, `||`, `;` or newlines, each with the
 * line it starts on (for `sh: LINE: …` messages) and its here-document, if any (`<<WORD`, `<<-WORD`, `<<'WORD'`).
 * Quotes, backslashes and comments are respected; everything inside a command is left for the tokenizer.
 */

/** A here-document attached to a command: its body and whether `$VAR`s in it expand (unquoted delimiter). */
export interface HereDoc {
  readonly body: string;
  readonly expand: boolean;
}

/** One simple command of a script. */
export interface ScriptStep {
  /** The command's text, here-document operator removed. */
  readonly text: string;
  /** How it joins the previous command (`;` for the first). */
  readonly joiner: "&&" | "||" | ";";
  /** 1-based line the command starts on. */
  readonly line: number;
  readonly hereDoc?: HereDoc;
}

/** Splits `script` into steps. */
export function splitScript(script: string): ScriptStep[] {
  const steps: ScriptStep[] = [];
  let text = "";
  let joiner: ScriptStep["joiner"] = ";";
  let line = 1;
  let startLine = 1;
  let pending: { delimiter: string; stripTabs: boolean; expand: boolean } | undefined;
  let hereDoc: HereDoc | undefined;
  let i = 0;

  const push = (next: ScriptStep["joiner"]) => {
    if (text.trim() !== "") {
      steps.push({ text, joiner, line: startLine, ...(hereDoc ? { hereDoc } : {}) });
      joiner = next;
    } else if (next !== ";") {
      joiner = next;
    }
    text = "";
    hereDoc = undefined;
    startLine = line;
  };

  /** At a newline with a pending here-document: consumes its body lines up to the delimiter line. */
  const readHereDoc = () => {
    if (!pending) return;
    const lines: string[] = [];
    while (i < script.length) {
      const end = script.indexOf("\n", i);
      const raw = script.slice(i, end < 0 ? script.length : end);
      i = end < 0 ? script.length : end + 1;
      line += 1;
      const candidate = pending.stripTabs ? raw.replace(/^\t+/, "") : raw;
      if (candidate === pending.delimiter) break;
      lines.push(candidate);
    }
    hereDoc = { body: lines.map((l) => `${l}\n`).join(""), expand: pending.expand };
    pending = undefined;
  };

  while (i < script.length) {
    const ch = script[i] as string;
    const atWordStart = text === "" || /\s$/.test(text);
    if (ch === "'" || ch === '"') {
      const end = findClosingQuote(script, i);
      text += script.slice(i, end + 1);
      line += countNewlines(script.slice(i, end + 1));
      i = end + 1;
    } else if (ch === "\\") {
      text += script.slice(i, i + 2);
      if (script[i + 1] === "\n") line += 1;
      i += 2;
    } else if (ch === "#" && atWordStart) {
      while (i < script.length && script[i] !== "\n") i += 1;
    } else if (ch === "<" && script[i + 1] === "<" && script[i + 2] !== "<") {
      const match = /^<<(-?)\s*(?:'([^']*)'|"([^"]*)"|([^\s;&|<>]+))/.exec(script.slice(i));
      if (!match) {
        text += ch;
        i += 1;
        continue;
      }
      const quoted = match[2] ?? match[3];
      pending = {
        delimiter: quoted ?? match[4] ?? "",
        stripTabs: match[1] === "-",
        expand: quoted === undefined,
      };
      text += " ";
      i += match[0].length;
    } else if (ch === "\n") {
      i += 1;
      line += 1;
      readHereDoc();
      push(";");
    } else if (ch === ";") {
      i += 1;
      push(";");
    } else if ((ch === "&" || ch === "|") && script[i + 1] === ch) {
      i += 2;
      push(ch === "&" ? "&&" : "||");
    } else {
      text += ch;
      i += 1;
    }
  }
  if (pending) readHereDoc();
  push(";");
  return steps;
}

/** Index of the quote closing the one at `start` (the end of the script when unterminated). */
function findClosingQuote(script: string, start: number): number {
  const quote = script[start];
  for (let i = start + 1; i < script.length; i++) {
    if (quote === '"' && script[i] === "\\") i += 1;
    else if (script[i] === quote) return i;
  }
  return script.length - 1;
}

function countNewlines(text: string): number {
  return text.split("\n").length - 1;
}
