/** `msec gateway ids-config`: validate, write suricata.yaml + msec-iot.rules (+ IPS files), prove with `suricata -T`. */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MsecError } from '../../core/errors.ts';
import { buildSuricataConfig, renderLogrotate, renderNfqueueRules, renderSuricataYaml, RULES_FILE } from './config.ts';
import { IOT_RULES, renderRuleset, type IdsMode } from './rules/index.ts';
import { findSuricata, testConfig, type SuricataInstall } from './suricata.ts';
import { checkInterface, checkOutDir, listExtraRules, parseHomeNet } from './validate.ts';

export interface IdsConfigRequest {
  outDir: string;
  mode?: IdsMode;
  homeNet?: readonly string[];
  interface?: string;
  extraRulesDir?: string;
  sensorName?: string;
  logDir?: string;
  nfqueue?: number;
  extraEveTypes?: readonly string[];
  /** Skip the Suricata version check and `suricata -T` (writing for another machine). */
  verify?: boolean;
  suricataBin?: string;
}

export interface IdsConfigResult {
  files: string[];
  configPath: string;
  rulesPath: string;
  mode: IdsMode;
  homeNet: string[];
  rules: number;
  dropRules: number;
  suricata?: { version: string; testMs: number };
}

export const NFQUEUE_FILE = 'msec-ips-nfqueue.nft';
const GENERATOR = 'msec gateway ids-config';

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, path);
}

function checkMode(mode: string): IdsMode {
  if (mode !== 'ids' && mode !== 'ips')
    throw new MsecError('GATEWAY_MODE_INVALID', `--mode must be ids or ips (got ${JSON.stringify(mode.slice(0, 20))})`);
  return mode;
}

export async function generateIdsConfig(req: IdsConfigRequest): Promise<IdsConfigResult> {
  // Everything the owner typed is checked before anything is written.
  const mode = checkMode(req.mode ?? 'ids');
  const homeNet = parseHomeNet(req.homeNet);
  const iface = req.interface === undefined ? undefined : checkInterface(req.interface);
  const extraRuleFiles = req.extraRulesDir === undefined ? [] : listExtraRules(req.extraRulesDir);
  const nfqueue = req.nfqueue ?? 0;
  if (!Number.isInteger(nfqueue) || nfqueue < 0 || nfqueue > 65535)
    throw new MsecError('GATEWAY_NFQUEUE_INVALID', '--queue must be 0-65535');
  const verify = req.verify ?? true;
  const install: SuricataInstall | undefined = verify ? findSuricata(req.suricataBin) : undefined;
  const outDir = checkOutDir(req.outDir);

  const config = buildSuricataConfig({
    mode,
    homeNet,
    interface: iface,
    sensorName: req.sensorName ?? hostname(),
    ruleDir: outDir,
    extraRuleFiles,
    suricataConfigDir: install?.configDir ?? '/etc/suricata',
    logDir: req.logDir ?? '/var/log/suricata',
    nfqueue,
    extraEveTypes: req.extraEveTypes,
  });
  const configPath = join(outDir, 'suricata.yaml');
  const rulesPath = join(outDir, RULES_FILE);
  const files = [configPath, rulesPath];
  writeAtomic(rulesPath, renderRuleset(IOT_RULES, mode, GENERATOR));
  writeAtomic(
    configPath,
    renderSuricataYaml(
      config,
      `Suricata 7 configuration for an msec IoT gateway (${mode.toUpperCase()} mode), written by ${GENERATOR}.`,
    ),
  );
  const logrotate = join(outDir, 'msec-suricata.logrotate');
  writeAtomic(logrotate, renderLogrotate(req.logDir ?? '/var/log/suricata'));
  files.push(logrotate);
  if (mode === 'ips') {
    const nft = join(outDir, NFQUEUE_FILE);
    writeAtomic(nft, renderNfqueueRules(nfqueue));
    files.push(nft);
  }

  let suricata: IdsConfigResult['suricata'];
  if (install) {
    const scratch = mkdtempSync(join(tmpdir(), 'msec-suricata-T-'));
    try {
      const run = await testConfig(install, configPath, scratch);
      suricata = { version: install.version, testMs: Math.round(run.ms) };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  const dropRules = mode === 'ips' ? IOT_RULES.filter((r) => r.blocking).length : 0;
  return { files, configPath, rulesPath, mode, homeNet, rules: IOT_RULES.length, dropRules, suricata };
}
