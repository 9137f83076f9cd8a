/**
 * A seeded pseudo-random generator (mulberry32), so that the generator writes the same sample files on
 * every run and the tests can assert exact counts.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Returns a number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Returns an integer from `min` to `max`, both inclusive. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.integer(0, items.length - 1)];
  }

  uuid(): string {
    const hex = this.characters('0123456789abcdef', 32);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  }

  upperAlphanumeric(length: number): string {
    return this.characters('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', length);
  }

  hex(length: number): string {
    return this.characters('0123456789abcdef', length);
  }

  base64(length: number): string {
    return this.characters('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', length);
  }

  private characters(alphabet: string, length: number): string {
    let text = '';
    for (let i = 0; i < length; i++) {
      text += alphabet[Math.floor(this.next() * alphabet.length)];
    }
    return text;
  }
}
