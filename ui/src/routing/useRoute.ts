// useRoute: the current hash route, updated on navigation.
import { useSyncExternalStore } from 'react';
import { parseRoute, type Route } from './route';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

function currentHash(): string {
  return window.location.hash;
}

/**
 * The route for the current `location.hash`.
 * @example const route = useRoute(); if (route.page === 'asset') ...
 */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, currentHash);
  return parseRoute(hash);
}

/** Go to a hash produced by the `*Href` builders. */
export function navigate(href: string): void {
  window.location.hash = href.replace(/^#/, '');
}
