import {
  Contract,
  ContractFactory,
  FetchRequest,
  getAddress,
  isHexString,
  JsonRpcProvider,
  Network,
  Wallet,
  type InterfaceAbi,
} from 'ethers';
import { readFileSync } from 'node:fs';
import { MsecError } from '../../core/index.ts';
import type { Checkpoint } from '../checkpoint.ts';
import { toAnchorError, withRetry, type RetryOptions } from './errors.ts';

const artifact = JSON.parse(readFileSync(new URL('./Anchor.json', import.meta.url), 'utf8')) as {
  abi: InterfaceAbi;
  bytecode: string;
};

export interface EvmOptions {
  /** JSON-RPC endpoint (GoQuorum, Besu, any Ethereum node): MSEC_EVM_RPC_URL. */
  rpcUrl: string;
  /** Hex private key of the anchoring account (the contract owner). */
  privateKey: string;
  retries?: number;
  baseDelayMs?: number;
  timeoutMs?: number;
}

export interface AnchorReceipt {
  size: number;
  root: Buffer;
  chainId: number;
  contract: string;
  txHash: string;
  blockNumber: number;
}

export interface Deployment {
  contract: string;
  chainId: number;
  txHash: string;
  blockNumber: number;
}

/** A JSON-RPC answer to eth_chainId, checked by hand so a garbage endpoint fails fast and clearly. */
async function fetchChainId(rpcUrl: string, timeoutMs: number): Promise<number> {
  let res: Response;
  try {
    res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new MsecError('ANCHOR_UNREACHABLE', `EVM endpoint ${new URL(rpcUrl).host} is unreachable`, {
      status: 503,
      cause: err,
    });
  }
  if (res.status >= 500)
    throw new MsecError('ANCHOR_UNREACHABLE', `EVM endpoint answered HTTP ${res.status}`, { status: 503 });
  const body = (await res.json().catch(() => undefined)) as { result?: unknown } | undefined;
  const result = body?.result;
  if (typeof result !== 'string' || !/^0x[0-9a-fA-F]{1,13}$/.test(result)) {
    throw new MsecError('ANCHOR_BAD_RESPONSE', 'EVM endpoint did not answer eth_chainId with a chain id', {
      status: 502,
    });
  }
  return Number.parseInt(result.slice(2), 16);
}

/** Client of the Anchor contract over plain Ethereum JSON-RPC (ethers v6). */
export class EvmAnchorClient {
  private constructor(
    readonly chainId: number,
    private readonly provider: JsonRpcProvider,
    private readonly wallet: Wallet,
    private readonly retry: RetryOptions,
  ) {}

  static async connect(opts: EvmOptions): Promise<EvmAnchorClient> {
    const retry = { retries: opts.retries ?? 4, baseDelayMs: opts.baseDelayMs ?? 500 };
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const chainId = await withRetry('connect', retry, () => fetchChainId(opts.rpcUrl, timeoutMs));
    const request = new FetchRequest(opts.rpcUrl);
    request.timeout = timeoutMs;
    const network = Network.from(chainId);
    // A static network stops ethers from probing (and retrying forever) behind our back.
    const provider = new JsonRpcProvider(request, network, {
      staticNetwork: network,
      batchMaxCount: 1,
      pollingInterval: 200,
      // No response cache: a cached nonce would make back-to-back anchors collide.
      cacheTimeout: -1,
    });
    let wallet: Wallet;
    try {
      wallet = new Wallet(opts.privateKey, provider);
    } catch {
      provider.destroy();
      throw new MsecError('VALIDATION_FAILED', 'the EVM private key is not a 32-byte hex key');
    }
    return new EvmAnchorClient(chainId, provider, wallet, retry);
  }

  get address(): string {
    return this.wallet.address;
  }

  async deploy(): Promise<Deployment> {
    return withRetry('deploy', this.retry, async () => {
      const factory = new ContractFactory(artifact.abi, artifact.bytecode, this.wallet);
      const contract = await factory.deploy();
      const receipt = await contract.deploymentTransaction()?.wait();
      if (!receipt || receipt.status !== 1) throw new MsecError('ANCHOR_REJECTED', 'the Anchor deployment failed');
      return {
        contract: getAddress(await contract.getAddress()),
        chainId: this.chainId,
        txHash: receipt.hash,
        blockNumber: receipt.blockNumber,
      };
    });
  }

  /** Writes a tree head; resolves with the mined receipt. */
  async anchor(contractAddress: string, checkpoint: Checkpoint): Promise<AnchorReceipt> {
    const contract = this.contract(contractAddress, true);
    return withRetry('anchor', this.retry, async () => {
      const tx = (await contract.getFunction('anchor')(checkpoint.root, checkpoint.size)) as {
        wait(): Promise<{ status: number | null; hash: string; blockNumber: number } | null>;
      };
      const receipt = await tx.wait();
      if (!receipt || receipt.status !== 1) throw new MsecError('ANCHOR_REJECTED', 'the anchoring transaction failed');
      return {
        size: checkpoint.size,
        root: checkpoint.root,
        chainId: this.chainId,
        contract: getAddress(contractAddress),
        txHash: receipt.hash,
        blockNumber: receipt.blockNumber,
      };
    });
  }

  /** The root anchored for `size`, or undefined when none was. */
  async rootAt(contractAddress: string, size: number): Promise<Buffer | undefined> {
    const contract = this.contract(contractAddress, false);
    const value: unknown = await withRetry(
      'read anchor',
      this.retry,
      () => contract.getFunction('rootAt')(size) as Promise<unknown>,
    );
    if (typeof value !== 'string' || !isHexString(value, 32))
      throw toAnchorError(new Error('rootAt returned no bytes32'), 'read anchor');
    const root = Buffer.from(value.slice(2), 'hex');
    return root.equals(Buffer.alloc(32)) ? undefined : root;
  }

  /** Checks that the chain holds exactly this checkpoint's root for its size. */
  async verifyAnchored(contractAddress: string, checkpoint: Checkpoint): Promise<void> {
    const onChain = await this.rootAt(contractAddress, checkpoint.size);
    if (!onChain)
      throw new MsecError('ANCHOR_NOT_FOUND', `no root is anchored for tree size ${checkpoint.size}`, { status: 404 });
    if (!onChain.equals(checkpoint.root)) {
      throw new MsecError('ANCHOR_MISMATCH', `the chain holds another root for tree size ${checkpoint.size}`, {
        status: 409,
      });
    }
  }

  close(): void {
    this.provider.destroy();
  }

  private contract(address: string, write: boolean): Contract {
    let checked: string;
    try {
      checked = getAddress(address);
    } catch {
      throw new MsecError('VALIDATION_FAILED', `${address} is not an EVM address`);
    }
    return new Contract(checked, artifact.abi, write ? this.wallet : this.provider);
  }
}
