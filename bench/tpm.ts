/**
 * TPM sign throughput: the native TypeScript TPM 2.0 path over swtpm's socket against the
 * tpm2-tools CLI (one process per sign) on the same key in the same run. The native path is
 * measured with a password session and with the salted HMAC session (parameter encryption) that
 * the TPM key store uses.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSwtpm } from '../test/helpers/swtpm.ts';
import {
  HmacSession,
  SwtpmSocketTransport,
  TpmClient,
  createPersistentKey,
  ensureSrk,
  readPersistent,
  sign,
  signingKeyTemplate,
  startup,
} from '../src/device/tpm/index.ts';

const KEY_HANDLE = 0x81000100;

export async function run(args: string[]): Promise<void> {
  const seconds = Number(args.find((a) => a.startsWith('--seconds='))?.split('=')[1] ?? 3);
  const cliIterations = Number(args.find((a) => a.startsWith('--cli-iterations='))?.split('=')[1] ?? 20);
  const swtpm = await startSwtpm();
  const work = mkdtempSync(join(tmpdir(), 'msec-bench-tpm-'));
  try {
    const tpm = new TpmClient(await SwtpmSocketTransport.connect(swtpm.host, swtpm.port));
    await startup(tpm);
    const srk = await ensureSrk(tpm);
    await createPersistentKey(tpm, srk.handle, signingKeyTemplate(), KEY_HANDLE);
    const message = Buffer.from('reading: potentiometer=512');
    const digest = createHash('sha256').update(message).digest();
    const key = await readPersistent(tpm, KEY_HANDLE);
    const session = await HmacSession.startSalted(tpm, { handle: srk.handle, point: srk.publicArea });
    const auth = { session, keyName: key!.name };
    for (let i = 0; i < 20; i++) {
      await sign(tpm, KEY_HANDLE, digest); // warm-up
      await sign(tpm, KEY_HANDLE, digest, auth);
    }
    const signsPerSecond = async (withSession: boolean) => {
      let ops = 0;
      const start = performance.now();
      while (performance.now() - start < seconds * 1000) {
        await sign(tpm, KEY_HANDLE, createHash('sha256').update(message).digest(), withSession ? auth : undefined);
        ops++;
      }
      return { ops, rate: ops / ((performance.now() - start) / 1000) };
    };
    const { ops: nativeOps, rate: nativeRate } = await signsPerSecond(false);
    const { ops: sessionOps, rate: sessionRate } = await signsPerSecond(true);
    await session.close();
    await tpm.close(); // swtpm serves one connection at a time

    const messagePath = join(work, 'msg');
    writeFileSync(messagePath, message);
    const cliArgs = [
      '-T',
      swtpm.tcti,
      '-c',
      `0x${KEY_HANDLE.toString(16)}`,
      '-g',
      'sha256',
      '-o',
      join(work, 'sig'),
      messagePath,
    ];
    execFileSync('tpm2_sign', cliArgs, { stdio: 'ignore' }); // warm-up
    const cliStart = performance.now();
    for (let i = 0; i < cliIterations; i++) execFileSync('tpm2_sign', cliArgs, { stdio: 'ignore' });
    const cliRate = cliIterations / ((performance.now() - cliStart) / 1000);

    console.log(
      `tpm native sign: ${nativeRate.toFixed(0)}/s (${nativeOps} signs, ${(1000 / nativeRate).toFixed(2)} ms each)`,
    );
    console.log(
      `tpm native sign, salted HMAC session: ${sessionRate.toFixed(0)}/s (${sessionOps} signs, ${(1000 / sessionRate).toFixed(2)} ms each; ${(sessionRate / nativeRate).toFixed(2)} of the password-session rate)`,
    );
    console.log(
      `tpm2-tools sign: ${cliRate.toFixed(1)}/s (${cliIterations} signs, ${(1000 / cliRate).toFixed(1)} ms each)`,
    );
    console.log(
      `ratio native / tools: ${(nativeRate / cliRate).toFixed(1)} (password session), ${(sessionRate / cliRate).toFixed(1)} (HMAC session)`,
    );
  } finally {
    await swtpm.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
