import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadedState, pageLoader } from './panelLoader.js';

describe('data panel loader', () => {
  it('keeps the newest state when loads overlap, and reports failures', async () => {
    const events: string[] = [];
    const resolvers: ((v: string) => void)[] = [];
    let fail = false;
    const s = loadedState<string>(
      () => {
        if (fail) return Promise.reject(new Error('no such revision'));
        return new Promise<string>((r) => resolvers.push(r));
      },
      {
        started: () => events.push('started'),
        show: (v) => events.push(`show ${v}`),
        fail: (e) => events.push(`fail ${(e as Error).message}`),
      },
    );
    const first = s.reload();
    const second = s.reload();
    resolvers[1]!('new');
    resolvers[0]!('old');
    await Promise.all([first, second]);
    assert.equal(s.current, 'new');
    assert.deepEqual(events, ['started', 'started', 'show new']);
    fail = true;
    await s.reload();
    assert.equal(events.at(-1), 'fail no such revision');
    assert.equal(s.current, 'new', 'the last good state stays');
    s.set('given');
    assert.equal(s.current, 'given');
  });

  it('tells a reloaded page the last state and that a load is running, or how it failed', async () => {
    const seen: string[] = [];
    const send = {
      started: () => seen.push('started'),
      show: (v: string) => seen.push(`show ${v}`),
      failed: (e: string) => seen.push(`failed ${e}`),
    };
    let finish: (v: string) => void = () => undefined;
    let fail = false;
    const errors: unknown[] = [];
    const s = pageLoader<string>(
      () =>
        fail
          ? Promise.reject(new Error('no such revision'))
          : new Promise<string>((r) => (finish = r)),
      send,
      (e) => errors.push(e),
    );
    const first = s.reload();
    seen.length = 0;
    s.replay(send);
    assert.deepEqual(seen, ['started'], 'still loading: the page shows that it is working');
    finish('v1');
    await first;
    seen.length = 0;
    s.replay(send);
    assert.deepEqual(seen, ['show v1']);
    fail = true;
    await s.reload();
    seen.length = 0;
    s.replay(send);
    assert.deepEqual(seen, ['show v1', 'failed no such revision']);
    assert.equal(errors.length, 1, 'a failure is logged once, not on every replay');
  });
});
