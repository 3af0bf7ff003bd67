// Writes config/REFERENCE.md from the config schemas.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { configReference } from '../config/reference.ts';
import { REPO_ROOT } from '../models/asset-dirs.ts';

writeFileSync(path.join(REPO_ROOT, 'config/REFERENCE.md'), configReference());
process.stdout.write('wrote config/REFERENCE.md\n');
