// Types of keyboard.js for the TypeScript unit tests (the browser loads the .js directly).
export type KeyAction =
  | 'next'
  | 'previous'
  | 'confirm'
  | 'reject'
  | 'note'
  | 'play'
  | 'zoom'
  | 'blur'
  | 'undo'
  | 'help'
  | 'snapshot';
export declare function keyAction(
  e: { key: string; ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean },
  targetTag?: string,
): KeyAction | undefined;
