import { api } from '../api.ts';
import { usePolled } from '../poll.ts';

interface Anchors {
  latestSize: number | null;
  items: Array<{ size: number; chainId: number; txHash: string; blockNumber: number; createdAt: number }>;
}

/** How far the log is anchored on chain, against the latest signed tree size. */
export function AnchorStatus({ treeSize }: { treeSize: number | undefined }) {
  const { data, error } = usePolled(() => api<Anchors>('GET', '/ledger/anchors?limit=5'), 15_000);
  if (error)
    return (
      <p class="muted" data-testid="anchor-status">
        Anchor history not available to you ({error}).
      </p>
    );
  if (!data) return null;
  const latest = data.items[0];
  const behind = treeSize !== undefined && data.latestSize !== null ? treeSize - data.latestSize : undefined;
  return (
    <div data-testid="anchor-status">
      <p>
        {latest
          ? `Anchored up to tree size ${data.latestSize} (chain ${latest.chainId}, block ${latest.blockNumber}, ${new Date(latest.createdAt).toLocaleString()})${
              behind !== undefined
                ? behind > 0
                  ? `; ${behind} newer entries not anchored yet.`
                  : '; the latest head is anchored.'
                : '.'
            }`
          : 'No checkpoint has been anchored on a chain (anchoring is off or has not run yet).'}
      </p>
      {data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Tree size</th>
              <th>Chain</th>
              <th>Block</th>
              <th>Transaction</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((a) => (
              <tr>
                <td class="num">{a.size}</td>
                <td>{a.chainId}</td>
                <td class="num">{a.blockNumber}</td>
                <td>
                  <code>{a.txHash}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
