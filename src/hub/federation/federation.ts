import type { Logger } from '../../core/index.ts';
import type { HistoryStore } from '../history/history-store.ts';
import { isLive, type AgreementStore } from './agreements.ts';
import { Exporter } from './exporter.ts';

/** Runs one exporter per live export agreement; started at boot and on creation, stopped on revocation. */
export class FederationLinks {
  readonly exporters = new Map<string, Exporter>();

  constructor(
    private readonly agreements: AgreementStore,
    private readonly history: HistoryStore,
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly deviceKey: (
      deviceId: string,
      cose: Uint8Array,
      receivedAt: number,
    ) => Promise<Record<string, unknown> | undefined>,
    private readonly pollMs = 250,
  ) {}

  async start(): Promise<void> {
    for (const a of await this.agreements.list()) if (a.direction === 'export' && isLive(a, this.now())) this.run(a.id);
  }

  run(id: string): void {
    if (this.exporters.has(id)) return;
    const e = new Exporter(
      id,
      {
        agreements: this.agreements,
        history: this.history,
        logger: this.logger,
        now: this.now,
        deviceKey: this.deviceKey,
      },
      this.pollMs,
    );
    this.exporters.set(id, e);
    e.start();
  }

  halt(id: string): void {
    this.exporters.get(id)?.stop();
    this.exporters.delete(id);
  }

  stop(): void {
    for (const e of this.exporters.values()) e.stop();
    this.exporters.clear();
  }
}
