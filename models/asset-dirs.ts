// Where the shared (not redistributable) models and media live: config, then env, then ../shared beside the repo.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is models/asset-dirs.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** ../shared next to the checkout, as CI and the demo have it; undefined when absent. */
export function sharedDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [
    env.MATTHAN_SHARED_DIR,
    path.resolve(REPO_ROOT, '..', 'shared'),
    path.resolve(process.cwd(), '..', 'shared'),
  ];
  return candidates.find((d): d is string => !!d && existsSync(d));
}

function assetDir(
  kind: 'models' | 'media' | 'schemas',
  configured: string | undefined,
  envVar: string,
  env: NodeJS.ProcessEnv,
): string {
  if (configured) return path.resolve(configured);
  const fromEnv = env[envVar];
  if (fromEnv) return path.resolve(fromEnv);
  const shared = sharedDir(env);
  if (shared) return path.join(shared, kind);
  throw new Error(
    `MATTHAN_ERR_ASSETS: no ${kind} directory: set ${kind}Dir in the config or ${envVar}, or put the shared assets at ../shared`,
  );
}

export const modelsDir = (configured?: string, env: NodeJS.ProcessEnv = process.env) =>
  assetDir('models', configured, 'MATTHAN_MODELS_DIR', env);
export const mediaDir = (configured?: string, env: NodeJS.ProcessEnv = process.env) =>
  assetDir('media', configured, 'MATTHAN_MEDIA_DIR', env);
/** CAP 1.2 XSD and FIWARE Alert schemas (test fixtures for the IOC forwarders). */
export const schemasDir = (configured?: string, env: NodeJS.ProcessEnv = process.env) =>
  assetDir('schemas', configured, 'MATTHAN_SCHEMAS_DIR', env);
