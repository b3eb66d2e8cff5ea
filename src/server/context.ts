import type { ModuleContext } from '../core/index.ts';
import type { Iam } from '../iam/index.ts';

/** The server's own routes (auth, principals, API keys, audit) work on IAM directly. */
export interface ServerContext extends ModuleContext {
  iam: Iam;
}
