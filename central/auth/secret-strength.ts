// Estimates how guessable a configured secret (API token, MQTT password) is; central refuses weak ones at start.

/**
 * Bits a secret must have (estimated as below). 96 bits: 16 random bytes as hex (32 characters, 128 bits) or as
 * base64url (22 characters, 132 bits) pass with margin; a 16-character word-and-digits string does not.
 */
export const MIN_SECRET_BITS = 96;

/** Placeholders shipped in examples; a config still holding one was never filled in. */
const PLACEHOLDERS = ['change-me', 'changeme', 'change_me', 'replace-me', 'replaceme'];

const CLASSES: { re: RegExp; size: number }[] = [
  { re: /[a-z]/, size: 26 },
  { re: /[A-Z]/, size: 26 },
  { re: /[0-9]/, size: 10 },
  { re: /[^a-zA-Z0-9]/, size: 33 },
];

/**
 * Characters that count: a run of three or more repeated ("aaaa") or consecutive ("0123", "abcdef", "9876")
 * characters counts as one, because guessers try such runs first.
 */
export function effectiveLength(secret: string): number {
  let n = 0;
  let runStep: number | undefined;
  let runLength = 0;
  for (let i = 0; i < secret.length; i++) {
    const step = i === 0 ? undefined : secret.charCodeAt(i) - secret.charCodeAt(i - 1);
    if (step !== undefined && (step === 0 || step === 1 || step === -1) && step === runStep) {
      runLength++;
      // The third character of a run and every later one adds nothing.
      if (runLength >= 2) continue;
    } else {
      runStep = step;
      runLength = step !== undefined && (step === 0 || step === 1 || step === -1) ? 1 : 0;
    }
    n++;
  }
  return n;
}

/** Estimated bits: effective length x log2(size of the character classes used). */
export function estimateSecretBits(secret: string): number {
  const alphabet = CLASSES.filter((c) => c.re.test(secret)).reduce((n, c) => n + c.size, 0);
  if (alphabet === 0) return 0;
  return effectiveLength(secret) * Math.log2(alphabet);
}

/** Why a secret is too weak to be used outside the demo, or undefined when it is acceptable. */
export function weakSecretReason(secret: string, minBits = MIN_SECRET_BITS): string | undefined {
  const lower = secret.toLowerCase();
  const placeholder = PLACEHOLDERS.find((p) => lower.includes(p));
  if (placeholder) return `is the example placeholder ("${placeholder}"); generate one: openssl rand -hex 32`;
  const bits = Math.floor(estimateSecretBits(secret));
  if (bits < minBits)
    return `is guessable (about ${bits} bits, at least ${minBits} needed); generate one: openssl rand -hex 32`;
  return undefined;
}
