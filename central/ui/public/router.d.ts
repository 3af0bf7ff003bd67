// Types of router.js for the TypeScript unit tests (the browser loads the .js directly).
export type Route =
  | { view: 'review'; id?: string }
  | { view: 'stats' }
  | { view: 'cameras' }
  | { view: 'audit' };
export declare function parseRoute(hash: string): Route;
export declare function routeHash(r: Route): string;
