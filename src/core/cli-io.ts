/**
 * Where a command writes: modules that contribute `msec` subcommands (gateway, design, …) take
 * one of these, and tests swap it for buffers. The process-backed one lives in src/cli/io.ts.
 */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Reads all of standard input (for --password-stdin). */
  readStdin(): Promise<string>;
}

/** Exit status of a usage error (bad flag, bad value), as for POSIX utilities. */
export const EXIT_USAGE = 2;
