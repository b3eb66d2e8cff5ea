/**
 * Watches the MQTT byte stream before the packet parser and reports a packet whose declared
 * length is over the limit, so an oversized PUBLISH is refused from its fixed header, before
 * the broker buffers its body. A fixed header is one type byte and a 1-4 byte variable length.
 */
export type GuardVerdict =
  { ok: true } | { ok: false; reason: 'too-large'; declared: number } | { ok: false; reason: 'malformed' };

export class MqttFrameGuard {
  /** Bytes of the current packet's body still to skip. */
  private remaining = 0;
  /** In the fixed header: 0 = expecting the type byte, 1..4 = reading length bytes. */
  private headerState = 0;
  private length = 0;
  private multiplier = 1;

  constructor(private readonly maxPacketBytes: number) {}

  feed(chunk: Uint8Array): GuardVerdict {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const skip = Math.min(this.remaining, chunk.length - i);
        this.remaining -= skip;
        i += skip;
        continue;
      }
      const byte = chunk[i++]!;
      if (this.headerState === 0) {
        this.headerState = 1;
        this.length = 0;
        this.multiplier = 1;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      if (byte & 0x80) {
        this.multiplier *= 128;
        if (++this.headerState > 4) return { ok: false, reason: 'malformed' };
        continue;
      }
      this.headerState = 0;
      if (this.length > this.maxPacketBytes) return { ok: false, reason: 'too-large', declared: this.length };
      this.remaining = this.length;
    }
    return { ok: true };
  }
}
