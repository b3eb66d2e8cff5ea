export * from './payload.ts';
export * from './signed.ts';
export * from './sealed.ts';
