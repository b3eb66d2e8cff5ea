export * from './roles.ts';
export type * from './access.ts';
export { serviceKey, Services, type ServiceKey, type AnyServiceKey, type ServiceRegistry } from './services.ts';
export type { ModuleContext, PlatformModule, RouteSecurity } from './module.ts';
export { startOrder } from './order.ts';
export {
  SUBJECTS,
  SECURITY_EVENTS,
  securitySubject,
  parseSecuritySubject,
  type SecuritySource,
  type SecurityKind,
} from './subjects.ts';
export { ACCEPTED_READINGS, type AcceptedReadingsOutbox, type StoredReadingRef } from './readings.ts';
export {
  ERROR_SCHEMA_ID,
  ErrorBodySchema,
  errorReply,
  errorReplies,
  NoContent,
  openObject,
  mediaReply,
} from './http-schemas.ts';
