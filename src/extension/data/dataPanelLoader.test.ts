import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadedState } from './dataPanelLoader';

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
});
