// `matthan broker-files CENTRAL_CONFIG --out DIR`: mosquitto password file, ACL file and auth conf from the config.
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brokerAccounts } from '../central/broker/broker-accounts.ts';
import {
  mosquittoAclFile,
  mosquittoAuthConf,
  mosquittoPasswordFile,
} from '../central/broker/mosquitto-files.ts';
import { loadCentralConfig } from '../central/config/load.ts';

/** Written to a temp name and renamed, so a running mosquitto reloading on SIGHUP never reads half a file. */
function writeAtomic(file: string, text: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode); // the umask may have narrowed or (for a pre-existing tmp) kept other bits
  renameSync(tmp, file);
}

export function brokerFilesCommand(configFile: string, outDir: string): number {
  const config = loadCentralConfig(configFile);
  if (!config.broker.password) {
    process.stderr.write(
      `${configFile}: broker.password is not set; central needs its own MQTT password on an external broker\n`,
    );
    return 1;
  }
  const accounts = brokerAccounts(config, config.broker.password);
  mkdirSync(outDir, { recursive: true });
  const dir = path.resolve(outDir);
  const passwd = path.join(dir, 'passwd');
  const acl = path.join(dir, 'acl');
  const conf = path.join(dir, 'matthan.conf');
  // The password file holds hashes only, but they can be attacked offline: owner-readable (mosquitto's user).
  writeAtomic(passwd, mosquittoPasswordFile(accounts), 0o600);
  writeAtomic(acl, mosquittoAclFile(accounts, path.basename(configFile)), 0o644);
  writeAtomic(conf, mosquittoAuthConf(passwd, acl), 0o644);
  const kinds: Record<string, number> = {};
  for (const a of accounts) kinds[a.kind] = (kinds[a.kind] ?? 0) + 1;
  process.stdout.write(
    `wrote ${passwd}, ${acl} and ${conf}: ${accounts.length} users (${Object.entries(kinds)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}). Include ${conf} in mosquitto.conf and send mosquitto SIGHUP to reload.\n`,
  );
  return 0;
}
