import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { normals } from '../testing/samples.js';
import { CLI, tempDir } from '../testing/tempProject.js';
import { profilePath, type ColumnProfile, type TableProfile } from './profile.js';

const col = (p: TableProfile, name: string): ColumnProfile =>
  p.columns.find((c) => c.name === name)!;

test('profile of a CSV matches statistics computed independently', async () => {
  const dir = tempDir();
  const xs = [3.5, -1, 7.25, 0, 12, 5, 5, 9.5, -4, 2];
  const cities = [
    'Paris',
    'Lyon, FR',
    'Paris',
    'Nice',
    '',
    'Paris',
    'Lyon, FR',
    'Nice',
    'Paris',
    'NA',
  ];
  const lines = ['x,city,label,note'];
  xs.forEach((x, i) =>
    lines.push(
      `${x},${cities[i]!.includes(',') ? `"${cities[i]}"` : cities[i]},${i % 2},${i === 3 ? '"multi\nline ""quoted"""' : 'plain'}`,
    ),
  );
  fs.writeFileSync(path.join(dir, 't.csv'), lines.join('\n') + '\n');
  const p = (await profilePath(path.join(dir, 't.csv'), 't.csv')) as TableProfile;
  assert.equal(p.rows, 10);
  const x = col(p, 'x');
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  const sorted = [...xs].sort((a, b) => a - b);
  assert.equal(x.type, 'number');
  assert.ok(Math.abs(x.mean! - mean) < 1e-5, `mean ${x.mean} vs ${mean}`);
  assert.ok(Math.abs(x.std! - std) < 1e-5, `std ${x.std} vs ${std}`);
  assert.equal(x.min, -4);
  assert.equal(x.max, 12);
  assert.equal(x.quantiles!.p50, (sorted[4]! + sorted[5]!) / 2);
  assert.equal(x.quantiles!.p25, sorted[2]! + (sorted[3]! - sorted[2]!) * 0.25);
  assert.equal(x.distinct, 9);
  assert.equal(
    x.histogram!.counts.reduce((a, b) => a + b, 0),
    10,
  );

  const city = col(p, 'city');
  assert.equal(city.type, 'string');
  assert.equal(city.missing, 2);
  assert.equal(city.missingRate, 0.2);
  assert.equal(city.distinct, 3);
  assert.deepEqual(city.topValues!.slice(0, 2), [
    { value: 'Paris', count: 4 },
    { value: 'Lyon, FR', count: 2 },
  ]);
  assert.equal(
    col(p, 'note').topValues!.find((v) => v.value.startsWith('multi'))?.value,
    'multi\nline "quoted"',
  );
});

test('profile of a known distribution: 50,000 draws of N(10, 2)', async () => {
  const dir = tempDir();
  const xs = normals(50_000, 10, 2, 42);
  fs.writeFileSync(
    path.join(dir, 'n.jsonl'),
    xs.map((v, i) => JSON.stringify({ v, i, group: i % 3 === 0 ? 'a' : 'b' })).join('\n'),
  );
  const p = (await profilePath(path.join(dir, 'n.jsonl'), 'n.jsonl')) as TableProfile;
  assert.equal(p.format, 'jsonl');
  const v = col(p, 'v');
  assert.ok(Math.abs(v.mean! - 10) < 0.05, `mean ${v.mean}`);
  assert.ok(Math.abs(v.std! - 2) < 0.05, `std ${v.std}`);
  assert.ok(Math.abs(v.quantiles!.p50 - 10) < 0.05);
  assert.ok(Math.abs(v.quantiles!.p95 - (10 + 1.645 * 2)) < 0.1, `p95 ${v.quantiles!.p95}`);
  // exact up to 10,000 distinct values, then estimated within a few per cent
  assert.equal(col(p, 'i').distinctExact, false);
  assert.ok(
    Math.abs(col(p, 'i').distinct - 50_000) / 50_000 < 0.05,
    `distinct ${col(p, 'i').distinct}`,
  );
  assert.equal(col(p, 'group').distinct, 2);
});

test('a folder of images: count, sizes, channels and classes from the headers', async () => {
  const dir = tempDir();
  const png = (w: number, h: number, colorType: number): Buffer => {
    const b = Buffer.alloc(33);
    b.writeUInt32BE(0x89504e47, 0);
    b.writeUInt32BE(0x0d0a1a0a, 4);
    b.writeUInt32BE(13, 8);
    b.write('IHDR', 12, 'ascii');
    b.writeUInt32BE(w, 16);
    b.writeUInt32BE(h, 20);
    b[24] = 8;
    b[25] = colorType;
    return b;
  };
  fs.mkdirSync(path.join(dir, 'imgs/cat'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'imgs/dog'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'imgs/cat/1.png'), png(32, 24, 2));
  fs.writeFileSync(path.join(dir, 'imgs/cat/2.png'), png(64, 48, 6));
  fs.writeFileSync(path.join(dir, 'imgs/dog/1.png'), png(16, 16, 0));
  fs.writeFileSync(path.join(dir, 'imgs/dog/broken.png'), 'not an image');
  fs.writeFileSync(path.join(dir, 'imgs/labels.txt'), 'ignored');
  const p = await profilePath(path.join(dir, 'imgs'), 'imgs');
  assert.equal(p.kind, 'images');
  if (p.kind !== 'images') return;
  assert.equal(p.count, 4);
  assert.equal(p.unreadable, 1);
  assert.deepEqual(p.channels, { '1': 1, '3': 1, '4': 1 });
  assert.deepEqual(p.width, { min: 16, max: 64, mean: (32 + 64 + 16) / 3 });
  assert.deepEqual(p.classes, [
    { name: 'cat', count: 2 },
    { name: 'dog', count: 2 },
  ]);
});

test('a CSV larger than the memory the process may use profiles in bounded memory', () => {
  const dir = tempDir();
  const file = path.join(dir, 'big.csv');
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, 'id,x,cat\n');
  const rows = 1_500_000;
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += `${i},${(i * 7919) % 1000},c${i % 7}${'#'.repeat(60)}\n`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  const sizeMb = fs.statSync(file).size / 1e6;
  // The file is bigger than the heap allowed to the profiler: it cannot have been held in memory.
  const heapMb = 64;
  assert.ok(sizeMb > heapMb * 1.3, `${sizeMb} MB`);
  const r = spawnSync(
    process.execPath,
    [`--max-old-space-size=${heapMb}`, CLI, 'profile', file, '--json'],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  assert.equal(r.status, 0, r.stderr);
  const p = JSON.parse(r.stdout) as TableProfile;
  assert.equal(p.rows, rows);
  assert.equal(col(p, 'x').max, 999);
  assert.equal(col(p, 'cat').distinct, 7);
  assert.equal(col(p, 'x').sampled, true);
});

test('a column of yes/no words is boolean, in any case; one more word makes it a string', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'b.csv');
  const words = ['yes', 'No', 'TRUE', 'false', 't', 'F'];
  const rows = Array.from(
    { length: 300 },
    (_, i) => `${words[i % 6]},${i === 7 ? 'maybe' : words[i % 6]}`,
  );
  fs.writeFileSync(file, ['flag,almost', ...rows].join('\n'));
  const p = (await profilePath(file, 'b.csv')) as TableProfile;
  assert.equal(col(p, 'flag').type, 'boolean');
  assert.equal(col(p, 'almost').type, 'string');
});
