// ESLint rule `msec/floors`: the floors of the house (../shared/ARCHITECTURE.md), checked on the
// resolved path of every relative import, so `vault/server/…` is never mistaken for `src/server`.
import { dirname, relative, resolve, sep } from 'node:path';

const FEATURES = ['ca', 'hub', 'vault', 'monitor', 'market', 'anonymizer', 'design', 'gateway'];
const TOP = ['server', 'cli', 'console'];

/** What each module may import of the others: 'face' = only its index.ts, 'any' = any file. */
function allowed(from, to) {
  if (from === to || to === 'core') return 'any';
  if (from === 'core' || from === 'device' || from === 'ledger') return 'none';
  if (from === 'iam') return to === 'ledger' ? 'face' : 'none';
  if (FEATURES.includes(from)) return TOP.includes(to) ? 'none' : 'face';
  return 'any'; // server, cli, console wire everything
}

export const floorsRule = {
  meta: {
    type: 'problem',
    schema: [],
    messages: { floor: '{{from}} may not import {{target}}: {{why}} (floors: ARCHITECTURE.md)' },
  },
  create(context) {
    const srcRoot = resolve(context.cwd, 'src');
    const file = context.filename;
    const rel = relative(srcRoot, file);
    if (rel.startsWith('..')) return {};
    const from = rel.split(sep)[0];
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = relative(srcRoot, resolve(dirname(file), spec));
      if (target.startsWith('..')) return; // test helpers, package.json
      const parts = target.split(sep);
      const to = parts[0];
      const rule = allowed(from, to);
      if (rule === 'any') return;
      if (rule === 'face' && parts.length === 2 && parts[1] === 'index.ts') return;
      const why = rule === 'face' ? `import ${to}/index.ts instead` : `${from} sits below ${to}`;
      context.report({ node, messageId: 'floor', data: { from: `src/${from}`, target: `src/${target}`, why } });
    };
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
    };
  },
};
