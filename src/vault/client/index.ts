export * from './envelope.ts';
export * from './crypto.ts';
export * from './owner-key.ts';
export * from './verify.ts';
export { VaultClient, type VaultClientOptions, type ReadResponse, type Decrypted } from './http.ts';
