import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MsecError } from '../../core/index.ts';

/**
 * Offline compilation of Anchor.sol with the solc npm package (standard JSON input). Only the
 * generated Anchor.json is needed at run time; a test recompiles and compares. Targets the
 * "paris" EVM (no PUSH0) so the bytecode also runs on GoQuorum and older Besu networks.
 * Regenerate: node --import tsx src/ledger/anchor/compile.ts
 */
export const ANCHOR_SOURCE_URL = new URL('./Anchor.sol', import.meta.url);
export const ANCHOR_ARTIFACT_URL = new URL('./Anchor.json', import.meta.url);

export interface AnchorArtifact {
  contractName: 'Anchor';
  compiler: string;
  evmVersion: string;
  abi: unknown[];
  bytecode: string;
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
}

export function compileAnchor(): AnchorArtifact {
  const solc = createRequire(import.meta.url)('solc') as { compile(input: string): string; version(): string };
  const input = {
    language: 'Solidity',
    sources: { 'Anchor.sol': { content: readFileSync(ANCHOR_SOURCE_URL, 'utf8') } },
    settings: {
      evmVersion: 'paris',
      optimizer: { enabled: true, runs: 200 },
      metadata: { bytecodeHash: 'none' },
      outputSelection: { 'Anchor.sol': { Anchor: ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  const contract = output.contracts?.['Anchor.sol']?.['Anchor'];
  if (errors.length > 0 || !contract) {
    throw new MsecError('INTERNAL', `Anchor.sol does not compile: ${errors.map((e) => e.formattedMessage).join('\n')}`);
  }
  return {
    contractName: 'Anchor',
    compiler: solc.version(),
    evmVersion: 'paris',
    abi: contract.abi,
    bytecode: `0x${contract.evm.bytecode.object}`,
  };
}

export function anchorArtifactJson(artifact: AnchorArtifact): string {
  return `${JSON.stringify(artifact, null, 2)}\n`;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(ANCHOR_ARTIFACT_URL, anchorArtifactJson(compileAnchor()));
}
