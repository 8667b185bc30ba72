/**
 * Keeps the last `maxBytes` bytes of a command's output in memory, whatever its length, so a command that prints
 * gigabytes cannot exhaust the caller's memory. Bytes are copied into one buffer that grows up to `maxBytes` and
 * then wraps around (a ring): however long the output, the tail allocates nothing more and leaves no garbage; the
 * ring is put back in order in place before decoding.
 * @module
 */

const GROW_STEP_LIMIT = 1024 * 1024;

/** A bounded tail of a byte stream. */
export class OutputTail {
  readonly #maxBytes: number;
  #buffer = Buffer.alloc(0);
  /** Index of the oldest kept byte (0 until the buffer wraps). */
  #head = 0;
  #size = 0;
  #total = 0;

  /** @param maxBytes most bytes kept (0 keeps nothing). */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Appends a copy of `chunk`. */
  push(chunk: Uint8Array): void {
    this.#total += chunk.byteLength;
    const max = this.#maxBytes;
    if (max === 0 || chunk.byteLength === 0) return;
    if (chunk.byteLength >= max) {
      this.#grow(max);
      this.#buffer.set(chunk.subarray(chunk.byteLength - max));
      this.#head = 0;
      this.#size = max;
      return;
    }
    const wanted = this.#size + chunk.byteLength;
    if (this.#head === 0 && wanted <= max) {
      // Not wrapped yet: append, growing by doubling up to 1 MiB, then straight to the limit (the old buffers are
      // garbage until the next GC: doubling up to 10 MiB would leave as much again behind).
      if (wanted > this.#buffer.byteLength) {
        const doubled = Math.max(wanted, this.#buffer.byteLength * 2);
        this.#grow(doubled > GROW_STEP_LIMIT ? max : Math.min(max, doubled));
      }
      this.#buffer.set(chunk, this.#size);
      this.#size = wanted;
      return;
    }
    this.#grow(max);
    const at = (this.#head + this.#size) % max;
    const first = Math.min(chunk.byteLength, max - at);
    this.#buffer.set(chunk.subarray(0, first), at);
    this.#buffer.set(chunk.subarray(first), 0);
    if (wanted > max) this.#head = (this.#head + (wanted - max)) % max;
    this.#size = Math.min(max, wanted);
  }

  /** Whether anything was dropped (the text is only a tail). */
  get truncated(): boolean {
    return this.#total > this.#size;
  }

  /** The kept bytes as UTF-8 text, starting on a character boundary when the start was dropped. */
  text(): string {
    this.#unwrap();
    const kept = this.#buffer.subarray(0, this.#size);
    let start = 0;
    if (this.truncated) while (start < kept.byteLength && ((kept[start] ?? 0) & 0xc0) === 0x80) start++;
    return kept.toString("utf8", start);
  }

  /** Rotates a wrapped ring in place (three reversals: no second buffer) so the kept bytes start at index 0. */
  #unwrap(): void {
    if (this.#head === 0) return;
    const ring = this.#buffer.subarray(0, this.#maxBytes);
    ring.subarray(0, this.#head).reverse();
    ring.subarray(this.#head).reverse();
    ring.reverse();
    this.#head = 0;
  }

  /** Grows the buffer to `bytes` (never shrinks), keeping the kept bytes in order from index 0. */
  #grow(bytes: number): void {
    if (this.#buffer.byteLength >= bytes) return;
    const grown = Buffer.allocUnsafeSlow(bytes);
    const end = this.#head + this.#size;
    if (end <= this.#buffer.byteLength) {
      this.#buffer.copy(grown, 0, this.#head, end);
    } else {
      const firstPart = this.#buffer.byteLength - this.#head;
      this.#buffer.copy(grown, 0, this.#head);
      this.#buffer.copy(grown, firstPart, 0, end - this.#buffer.byteLength);
    }
    this.#buffer = grown;
    this.#head = 0;
  }
}
