// Types of verdict-guard.js for the TypeScript unit tests (the browser loads the .js directly).
export declare const TRANSITION_MS: number;
export interface OnScreen {
  id: string;
  version: number;
}
export type GuardAnswer =
  | { ok: true; target: OnScreen }
  | { ok: false; why: 'repeat' | 'transition' | 'pending' | 'nothing' | 'decided' };
export declare function createVerdictGuard(transitionMs?: number): {
  shown(s: OnScreen | undefined, atMs: number): void;
  check(e: { repeat?: boolean; timeStamp: number }): GuardAnswer;
  pending(on: boolean, decided?: string): void;
};
