/**
 * One detection item (`field|mod1|mod2: value(s)`) compiled into a test on the event document.
 * Modifiers apply in the order written (Sigma: transformations first, then the type modifier).
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { fail } from './compile-error.ts';
import { compileGetter, MISSING, scalarText, type FieldGetter } from './fields.ts';
import {
  compileTokens,
  hasWildcards,
  literalTokens,
  parseSigmaString,
  windash,
  withStars,
  type StringTest,
  type Token,
} from './pattern.ts';
import { base64Offsets, encodeUtf16 } from './encodings.ts';
import { timePart, TIME_UNITS, type TimeUnit } from './time-parts.ts';
import { maskOf, parseIPv4 } from './ipv4.ts';

export type DocTest = (doc: Record<string, unknown>) => boolean;
type Path = readonly (string | number)[];

const STRING_MODS = new Set([
  'contains',
  'startswith',
  'endswith',
  'windash',
  'base64',
  'base64offset',
  'utf16le',
  'utf16be',
  'utf16',
  'wide',
]);
const COMPARE_MODS = new Set(['lt', 'lte', 'gt', 'gte']);
const KNOWN = new Set([
  ...STRING_MODS,
  ...COMPARE_MODS,
  ...TIME_UNITS,
  'all',
  'exists',
  'cased',
  'neq',
  're',
  'i',
  'm',
  's',
  'cidr',
  'fieldref',
  'expand',
]);

/** Text of a value the way Sigma compares it; undefined for objects, null and absent fields. */
function eachScalar(v: unknown, test: (raw: string) => boolean): boolean {
  if (Array.isArray(v)) {
    for (const item of v) if (eachScalar(item, test)) return true;
    return false;
  }
  const t = scalarText(v);
  return t === undefined ? false : test(t);
}

function eventNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function combine(
  tests: ((raw: string, lower: string) => boolean)[],
  all: boolean,
  needLower: boolean,
): (raw: string) => boolean {
  const one = tests.length === 1 ? tests[0] : undefined;
  if (one) return (raw) => one(raw, needLower ? raw.toLowerCase() : raw);
  if (all)
    return (raw) => {
      const lower = needLower ? raw.toLowerCase() : raw;
      for (const t of tests) if (!t(raw, lower)) return false;
      return true;
    };
  return (raw) => {
    const lower = needLower ? raw.toLowerCase() : raw;
    for (const t of tests) if (t(raw, lower)) return true;
    return false;
  };
}

/** For `all` over a multi-valued field every rule value must match some element. */
function fieldTest(getter: FieldGetter, valueTests: ((raw: string) => boolean)[], all: boolean): DocTest {
  if (!all || valueTests.length === 1) {
    const any =
      valueTests.length === 1
        ? (valueTests[0] as (raw: string) => boolean)
        : (raw: string) => valueTests.some((t) => t(raw));
    return (doc) => eachScalar(getter(doc), any);
  }
  return (doc) => {
    const v = getter(doc);
    for (const t of valueTests) if (!eachScalar(v, t)) return false;
    return true;
  };
}

type Alt = { tokens: Token[]; cased?: boolean } | { bytes: Buffer };

function transformString(value: string, mods: readonly string[], path: Path): Alt[] {
  let alts: Alt[] = [{ tokens: parseSigmaString(value) }];
  for (const m of mods) {
    alts = alts.flatMap((alt): Alt[] => {
      if (m === 'windash')
        return 'tokens' in alt
          ? [{ tokens: windash(alt.tokens) }]
          : fail(path, 'windash applies to strings, not encoded bytes');
      if (m === 'utf16le' || m === 'wide' || m === 'utf16be' || m === 'utf16') {
        if (!('tokens' in alt)) fail(path, `${m} applied twice`);
        if (hasWildcards(alt.tokens)) fail(path, `${m} cannot encode wildcards; escape them or drop the modifier`);
        const text = alt.tokens.map((t) => (t.kind === 'lit' ? t.text : '')).join('');
        return [{ bytes: encodeUtf16(text, m === 'wide' ? 'utf16le' : m) }];
      }
      if (m === 'base64' || m === 'base64offset') {
        let bytes: Buffer;
        if ('bytes' in alt) bytes = alt.bytes;
        else if (hasWildcards(alt.tokens)) fail(path, `${m} cannot encode wildcards; escape them or drop the modifier`);
        else bytes = Buffer.from(alt.tokens.map((t) => (t.kind === 'lit' ? t.text : '')).join(''), 'utf8');
        // Base64 text is case-significant, so what it produces is compared case-sensitively.
        if (m === 'base64') return [{ tokens: literalTokens(bytes.toString('base64')), cased: true }];
        return base64Offsets(bytes).map((s) => ({ tokens: literalTokens(s), cased: true }));
      }
      if (!('tokens' in alt)) fail(path, `${m} cannot follow a utf16 modifier; add base64 or base64offset after it`);
      if (m === 'contains') return [{ ...alt, tokens: withStars(alt.tokens, true, true) }];
      if (m === 'startswith') return [{ ...alt, tokens: withStars(alt.tokens, false, true) }];
      return [{ ...alt, tokens: withStars(alt.tokens, true, false) }]; // endswith
    });
  }
  for (const alt of alts) if ('bytes' in alt) fail(path, 'a utf16 modifier must be followed by base64 or base64offset');
  return alts;
}

function compileRegexItem(
  getter: FieldGetter,
  values: unknown[],
  mods: readonly string[],
  all: boolean,
  path: Path,
): DocTest {
  const flags = (mods.includes('i') ? 'i' : '') + (mods.includes('m') ? 'm' : '') + (mods.includes('s') ? 's' : '');
  const tests = values.map((v, i) => {
    if (typeof v !== 'string') fail([...path, i], 're needs string values');
    // PCRE's leading inline flags (`(?i)…`, common in SigmaHQ rules) become JavaScript flags.
    const inline = /^\(\?([ims]+)\)/.exec(v);
    const source = inline ? v.slice(inline[0].length) : v;
    const reFlags = [...new Set(flags + (inline?.[1] ?? ''))].join('');
    try {
      const re = new RegExp(source, reFlags);
      return (raw: string) => re.test(raw);
    } catch (err) {
      return fail([...path, i], `invalid regular expression: ${(err as Error).message}`);
    }
  });
  return fieldTest(getter, tests, all);
}

function compileCidrItem(getter: FieldGetter, values: unknown[], path: Path): DocTest {
  const v4: [net: number, mask: number][] = [];
  const v6 = new BlockList();
  let hasV6 = false;
  values.forEach((v, i) => {
    if (typeof v !== 'string') fail([...path, i], 'cidr needs string values');
    const [net = '', bits] = v.split('/');
    const type = isIPv4(net) ? 'ipv4' : isIPv6(net) ? 'ipv6' : undefined;
    const max = type === 'ipv4' ? 32 : 128;
    const prefix = bits === undefined ? max : Number(bits);
    if (
      !type ||
      !Number.isInteger(prefix) ||
      prefix < 0 ||
      prefix > max ||
      (bits !== undefined && !/^\d+$/.test(bits))
    ) {
      fail([...path, i], `invalid CIDR range '${v}'`);
    }
    if (type === 'ipv4') {
      const mask = maskOf(prefix);
      v4.push([(parseIPv4(net) & mask) >>> 0, mask]);
    } else {
      v6.addSubnet(net, prefix, 'ipv6');
      hasV6 = true;
    }
  });
  const test = (raw: string): boolean => {
    const a = parseIPv4(raw);
    if (a >= 0) {
      for (const [net, mask] of v4) if ((a & mask) >>> 0 === net) return true;
      return false;
    }
    return hasV6 && isIPv6(raw) && v6.check(raw, 'ipv6');
  };
  return (doc) => eachScalar(getter(doc), test);
}

function compileCompareItem(
  getter: FieldGetter,
  values: unknown[],
  mods: readonly string[],
  time: TimeUnit | undefined,
  all: boolean,
  path: Path,
): DocTest {
  const ops = mods.filter((m) => COMPARE_MODS.has(m));
  if (ops.length > 1) fail(path, `only one of lt, lte, gt, gte per item (got ${ops.join(', ')})`);
  const op = ops[0];
  const tests = values.map((v, i) => {
    if (typeof v !== 'number') fail([...path, i], `${op ?? time ?? 'comparison'} needs numeric values`);
    switch (op) {
      case 'lt':
        return (n: number) => n < v;
      case 'lte':
        return (n: number) => n <= v;
      case 'gt':
        return (n: number) => n > v;
      case 'gte':
        return (n: number) => n >= v;
      default:
        return (n: number) => n === v;
    }
  });
  const toNumber = time ? (x: unknown) => timePart(x, time) : eventNumber;
  const matchOne = (v: unknown, t: (n: number) => boolean): boolean => {
    if (Array.isArray(v)) return v.some((x) => matchOne(x, t));
    const n = toNumber(v);
    return n !== undefined && t(n);
  };
  if (all)
    return (doc) => {
      const v = getter(doc);
      return tests.every((t) => matchOne(v, t));
    };
  return (doc) => {
    const v = getter(doc);
    return tests.some((t) => matchOne(v, t));
  };
}

function compileFieldref(getter: FieldGetter, values: unknown[], cased: boolean, all: boolean, path: Path): DocTest {
  const refs = values.map((v, i) =>
    typeof v === 'string' && v ? compileGetter(v) : fail([...path, i], 'fieldref needs field names'),
  );
  const norm = (s: string): string => (cased ? s : s.toLowerCase());
  const one = (doc: Record<string, unknown>, ref: FieldGetter): boolean => {
    const target = scalarText(ref(doc));
    if (target === undefined) return false;
    const want = norm(target);
    return eachScalar(getter(doc), (raw) => norm(raw) === want);
  };
  return all ? (doc) => refs.every((r) => one(doc, r)) : (doc) => refs.some((r) => one(doc, r));
}

/** Compile `key: value` of a selection map; `key` is `field|mods`, an empty field means keywords. */
export function compileItem(key: string, value: unknown, path: Path, keywordGetter: FieldGetter): DocTest {
  const [field = '', ...mods] = key.split('|');
  for (const m of mods) if (!KNOWN.has(m)) fail(path, `unknown modifier '${m}'`);
  if (mods.includes('expand')) fail(path, 'placeholders (the expand modifier) are not supported');
  for (const m of ['i', 'm', 's'])
    if (mods.includes(m) && !mods.includes('re')) fail(path, `'${m}' is a sub-modifier of re`);
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) fail(path, 'empty value list');
  const all = mods.includes('all');
  if (all && values.length < 2) fail(path, 'the all modifier needs a list of at least two values');
  const neq = mods.includes('neq');
  const getter = field === '' ? keywordGetter : compileGetter(field);
  const test = compileWithoutNeq(field, getter, values, mods, all, path);
  return neq ? (doc) => !test(doc) : test;
}

function compileWithoutNeq(
  field: string,
  getter: FieldGetter,
  values: unknown[],
  mods: readonly string[],
  all: boolean,
  path: Path,
): DocTest {
  if (mods.includes('exists')) {
    if (mods.length > 1 || values.length !== 1 || typeof values[0] !== 'boolean')
      fail(path, 'exists stands alone and takes true or false');
    const want = values[0];
    return (doc) => (getter(doc) !== MISSING) === want;
  }
  if (field === '' && mods.some((m) => !['all', 'cased', 'windash', 'contains'].includes(m)))
    fail(path, 'keyword searches take only all, cased, windash and contains');
  // A type modifier decides how the value is compared; string transformations cannot feed it.
  const kinds = [
    mods.includes('re') && 're',
    mods.includes('cidr') && 'cidr',
    mods.includes('fieldref') && 'fieldref',
    mods.some((m) => COMPARE_MODS.has(m) || (TIME_UNITS as readonly string[]).includes(m)) && 'numeric comparison',
  ].filter((k): k is string => typeof k === 'string');
  if (kinds.length > 1) fail(path, `${kinds.join(' and ')} cannot be combined`);
  const transforms = mods.filter((m) => STRING_MODS.has(m));
  if (kinds.length === 1 && transforms.length > 0)
    fail(path, `${kinds[0]} cannot be combined with ${transforms.join(', ')}`);
  if (mods.includes('fieldref')) return compileFieldref(getter, values, mods.includes('cased'), all, path);
  if (mods.includes('re')) return compileRegexItem(getter, values, mods, all, path);
  if (mods.includes('cidr')) return compileCidrItem(getter, values, path);
  const time = mods.find((m): m is TimeUnit => (TIME_UNITS as readonly string[]).includes(m));
  if (time || mods.some((m) => COMPARE_MODS.has(m))) return compileCompareItem(getter, values, mods, time, all, path);

  const hasNull = values.some((v) => v === null);
  if (hasNull) {
    if (values.length > 1) fail(path, 'null cannot be part of a list of values (Sigma: give it its own selection)');
    if (mods.some((m) => STRING_MODS.has(m))) fail(path, 'null takes no string modifiers');
    return (doc) => {
      const v = getter(doc);
      return v === MISSING || v === null;
    };
  }
  const cased = mods.includes('cased');
  // Keywords are full-text: a keyword matches anywhere in any value of the event.
  const stringMods =
    field === '' ? ['contains', ...mods.filter((m) => m === 'windash')] : mods.filter((m) => STRING_MODS.has(m));
  let needLower = false;
  const tests = values.map((v, i) => {
    if (typeof v === 'object' || v === undefined) fail([...path, i], 'values must be strings, numbers or booleans');
    const text = typeof v === 'string' ? v : String(v);
    // Numbers and booleans compare by their text, with no wildcards in them.
    const alts =
      typeof v === 'string'
        ? transformString(text, stringMods, [...path, i])
        : transformString(text.replace(/[*?\\]/g, '\\$&'), stringMods, [...path, i]);
    const altTests: StringTest[] = alts.map((alt) => {
      const tokens = 'tokens' in alt ? alt.tokens : [];
      const altCased = cased || ('cased' in alt && alt.cased === true);
      if (!altCased) needLower = true;
      return compileTokens(tokens, altCased);
    });
    return altTests.length === 1
      ? (altTests[0] as StringTest)
      : (raw: string, lower: string) => altTests.some((t) => t(raw, lower));
  });
  const fieldTests = all ? tests.map((t) => combine([t], false, needLower)) : [combine(tests, false, needLower)];
  return fieldTest(getter, fieldTests, all);
}
