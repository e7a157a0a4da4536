// Structured logs: one JSON line per event with a level, written by a sink the shell picks.

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning';
const RANK: Record<LogLevel | 'nothing', number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 };

export type LogSink = (line: string) => void;

export class Logger {
  constructor(
    private readonly sink: LogSink,
    public level: LogLevel | 'nothing' = 'notice',
    private readonly now: () => number = () => 0,
  ) {}

  static silent(): Logger {
    return new Logger(() => {}, 'nothing');
  }

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.write('debug', msg, fields);
  }
  verbose(msg: string, fields?: Record<string, unknown>): void {
    this.write('verbose', msg, fields);
  }
  notice(msg: string, fields?: Record<string, unknown>): void {
    this.write('notice', msg, fields);
  }
  warning(msg: string, fields?: Record<string, unknown>): void {
    this.write('warning', msg, fields);
  }
  /** Errors are warnings that must never be filtered out below 'nothing'. */
  error(msg: string, fields?: Record<string, unknown>): void {
    this.write('warning', msg, { ...fields, error: true });
  }

  private write(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    if (RANK[level] < RANK[this.level]) return;
    const record = { time: new Date(this.now()).toISOString(), level, msg, ...fields };
    this.sink(JSON.stringify(record));
  }
}
