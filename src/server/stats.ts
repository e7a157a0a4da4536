// Server counters for INFO stats, commandstats and errorstats.

export interface CommandStat {
  calls: number;
  /** Microseconds of the timed calls (every call, or a sample of a fast command's: engine.ts). */
  usec: number;
  /** Calls whose time is in usec; usec * calls / timedCalls estimates the total (estimatedUsec). */
  timedCalls: number;
  rejectedCalls: number;
  failedCalls: number;
}

export class ServerStats {
  totalConnectionsReceived = 0;
  rejectedConnections = 0;
  totalCommandsProcessed = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  totalErrorReplies = 0;
  /** Per full command name ('get', 'client|list'). */
  readonly commands = new Map<string, CommandStat>();
  /** Per error prefix ('ERR', 'WRONGTYPE'). */
  readonly errors = new Map<string, number>();
  /** Bumped by reset(): records cached by callers (command-runtime.ts) are stale after it. */
  epoch = 0;

  command(fullName: string): CommandStat {
    let s = this.commands.get(fullName);
    if (s === undefined) {
      s = { calls: 0, usec: 0, timedCalls: 0, rejectedCalls: 0, failedCalls: 0 };
      this.commands.set(fullName, s);
    }
    return s;
  }

  countError(text: string): void {
    this.totalErrorReplies++;
    const space = text.indexOf(' ');
    const prefix = space < 0 ? text : text.slice(0, space);
    this.errors.set(prefix, (this.errors.get(prefix) ?? 0) + 1);
  }

  /** CONFIG RESETSTAT. */
  reset(): void {
    this.totalConnectionsReceived = 0;
    this.rejectedConnections = 0;
    this.totalCommandsProcessed = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.totalErrorReplies = 0;
    this.commands.clear();
    this.errors.clear();
    this.epoch++;
  }
}

/** A command's total microseconds: exact when every call was timed, else scaled from the sample. */
export function estimatedUsec(s: CommandStat): number {
  if (s.timedCalls === s.calls || s.timedCalls === 0) return s.usec;
  return Math.round((s.usec * s.calls) / s.timedCalls);
}
