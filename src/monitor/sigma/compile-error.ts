/**
 * A problem found while compiling a rule, with the path of the offending node inside the YAML
 * document, so the parser can turn it into MONITOR_RULE_INVALID with file, field and line.
 */
export class SigmaCompileError extends Error {
  constructor(
    message: string,
    readonly path: readonly (string | number)[],
  ) {
    super(message);
    this.name = 'SigmaCompileError';
  }
}

export function fail(path: readonly (string | number)[], message: string): never {
  throw new SigmaCompileError(message, path);
}
