/** Seeded pseudo-random numbers, so that every benchmark run generates the same input. */

/** A generator of numbers in [0, 1). */
export type Random = () => number;

/** Returns a mulberry32 generator: fast, 32-bit state, and good enough for test data (not for security). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Returns an integer in [0, count). */
export function pickIndex(random: Random, count: number): number {
  return Math.floor(random() * count);
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[pickIndex(random, items.length)];
}

/**
 * Samples ranks 0..n-1 with probability proportional to 1 / (rank + 1)^exponent (a Zipf distribution),
 * by binary search over the cumulative weights.
 */
export class ZipfSampler {
  private readonly cumulative: Float64Array;

  constructor(
    private readonly random: Random,
    size: number,
    exponent = 1.1,
  ) {
    this.cumulative = new Float64Array(size);
    let total = 0;
    for (let rank = 0; rank < size; rank++) {
      total += 1 / (rank + 1) ** exponent;
      this.cumulative[rank] = total;
    }
  }

  next(): number {
    const target = this.random() * this.cumulative[this.cumulative.length - 1];
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle] < target) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low;
  }
}
