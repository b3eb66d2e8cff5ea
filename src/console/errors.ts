/** Stable error codes of the web console's session layer (statuses in server/http-status.ts). */
export const CONSOLE_ERROR_CODES = ['CONSOLE_SESSION_INVALID', 'CONSOLE_CSRF_INVALID', 'CONSOLE_NOT_BUILT'] as const;

export type ConsoleErrorCode = (typeof CONSOLE_ERROR_CODES)[number];
