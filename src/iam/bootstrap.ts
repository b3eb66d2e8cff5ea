import { join } from 'node:path';
import { newSecret, writePrivateFile } from '../core/index.ts';
import type { Iam } from './iam.ts';
import { PLATFORM_ORG } from './roles.ts';

export const ADMIN_USERNAME = 'admin';

/**
 * First start: creates the platform organisation and an admin with a random password written
 * to a file only the owner can read. Returns that file's path when it was created.
 */
export async function bootstrapAdmin(iam: Iam, dataDir: string): Promise<{ credentialFile: string } | undefined> {
  if (await iam.directory.findByName(ADMIN_USERNAME)) return undefined;
  if (!(await iam.directory.getOrg(PLATFORM_ORG))) {
    await iam.directory.createOrg({ id: PLATFORM_ORG, name: 'Platform operator', kind: 'platform' });
  }
  const password = newSecret(18);
  await iam.directory.createPrincipal({
    orgId: PLATFORM_ORG,
    kind: 'user',
    name: ADMIN_USERNAME,
    displayName: 'Platform administrator',
    roles: ['admin'],
    password,
  });
  const credentialFile = join(dataDir, 'admin-credential.json');
  writePrivateFile(
    credentialFile,
    JSON.stringify({ username: ADMIN_USERNAME, password, createdAt: new Date().toISOString() }, null, 2) + '\n',
  );
  return { credentialFile };
}
