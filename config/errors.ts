// Config errors: each issue names the path, the offending value, the reason and (when known) the YAML line.
export interface ConfigIssue {
  path: string;
  value: unknown;
  reason: string;
  line?: number;
}

export class ConfigError extends Error {
  readonly code = 'MATTHAN_ERR_CONFIG';
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super(`invalid config ${file}:\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line ? ` (line ${issue.line})` : '';
  return `${issue.path || '<root>'}${where}: ${issue.reason}; got ${preview(issue.value)}`;
}

function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  const s = JSON.stringify(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
