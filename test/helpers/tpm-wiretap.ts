import type { TpmTransport } from '../../src/device/tpm/index.ts';

/** Sits on the wire between a TPM client and the TPM: records every frame and can alter them. */
export class TpmWiretap implements TpmTransport {
  readonly sent: Buffer[] = [];
  readonly received: Buffer[] = [];
  alterCommand: ((b: Buffer) => Buffer) | undefined;
  alterResponse: ((b: Buffer) => Buffer) | undefined;

  constructor(private readonly inner: TpmTransport) {}

  async transmit(command: Buffer): Promise<Buffer> {
    const out = this.alterCommand ? this.alterCommand(command) : command;
    this.sent.push(out);
    const response = await this.inner.transmit(out);
    this.received.push(response);
    return this.alterResponse ? this.alterResponse(response) : response;
  }

  /** Command codes sent so far, in order. */
  commandCodes(): number[] {
    return this.sent.map((c) => c.readUInt32BE(6));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
