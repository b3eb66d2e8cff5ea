/** The floors of the house fail `npm test` (through eslint) when an import runs back down a floor. */
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/testdata.ts';

const eslint = new ESLint({ cwd: REPO_ROOT });
const floorErrors = async (file: string, code: string) =>
  (await eslint.lintText(code, { filePath: join(REPO_ROOT, file) }))[0]!.messages
    .filter((m) => m.ruleId === 'msec/floors')
    .map((m) => m.message);

describe('msec/floors', () => {
  it('refuses imports that run back down a floor, in sources and test files alike', async () => {
    const cases: Array<[string, string]> = [
      ['src/core/platform/x.ts', "import { Iam } from '../../iam/index.ts';"],
      ['src/ledger/x.test.ts', "import { Iam } from '../iam/iam.ts';"],
      ['src/device/x.ts', "import { hubModule } from '../hub/index.ts';"],
      ['src/iam/x.ts', "import { TransparencyLog } from '../ledger/log.ts';"],
      ['src/vault/x.ts', "import { startPlatform } from '../server/platform.ts';"],
      ['src/vault/x.ts', "import { HistoryStore } from '../hub/history/history-store.ts';"],
      ['src/hub/x.ts', "export * from '../vault/server/records.ts';"],
      ['src/hub/x.ts', "const m = await import('../ledger/module.ts');"],
    ];
    for (const [file, code] of cases) expect(await floorErrors(file, code), `${file}: ${code}`).toHaveLength(1);
  });

  it('allows what the floors allow', async () => {
    const cases: Array<[string, string]> = [
      ['src/core/x.ts', "import { MsecError } from './errors.ts';"],
      ['src/iam/x.ts', "import { LEDGER_LOG } from '../ledger/index.ts';"],
      ['src/vault/x.ts', "import { routes } from './server/routes.ts';"],
      ['src/vault/x.ts', "import { hubModule } from '../hub/index.ts';"],
      ['src/hub/x.ts', "import { openSqliteStore } from '../core/storage/sqlite.ts';"],
      ['src/server/x.ts', "import { HistoryStore } from '../hub/history/history-store.ts';"],
      ['src/hub/x.test.ts', "import { stores } from '../../test/helpers/stores.ts';"],
    ];
    for (const [file, code] of cases) expect(await floorErrors(file, code), `${file}: ${code}`).toEqual([]);
  });
});
