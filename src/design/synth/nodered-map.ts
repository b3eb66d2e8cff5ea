import { parse as parseYaml } from 'yaml';
import { synthError } from './errors.ts';

/** Node properties a map may not set: the translator owns identity, tab and wiring. */
const RESERVED = new Set(['id', 'z', 'wires', 'x', 'y']);

/**
 * Core Node-RED node types the translator accepts (Node-RED 4.1 core palette). Anything else
 * would load as an "unknown" node and silently do nothing, so it is refused.
 */
export const KNOWN_NODE_TYPES = new Set([
  'tab',
  'inject',
  'debug',
  'complete',
  'catch',
  'status',
  'link in',
  'link out',
  'link call',
  'comment',
  'junction',
  'function',
  'switch',
  'change',
  'range',
  'template',
  'delay',
  'trigger',
  'exec',
  'rbe',
  'mqtt in',
  'mqtt out',
  'mqtt-broker',
  'http in',
  'http response',
  'http request',
  'websocket in',
  'websocket out',
  'websocket-listener',
  'websocket-client',
  'tcp in',
  'tcp out',
  'tcp request',
  'udp in',
  'udp out',
  'csv',
  'html',
  'json',
  'xml',
  'yaml',
  'split',
  'join',
  'sort',
  'batch',
  'file',
  'file in',
  'watch',
]);

/** Types with no output port: a controllable action mapped to one completes when the message is sent. */
export const NO_OUTPUT_TYPES = new Set([
  'http response',
  'debug',
  'link out',
  'mqtt out',
  'websocket out',
  'tcp out',
  'udp out',
  'comment',
]);

export interface NodeSpec {
  type: string;
  props: Record<string, unknown>;
}

/** The "connexion" dictionary: controller action → the Node-RED node that realises it. */
export interface NodeMap {
  label: string;
  actions: Map<string, NodeSpec>;
}

/**
 * Reads a map (JSON or YAML): `{ label?, actions: { "<action>": { type, ...node properties } } }`.
 * The original M-Sec translator's flat `{ "<action>": {…} }` dictionary is accepted too.
 */
export function parseNodeMap(text: string, file = 'map'): NodeMap {
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw synthError(
      'MAP_INVALID',
      `${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML/JSON'}: ${(err as Error).message}`,
    );
  }
  if (!isObject(raw)) throw synthError('MAP_INVALID', `${file}: the map must be an object`);
  const actionsRaw = isObject(raw.actions) ? raw.actions : raw;
  const label = typeof raw.label === 'string' ? raw.label : 'msec controller';
  const actions = new Map<string, NodeSpec>();
  for (const [action, v] of Object.entries(actionsRaw)) {
    if (actionsRaw === raw && action === 'label') continue;
    if (!isObject(v)) throw synthError('MAP_INVALID', `${file}: action "${action}" must map to a node object`);
    const { type, ...props } = v;
    if (typeof type !== 'string') throw synthError('MAP_INVALID', `${file}: action "${action}" needs a node "type"`);
    if (!KNOWN_NODE_TYPES.has(type) || type === 'tab')
      throw synthError('MAP_UNKNOWN_TYPE', `${file}: action "${action}" uses the unknown node type "${type}"`);
    for (const k of Object.keys(props))
      if (RESERVED.has(k))
        throw synthError('MAP_INVALID', `${file}: action "${action}" may not set "${k}" (the translator assigns it)`);
    actions.set(normaliseAction(action), { type, props });
  }
  if (!actions.size) throw synthError('MAP_INVALID', `${file}: the map names no action`);
  return { label, actions };
}

/** "allow_A[1]" and "allow_A.1" are the same action. */
export function normaliseAction(a: string): string {
  return a.replace(/\[([^\]]+)\]/g, '.$1').replace(/^\./, '');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
