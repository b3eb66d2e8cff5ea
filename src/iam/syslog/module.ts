import { SUBJECTS, type PlatformModule } from '../../core/index.ts';
import { IAM } from '../service.ts';
import { auditMessage, securityMessage, type SyslogOrigin } from './events.ts';
import { SyslogForwarder } from './forwarder.ts';
import { syslogSettingsFromEnv, type SyslogSettings } from './settings.ts';

/**
 * Forwards the audit trail and the platform's security events to a city's SIEM over syslog
 * (RFC 5424, octet-counted over TCP or TLS). Each process forwards the audit rows it writes;
 * security events are taken once per event across processes (queue group). A receiver that is
 * away never blocks or fails a request: messages wait in a bounded buffer (see SyslogForwarder).
 */
export function syslogModule(
  opts: { settings?: SyslogSettings; minBackoffMs?: number; maxBackoffMs?: number } = {},
): PlatformModule & { forwarder(): SyslogForwarder } {
  let forwarder: SyslogForwarder | undefined;
  let unsubscribe: (() => void) | undefined;
  return {
    name: 'iam-syslog',
    needs: [IAM],
    async start(ctx) {
      const settings = opts.settings ?? syslogSettingsFromEnv();
      if (!settings) return;
      const origin: SyslogOrigin = {
        hostname: settings.hostname,
        appName: 'msec',
        procId: String(process.pid),
        enterpriseId: settings.enterpriseId,
      };
      const f = new SyslogForwarder({
        settings,
        registry: ctx.metrics,
        logger: ctx.logger,
        minBackoffMs: opts.minBackoffMs,
        maxBackoffMs: opts.maxBackoffMs,
      });
      forwarder = f;
      f.start();
      ctx.services.get(IAM).audit.onAppend((e) => f.send(auditMessage(e, origin)));
      unsubscribe = ctx.bus.subscribe(SUBJECTS.securityAll, (ev) => f.send(securityMessage(ev, origin)), {
        queue: 'iam-syslog',
      });
      ctx.logger.info(
        { transport: settings.transport, host: settings.host, port: settings.port },
        'forwarding audit and security events to syslog',
      );
    },
    async stop() {
      unsubscribe?.();
      await forwarder?.stop();
    },
    forwarder() {
      if (!forwarder) throw new Error('syslog forwarding is not configured or has not started');
      return forwarder;
    },
  };
}
