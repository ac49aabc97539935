// The webview bundle cannot import core (the layer rules); this is core's shortHash
// (src/core/format.ts) for the page, and test/webview/model.test.ts checks that they agree.

/** A hash (content or commit, with or without a `sha256:` prefix) shortened for people. */
export function shortHash(hash: string): string {
  return hash.replace(/^sha256:/, '').slice(0, 10);
}
