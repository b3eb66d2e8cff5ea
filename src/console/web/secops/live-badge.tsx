import { useLiveState } from '../live.ts';

const TEXT = { live: 'Live', connecting: 'Connecting…', down: 'Not live' };

/** Whether the page is kept current by the monitor's stream. */
export function LiveBadge() {
  const s = useLiveState();
  return (
    <span class={`live live-${s}`} role="status" data-testid="live-state" data-state={s}>
      {TEXT[s]}
    </span>
  );
}
