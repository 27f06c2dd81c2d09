import type { RouterRoute } from 'hono/types';
import { TrieRouter } from 'hono/router/trie-router';

const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * The methods an app answers on a path, derived from its routes (middleware,
 * registered for every method, is left out), for a 405's `Allow` header. HEAD
 * comes with GET because Hono answers HEAD with the GET handler. The lookup is
 * built on first use, once every route is registered.
 *
 * @example
 * const allowed = allowedMethods(() => app.routes);
 * allowed('/v1/customers'); // ['GET', 'HEAD', 'POST']
 */
export function allowedMethods(routes: () => RouterRoute[]): (path: string) => string[] {
  let router: TrieRouter<string> | undefined;
  const build = () => {
    const built = new TrieRouter<string>();
    for (const route of routes()) if (route.method !== 'ALL') built.add('ALL', route.path, route.method);
    return built;
  };
  return function methodsOf(path) {
    router ??= build();
    const methods = new Set(router.match('GET', path)[0].map(([method]) => method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  };
}
