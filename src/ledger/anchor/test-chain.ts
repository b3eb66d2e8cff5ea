import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Test helper: hardhat 2's in-process EVM served as a real HTTP JSON-RPC endpoint on a free
 * local port. No config file and no compiler download: the network is built from a resolved
 * default config and the contract comes precompiled.
 */
export interface TestChain {
  url: string;
  /** Funds an address with 1000 ETH (hardhat_setBalance). */
  fund(address: string): Promise<void>;
  close(): Promise<void>;
}

interface HardhatProvider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

export async function startTestChain(): Promise<TestChain> {
  const require = createRequire(import.meta.url);
  const { resolveConfig } = require('hardhat/internal/core/config/config-resolution') as {
    resolveConfig(path: string, config: object): object;
  };
  const { createProvider } = require('hardhat/internal/core/providers/construction') as {
    createProvider(config: object, network: string): Promise<HardhatProvider>;
  };
  const { JsonRpcServer } = require('hardhat/internal/hardhat-network/jsonrpc/server') as {
    JsonRpcServer: new (c: { hostname: string; port: number; provider: HardhatProvider }) => {
      listen(): Promise<{ address: string; port: number }>;
      close(): Promise<void>;
    };
  };
  // resolveConfig wants an existing path to anchor project paths; nothing is read from it.
  const config = resolveConfig(fileURLToPath(import.meta.url), {
    networks: { hardhat: { chainId: 31337, loggingEnabled: false } },
  });
  const provider = await createProvider(config, 'hardhat');
  const server = new JsonRpcServer({ hostname: '127.0.0.1', port: 0, provider });
  const { port } = await server.listen();
  return {
    url: `http://127.0.0.1:${port}`,
    fund: async (address) => {
      await provider.request({ method: 'hardhat_setBalance', params: [address, '0x3635C9ADC5DEA00000'] });
    },
    close: () => server.close(),
  };
}
