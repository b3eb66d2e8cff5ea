import { describe, expect, it } from 'vitest';
import { Evaluator } from './evaluate.ts';
import { ERROR_STATE, type Lts } from './lts.ts';
import { parseFsp } from './parser.ts';

function prop(src: string, name = 'P'): Lts {
  return new Evaluator(parseFsp(src, 'f.lts')).lts(name);
}

/** Runs a trace through a deterministic LTS; 'ERROR', the state reached, or null when an action is not offered. */
function run(l: Lts, trace: string[]): number | 'ERROR' | null {
  let s = 0;
  for (const a of trace) {
    let next: number | null = null;
    for (let e = l.offsets[s]!; e < l.offsets[s + 1]!; e++)
      if (l.actions.name(l.labels[e]!) === a) next = l.targets[e]!;
    if (next === null) return null;
    if (next === ERROR_STATE) return 'ERROR';
    s = next;
  }
  return s;
}

describe('FLTL safety properties (ltl_property []φ)', () => {
  const spec = 'fluent Open = <open, close>\nltl_property P = [](enter -> Open)\n';

  it('follows fluents and treats an action as true only at its own step', () => {
    const l = prop(spec);
    expect(run(l, ['open', 'enter', 'enter', 'close'])).not.toBe('ERROR');
    expect(run(l, ['enter'])).toBe('ERROR');
    expect(run(l, ['open', 'close', 'enter'])).toBe('ERROR');
    // Every action of the alphabet is always answered (a property never blocks).
    expect(run(l, ['close', 'close', 'open', 'open'])).not.toBeNull();
  });

  it('expands quantifiers over indexed fluents and inlines assertions', () => {
    // Fluents change at the action itself: at start[0], Busy[0] already holds.
    const l = prop(
      'range R = 0..1\nfluent Busy[i:R] = <start[i], stop[i]>\nassert OnlyOne = !(exists[i:R] (Busy[i] && !start[i]))\nltl_property P = [](start[0] -> OnlyOne)\n',
    );
    expect(run(l, ['start.1', 'start.0'])).toBe('ERROR');
    expect(run(l, ['start.1', 'stop.1', 'start.0'])).not.toBe('ERROR');
  });

  it('honours initially', () => {
    const l = prop('fluent Open = <open, close> initially 1\nltl_property P = [](enter -> Open)\n');
    expect(run(l, ['enter'])).not.toBe('ERROR');
  });

  it('checks next and weak until by progression (X is the next action of the alphabet)', () => {
    // After a, no b until c.
    const l = prop('fluent Dummy = <a, c>\nltl_property P = [](a -> X(!b W c))\n');
    expect(run(l, ['a', 'b'])).toBe('ERROR');
    expect(run(l, ['a', 'c', 'b'])).not.toBe('ERROR');
    expect(run(l, ['b', 'a', 'a', 'c', 'b'])).not.toBe('ERROR');
    expect(run(l, ['a', 'a', 'b'])).toBe('ERROR');
    // X: the very next action must be c.
    const x = prop('fluent Dummy = <a, c>\nltl_property P = [](a -> X c)\n');
    expect(run(x, ['a', 'c', 'a', 'c'])).not.toBe('ERROR');
    expect(run(x, ['a', 'a'])).toBe('ERROR');
  });

  it('turns a negated until into a weak until: !(a U b) fails once b follows a run of a', () => {
    const l = prop('fluent Dummy = <a, b>\nltl_property P = [](!(a U b))\n');
    expect(run(l, ['a', 'a', 'b'])).toBe('ERROR');
    expect(run(l, ['b'])).toBe('ERROR');
  });

  it('refuses liveness, with the property named', () => {
    expect(() => prop('ltl_property P = <>a\n')).toThrow(
      expect.objectContaining({ code: 'DESIGN_FSP_UNSUPPORTED', message: expect.stringContaining('ltl_property P') }),
    );
    expect(() => prop('fluent F = <a, b>\nltl_property P = [](F -> (a U b))\n')).toThrow(
      expect.objectContaining({ code: 'DESIGN_FSP_UNSUPPORTED', message: expect.stringContaining('liveness') }),
    );
  });
});
