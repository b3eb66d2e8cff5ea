/** Where commands write; tests swap it for buffers. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Reads all of standard input (for --password-stdin). */
  readStdin(): Promise<string>;
}

export const processIo: CliIo = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

/** Exit status of a usage error (bad flag, bad value), as for POSIX utilities. */
export const EXIT_USAGE = 2;
