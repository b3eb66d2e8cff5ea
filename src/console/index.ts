export { CONSOLE_ERROR_CODES, type ConsoleErrorCode } from './errors.ts';
export { installConsole, type ConsoleOptions } from './server/plugin.ts';
export { ConsoleSessions, SESSION_COOKIE, CSRF_HEADER } from './server/sessions.ts';
export { CONSOLE_PAGES } from './server/pages.ts';
