/** Removes credentials from text that may end up in an error message or a log. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text.replace(/(Bearer\s+)[^\s"',]+/gi, "$1[redacted]");
  for (const secret of secrets) {
    // Short strings would redact ordinary words; real keys and tokens are long.
    if (secret.length >= 8) out = out.split(secret).join("[redacted]");
  }
  return out.replace(/\bdtn_[A-Za-z0-9]{8,}/g, "dtn_[redacted]");
}
