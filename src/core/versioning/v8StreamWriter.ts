/*
 * Writes V8's serialization format (what v8.serialize makes and v8.deserialize reads) piece by
 * piece, for plain objects of strings and numbers too large to build in memory first: the state
 * of a million files. Only the tags such objects need:
 *
 *   0xFF version · 'o' (key value)… '{' count · '"' length latin-1 bytes ·
 *   [0x00 padding] 'c' byte-length UTF-16LE bytes (aligned to 2) · 'N' float64 (little-endian)
 *
 * v8.serialize writes integer-like keys ("7") as numbers; a string key reads back the same.
 */

/** The format version Node 20's V8 writes; later versions of V8 still read it. */
const FORMAT_VERSION = 15;
const BUFFER_BYTES = 1 << 20;
/** A character beyond Latin-1: the string takes two bytes a character. */
const WIDE = /[\u0100-\uffff]/;

export class V8StreamWriter {
  private buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private at = 0;
  /** Bytes handed to `flush` so far (two-byte strings are aligned within the whole). */
  private flushed = 0;

  /** `flush` takes each piece at once (the buffer is reused after it returns). */
  constructor(private readonly flush: (bytes: Buffer) => void) {
    this.byte(0xff);
    this.varint(FORMAT_VERSION);
  }

  beginObject(): void {
    this.byte(0x6f);
  }

  /** Ends an object that had `properties` key-value pairs. */
  endObject(properties: number): void {
    this.byte(0x7b);
    this.varint(properties);
  }

  string(s: string): void {
    if (!WIDE.test(s)) {
      this.byte(0x22);
      this.varint(s.length);
      this.bytes(s, 'latin1', s.length);
    } else {
      const length = s.length * 2;
      if ((this.flushed + this.at + 1 + varintBytes(length)) & 1) this.byte(0x00);
      this.byte(0x63);
      this.varint(length);
      this.bytes(s, 'utf16le', length);
    }
  }

  double(n: number): void {
    this.byte(0x4e);
    this.room(8);
    this.buf.writeDoubleLE(n, this.at);
    this.at += 8;
  }

  /** Hands on what is left; the writer is done. */
  end(): void {
    if (this.at > 0) this.flush(this.buf.subarray(0, this.at));
    this.flushed += this.at;
    this.at = 0;
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.at++] = b;
  }

  private varint(n: number): void {
    for (; n >= 0x80; n = Math.floor(n / 0x80)) this.byte((n % 0x80) | 0x80);
    this.byte(n);
  }

  private bytes(s: string, encoding: 'latin1' | 'utf16le', length: number): void {
    if (length > BUFFER_BYTES) {
      this.end();
      this.flush(Buffer.from(s, encoding));
      this.flushed += length;
      return;
    }
    this.room(length);
    this.at += this.buf.write(s, this.at, encoding);
  }

  private room(n: number): void {
    if (this.at + n <= BUFFER_BYTES) return;
    this.flush(this.buf.subarray(0, this.at));
    this.flushed += this.at;
    this.at = 0;
  }
}

function varintBytes(n: number): number {
  let bytes = 1;
  for (; n >= 0x80; n = Math.floor(n / 0x80)) bytes++;
  return bytes;
}
