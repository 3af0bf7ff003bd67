// The wire contract shared by edge and central: import it from here only.
export * from './ack.ts';
export * from './event.ts';
export * from './ids.ts';
export * from './status.ts';
export * from './timestamp.ts';
export * from './topics.ts';
export * from './validate.ts';
export * from './version.ts';
