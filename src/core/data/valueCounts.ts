// Exact counts per distinct value, in open-addressing hash tables (linear probing, at most half
// full): numbers keyed by their float64 value, strings by their text. A string is found from the
// bytes of an ASCII field without making a string; one is made only for a value not seen before.
// Entries keep the order in which their values were first seen.

const FIRST_SLOTS = 32;

/** A table as plain data, for another thread: its arrays, copied (the hash slots too). */
export interface TableState<K> {
  readonly keys: K;
  readonly counts: Float64Array;
  readonly hashes: Int32Array;
  readonly slots: Int32Array;
}

/** Slots for `entries` entries: a power of two, at most half full. */
function slotsFor(entries: number): number {
  let n = FIRST_SLOTS;
  while (n < 2 * entries) n *= 2;
  return n;
}

/** How often each number was seen. -0 and 0 are one value (as in a Map); NaN is never a key. */
export class NumberCounts {
  keys: Float64Array;
  counts: Float64Array;
  /** The hash of each entry's key, for growing without hashing again. */
  hashes: Int32Array;
  size = 0;
  /** Entry index + 1 per slot; 0 is an empty slot. */
  private slots: Int32Array;
  private mask: number;

  /** A table with room for `entries` values before it grows. */
  constructor(entries = 0) {
    this.slots = new Int32Array(slotsFor(entries));
    this.mask = this.slots.length - 1;
    this.keys = new Float64Array(this.slots.length / 2);
    this.counts = new Float64Array(this.slots.length / 2);
    this.hashes = new Int32Array(this.slots.length / 2);
  }

  /** This table as plain data (a copy). */
  state(): TableState<Float64Array> {
    const n = this.size;
    return {
      keys: this.keys.slice(0, n),
      counts: this.counts.slice(0, n),
      hashes: this.hashes.slice(0, n),
      slots: this.slots.slice(),
    };
  }

  /** The table a state was made of (its arrays, taken over, grow when it does). */
  static of(s: TableState<Float64Array>): NumberCounts {
    const t = new NumberCounts();
    t.keys = s.keys;
    t.counts = s.counts;
    t.hashes = s.hashes;
    t.slots = s.slots;
    t.mask = s.slots.length - 1;
    t.size = s.keys.length;
    return t;
  }

  /** The entry of `x` (hashed `h` by hashNumber), or -1. */
  indexOf(x: number, h: number): number {
    const slots = this.slots;
    const keys = this.keys;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const slot = slots[i]!;
      if (slot === 0) return -1;
      if (keys[slot - 1] === x) return slot - 1;
    }
  }

  /** Counts `x` once more if it is known: true; false if it is not (then insert it, or not). */
  increment(x: number, h: number): boolean {
    const e = this.indexOf(x, h);
    if (e < 0) return false;
    this.counts[e]!++;
    return true;
  }

  /** Adds a value not in the table, seen `count` times. */
  insert(x: number, h: number, count = 1): void {
    if (this.size === this.keys.length) this.growEntries();
    if (2 * (this.size + 1) > this.slots.length) this.growSlots();
    const e = this.size++;
    this.keys[e] = x;
    this.counts[e] = count;
    this.hashes[e] = h;
    this.place(e, h);
  }

  /** Adds `count` to a value's count, inserting it if it is new. */
  add(x: number, h: number, count: number): void {
    const e = this.indexOf(x, h);
    if (e < 0) this.insert(x, h, count);
    else this.counts[e]! += count;
  }

  private place(e: number, h: number): void {
    const mask = this.mask;
    let i = h & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = e + 1;
  }

  private growEntries(): void {
    const n = Math.max(FIRST_SLOTS / 2, this.keys.length * 2);
    this.keys = grown(this.keys, new Float64Array(n));
    this.counts = grown(this.counts, new Float64Array(n));
    this.hashes = grown(this.hashes, new Int32Array(n));
  }

  private growSlots(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    this.mask = this.slots.length - 1;
    for (let e = 0; e < this.size; e++) this.place(e, this.hashes[e]!);
  }
}

/** How often each string was seen. */
export class StringCounts {
  keys: string[] = [];
  counts: Float64Array;
  hashes: Int32Array;
  private slots: Int32Array;
  private mask: number;

  /** A table with room for `entries` values before it grows. */
  constructor(entries = 0) {
    this.slots = new Int32Array(slotsFor(entries));
    this.mask = this.slots.length - 1;
    this.counts = new Float64Array(this.slots.length / 2);
    this.hashes = new Int32Array(this.slots.length / 2);
  }

  get size(): number {
    return this.keys.length;
  }

  /** This table as plain data (a copy). */
  state(): TableState<string[]> {
    const n = this.keys.length;
    return {
      keys: this.keys.slice(),
      counts: this.counts.slice(0, n),
      hashes: this.hashes.slice(0, n),
      slots: this.slots.slice(),
    };
  }

  /** The table a state was made of (its arrays, taken over, grow when it does). */
  static of(s: TableState<string[]>): StringCounts {
    const t = new StringCounts();
    t.keys = s.keys;
    t.counts = s.counts;
    t.hashes = s.hashes;
    t.slots = s.slots;
    t.mask = s.slots.length - 1;
    return t;
  }

  /** The entry of `v` (hashed `h` by hashString), or -1. */
  indexOf(v: string, h: number): number {
    const hh = h | 0;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i]!;
      if (slot === 0) return -1;
      const e = slot - 1;
      if (this.hashes[e] === hh && this.keys[e] === v) return e;
    }
  }

  /**
   * The entry of the ASCII text in `buf` from `start` to `end` (hashed `h` by hashString of that
   * text), or -1.
   */
  indexOfBytes(buf: Uint8Array, start: number, end: number, h: number): number {
    const hh = h | 0;
    const mask = this.mask;
    const length = end - start;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i]!;
      if (slot === 0) return -1;
      const e = slot - 1;
      if (this.hashes[e] !== hh) continue;
      const key = this.keys[e]!;
      if (key.length !== length) continue;
      let k = 0;
      while (k < length && key.charCodeAt(k) === buf[start + k]) k++;
      if (k === length) return e;
    }
  }

  /** Adds a value not in the table, seen `count` times. */
  insert(v: string, h: number, count = 1): void {
    const e = this.keys.length;
    if (e === this.counts.length) {
      this.counts = grown(this.counts, new Float64Array(Math.max(FIRST_SLOTS / 2, e * 2)));
      this.hashes = grown(this.hashes, new Int32Array(Math.max(FIRST_SLOTS / 2, e * 2)));
    }
    if (2 * (e + 1) > this.slots.length) this.growSlots();
    this.keys.push(v);
    this.counts[e] = count;
    this.hashes[e] = h;
    this.place(e, h);
  }

  /** Adds `count` to a value's count, inserting it if it is new. */
  add(v: string, h: number, count: number): void {
    const e = this.indexOf(v, h);
    if (e < 0) this.insert(v, h, count);
    else this.counts[e]! += count;
  }

  private place(e: number, h: number): void {
    const mask = this.mask;
    let i = h & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = e + 1;
  }

  private growSlots(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    this.mask = this.slots.length - 1;
    for (let e = 0; e < this.keys.length; e++) this.place(e, this.hashes[e]!);
  }
}

function grown<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
