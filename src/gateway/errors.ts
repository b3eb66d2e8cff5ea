/** Stable error codes of the gateway tools (their HTTP status, should one be served, is mapped in server/http-status.ts). */
export const GATEWAY_ERROR_CODES = [
  'GATEWAY_CONFIG_REJECTED',
  'GATEWAY_EXTRA_RULES_INVALID',
  'GATEWAY_HOME_NET_INVALID',
  'GATEWAY_INTERFACE_UNKNOWN',
  'GATEWAY_MODE_INVALID',
  'GATEWAY_NFQUEUE_INVALID',
  'GATEWAY_OUT_DIR_UNWRITABLE',
  'GATEWAY_SURICATA_MISSING',
  'GATEWAY_SURICATA_TOO_OLD',
] as const;

export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];
