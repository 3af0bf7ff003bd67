#!/usr/bin/env node
// The matthan command: runs the TypeScript sources through tsx's loader (no build step to go stale).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
