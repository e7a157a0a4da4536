// The slow log: commands slower than slowlog-log-slower-than, newest first, bounded.

export interface SlowlogEntry {
  readonly id: number;
  readonly unixSeconds: number;
  readonly durationMicros: number;
  readonly argv: string[];
  readonly addr: string;
  readonly clientName: string;
}

/** Redis keeps at most 32 arguments, each clipped to 128 bytes. */
const ARGS_MAX = 32;
const ARG_BYTES_MAX = 128;

export class SlowLog {
  private entries: SlowlogEntry[] = [];
  private nextId = 0;

  record(argv: readonly string[], durationMicros: number, unixSeconds: number, addr: string, clientName: string, maxLen: number): void {
    const kept: string[] = [];
    const n = Math.min(argv.length, ARGS_MAX);
    for (let i = 0; i < n; i++) {
      if (i === ARGS_MAX - 1 && argv.length > ARGS_MAX) {
        kept.push(`... (${argv.length - ARGS_MAX + 1} more arguments)`);
        break;
      }
      const a = argv[i]!;
      kept.push(a.length > ARG_BYTES_MAX ? `${a.slice(0, ARG_BYTES_MAX)}... (${a.length - ARG_BYTES_MAX} more bytes)` : a);
    }
    this.entries.unshift({ id: this.nextId++, unixSeconds, durationMicros, argv: kept, addr, clientName });
    if (this.entries.length > maxLen) this.entries.length = maxLen;
  }

  get(count: number): SlowlogEntry[] {
    return count < 0 ? [...this.entries] : this.entries.slice(0, count);
  }

  get length(): number {
    return this.entries.length;
  }

  reset(): void {
    this.entries = [];
  }
}
