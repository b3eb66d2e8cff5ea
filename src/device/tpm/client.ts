import { TPM_RH, TPM_ST } from './constants.ts';
import { tpmResponseError } from './errors.ts';
import { TpmReader, TpmWriter } from './marshal.ts';
import type { TpmTransport } from './transport.ts';

/** One entry of a command's authorization area (TPMS_AUTH_COMMAND). */
export interface AuthSession {
  handle: number;
  nonce?: Uint8Array;
  attributes?: number;
  hmac?: Uint8Array;
}

/** Password authorization (TPM_RS_PW) with the given auth value (empty by default). */
export function passwordSession(password: Uint8Array = new Uint8Array(0)): AuthSession {
  return { handle: TPM_RH.PW, hmac: password };
}

/** A policy session whose policy is already satisfied; no HMAC since no PolicyAuthValue was used. */
export function policySession(handle: number): AuthSession {
  return { handle };
}

export interface CommandSpec {
  /** Handles in the command's handle area. */
  handles?: number[];
  /** One authorization per handle that needs it; none means a TPM_ST_NO_SESSIONS command. */
  sessions?: AuthSession[];
  /** Marshalled parameter area. */
  params?: Uint8Array;
  /** How many handles the response carries before its parameters (CreatePrimary, Load, ...). */
  responseHandles?: number;
}

/** One TPMS_AUTH_RESPONSE. */
export interface AuthResponse {
  nonce: Buffer;
  attributes: number;
  hmac: Buffer;
}

export interface CommandResult {
  handles: number[];
  params: TpmReader;
  /** The response parameter area as received (what an HMAC session's rpHash covers). */
  paramBytes: Buffer;
  /** One per command session, in order; empty for TPM_ST_NO_SESSIONS commands. */
  auths: AuthResponse[];
}

/** Frames commands, sends them through a transport, and unframes (defensively) their responses. */
export class TpmClient {
  constructor(readonly transport: TpmTransport) {}

  async execute(commandCode: number, spec: CommandSpec = {}): Promise<CommandResult> {
    const response = await this.transport.transmit(marshalCommand(commandCode, spec));
    return unmarshalResponse(response, commandCode, spec.responseHandles ?? 0, spec.sessions?.length ?? 0);
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

export function marshalCommand(commandCode: number, spec: CommandSpec): Buffer {
  const sessions = spec.sessions ?? [];
  const body = new TpmWriter();
  for (const h of spec.handles ?? []) body.u32(h);
  if (sessions.length > 0) {
    const auth = new TpmWriter();
    for (const s of sessions) {
      auth
        .u32(s.handle)
        .tpm2b(s.nonce ?? new Uint8Array(0))
        .u8(s.attributes ?? 0)
        .tpm2b(s.hmac ?? new Uint8Array(0));
    }
    body.u32(auth.size).bytes(auth.toBuffer());
  }
  if (spec.params) body.bytes(spec.params);
  const header = new TpmWriter()
    .u16(sessions.length > 0 ? TPM_ST.SESSIONS : TPM_ST.NO_SESSIONS)
    .u32(10 + body.size)
    .u32(commandCode);
  return Buffer.concat([header.toBuffer(), body.toBuffer()]);
}

/** Parses a response frame; a non-zero response code becomes a typed MsecError. */
export function unmarshalResponse(
  response: Buffer,
  commandCode: number,
  responseHandles: number,
  sessionCount: number,
): CommandResult {
  const withSessions = sessionCount > 0;
  const r = new TpmReader(response);
  const tag = r.u16();
  const size = r.u32();
  const rc = r.u32();
  if (size !== response.length) r.fail(`response size field ${size} != ${response.length} bytes received`);
  if (rc !== 0) throw tpmResponseError(rc, commandCode);
  const expectedTag = withSessions ? TPM_ST.SESSIONS : TPM_ST.NO_SESSIONS;
  if (tag !== expectedTag) r.fail(`unexpected response tag 0x${tag.toString(16)}`);
  const handles: number[] = [];
  for (let i = 0; i < responseHandles; i++) handles.push(r.u32());
  if (!withSessions) {
    const paramBytes = r.rest();
    return { handles, params: new TpmReader(paramBytes), paramBytes, auths: [] };
  }
  const paramSize = r.u32();
  const paramBytes = r.bytes(paramSize, 'parameter area');
  // One TPMS_AUTH_RESPONSE per session: HMAC sessions check theirs, password and policy
  // sessions carry nothing to verify, but the frame must still be complete.
  const auths: AuthResponse[] = [];
  for (let i = 0; i < sessionCount; i++) {
    auths.push({ nonce: r.tpm2b('response nonce', 64), attributes: r.u8(), hmac: r.tpm2b('response hmac', 64) });
  }
  r.expectEnd('response');
  return { handles, params: new TpmReader(paramBytes), paramBytes, auths };
}
