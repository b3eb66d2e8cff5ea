import type { PlatformModule, PolicyStatement } from '../iam/index.ts';

export const ANONYMIZER_POLICY: PolicyStatement[] = [];

/** The anonymizer as a platform module (HTTP routes come with the API step). */
export function anonymizerModule(): PlatformModule {
  return { name: 'anonymizer', policy: ANONYMIZER_POLICY };
}
