import { describe, expect, it } from 'vitest';
import { ArrivalOrder } from './arrival-order.ts';

describe('ArrivalOrder', () => {
  it('lets each turn of a key proceed only after the previous one released, whatever order they finish in', async () => {
    const order = new ArrivalOrder();
    const passed: number[] = [];
    const turns = [0, 1, 2, 3].map((i) => ({ i, turn: order.enter('dev-1') }));
    const other = order.enter('dev-2');
    expect(other.ready).toBeUndefined(); // another device never waits
    // Work finishes in reverse order; each then waits for its turn.
    const runs = [...turns].reverse().map(async ({ i, turn }) => {
      if (turn.ready) await turn.ready;
      passed.push(i);
      turn.release();
    });
    await Promise.all(runs);
    expect(passed).toEqual([0, 1, 2, 3]);
    other.release();
    expect(order.pending).toBe(0);
  });

  it('releases once: a second release does not open a later turn early', async () => {
    const order = new ArrivalOrder();
    const first = order.enter('d');
    const second = order.enter('d');
    const third = order.enter('d');
    first.release();
    first.release();
    await second.ready;
    let thirdOpen = false;
    void third.ready!.then(() => (thirdOpen = true));
    await new Promise((r) => setImmediate(r));
    expect(thirdOpen).toBe(false);
    second.release();
    await third.ready;
    third.release();
    expect(order.pending).toBe(0);
  });
});
