import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MsecError } from '../../core/errors.ts';
import { writeFileAtomic } from './atomic-file.ts';

/** Where the agent stands in one file, keyed by `<st_dev>:<st_ino>` (the file's identity, not its name). */
export interface RegistryEntry {
  /** The path the file was last seen under. */
  path: string;
  /** Physical byte offset of the next unread line. */
  offset: number;
  /** Bytes of this inode's stream that preceded the last truncation: event ids use base + offset. */
  base: number;
  /** True while the agent is inside a line over the size limit (skipped up to its newline). */
  skipping?: boolean;
  /** Base64 of the bytes just before `offset`, to recognise a copytruncate copy after a restart. */
  tail?: string;
  updatedMs: number;
}

interface RegistryFile {
  version: 1;
  files: Record<string, RegistryEntry>;
}

/**
 * The durable offsets. An entry only moves forward once the lines before it are in the spool (fsynced),
 * so after any crash the agent re-reads at most what it had not yet made durable.
 */
export class Registry {
  readonly path: string;
  private readonly files: Map<string, RegistryEntry>;
  private dirty = false;

  private constructor(path: string, files: Map<string, RegistryEntry>) {
    this.path = path;
    this.files = files;
  }

  static open(stateDir: string): Registry {
    const path = join(stateDir, 'registry.json');
    const files = new Map<string, RegistryEntry>();
    if (existsSync(path)) {
      let parsed: RegistryFile;
      try {
        parsed = JSON.parse(readFileSync(path, 'utf8')) as RegistryFile;
      } catch (err) {
        throw new MsecError(
          'GATEWAY_REGISTRY_CORRUPT',
          `registry ${path} is not readable JSON: ${(err as Error).message}`,
        );
      }
      if (parsed?.version !== 1 || typeof parsed.files !== 'object' || parsed.files === null) {
        throw new MsecError('GATEWAY_REGISTRY_CORRUPT', `registry ${path} has an unknown layout`);
      }
      for (const [key, e] of Object.entries(parsed.files)) {
        if (typeof e?.path === 'string' && Number.isSafeInteger(e.offset) && Number.isSafeInteger(e.base))
          files.set(key, e);
      }
    }
    return new Registry(path, files);
  }

  get(key: string): RegistryEntry | undefined {
    return this.files.get(key);
  }

  entries(): [string, RegistryEntry][] {
    return [...this.files.entries()];
  }

  set(key: string, entry: Omit<RegistryEntry, 'updatedMs'>): void {
    this.files.set(key, { ...entry, updatedMs: Date.now() });
    this.dirty = true;
  }

  delete(key: string): void {
    if (this.files.delete(key)) this.dirty = true;
  }

  /** Writes the registry if it changed (atomically). */
  flush(): void {
    if (!this.dirty) return;
    const doc: RegistryFile = { version: 1, files: Object.fromEntries(this.files) };
    writeFileAtomic(this.path, JSON.stringify(doc));
    this.dirty = false;
  }
}
