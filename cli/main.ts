// matthan command line: validate-config, edge, central, demo.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadCentralConfig } from '../central/config/load.ts';
import { startCentral } from '../central/main.ts';
import { ConfigError } from '../config/errors.ts';
import { loadEdgeConfig } from '../edge/config/load.ts';
import { startEdge } from '../edge/main.ts';
import { rootLogger } from '../lib/log.ts';
import { auditVerifyCommand } from './audit-verify.ts';
import { brokerFilesCommand } from './broker-files.ts';
import { runDemo } from './demo.ts';
import { validateConfigCommand } from './validate-config.ts';

const USAGE = `usage: matthan <command> [options]

commands:
  validate-config FILE [--kind edge|central]   check a config; exit 1 with every issue (path, value, reason)
  edge FILE                                     run an edge box
  central FILE                                  run the central service
  demo [--duration S] [--config FILE]           broker + central + edge on a real clip; prints the API address
  broker-files CENTRAL_FILE --out DIR           mosquitto password file, ACL file and auth conf from the config
  audit verify DB [--head SEQ:HASH]             check the audit log's hash chain; exit 1 on an edited or deleted row
`;

function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      rootLogger.info({ signal: sig }, 'shutting down');
      stop().then(
        () => process.exit(0),
        (err: Error) => {
          rootLogger.error({ err: err.message }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'validate-config': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { kind: { type: 'string' } },
        });
        if (positionals.length !== 1) break;
        const kind = values.kind === 'edge' || values.kind === 'central' ? values.kind : undefined;
        return validateConfigCommand(positionals[0]!, kind);
      }
      case 'edge': {
        if (rest.length !== 1) break;
        const file = rest[0]!;
        const edge = await startEdge(loadEdgeConfig(file), { configDir: path.dirname(path.resolve(file)) });
        onSignals(() => edge.stop());
        return await new Promise<number>(() => undefined);
      }
      case 'central': {
        if (rest.length !== 1) break;
        const central = await startCentral(loadCentralConfig(rest[0]!));
        process.stdout.write(`central API at ${central.url}/api/incidents\n`);
        onSignals(() => central.stop());
        return await new Promise<number>(() => undefined);
      }
      case 'broker-files': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { out: { type: 'string' } },
        });
        if (positionals.length !== 1 || !values.out) break;
        return brokerFilesCommand(positionals[0]!, values.out);
      }
      case 'audit': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { head: { type: 'string' } },
        });
        if (positionals[0] !== 'verify' || positionals.length !== 2) break;
        return auditVerifyCommand(positionals[1]!, values.head);
      }
      case 'demo': {
        const { values } = parseArgs({
          args: rest,
          options: { duration: { type: 'string' }, config: { type: 'string' } },
        });
        const duration = values.duration === undefined ? undefined : Number(values.duration);
        if (duration !== undefined && !(duration > 0)) {
          process.stderr.write(`--duration must be a positive number of seconds; got ${values.duration}\n`);
          return 2;
        }
        return await runDemo({ durationS: duration, configFile: values.config });
      }
      case undefined:
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    process.stderr.write(`matthan ${command}: ${(err as Error).message}\n`);
    return 1;
  }
  process.stderr.write(USAGE);
  return 2;
}
