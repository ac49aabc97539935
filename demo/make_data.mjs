// Generates the demo's customer-churn table, deterministically. Version 2 is the same business a
// quarter later: higher charges, more support calls, and a new region — the drift Cairn shows.
//   node make_data.mjs --version 1|2 [--rows N]
import { mkdirSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const version = Number(args[args.indexOf('--version') + 1] ?? 1) || 1;
const rows = Number(args.includes('--rows') ? args[args.indexOf('--rows') + 1] : 80000);

let seed = 1234 + version;
const rand = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return (seed + 0.5) / 2 ** 32;
};
const normal = () => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
const pick = (items, weights) => {
  let r = rand() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < items.length; i++) if ((r -= weights[i]) <= 0) return items[i];
  return items[items.length - 1];
};

const regions =
  version === 1
    ? ['north', 'south', 'east', 'west']
    : ['north', 'south', 'east', 'west', 'central'];
const regionWeights = version === 1 ? [3, 3, 2, 2] : [3, 3, 2, 2, 2];
const lines = ['customer_id,age,tenure_months,monthly_charges,support_calls,plan,region,churned'];
for (let i = 0; i < rows; i++) {
  const age = Math.max(18, Math.round(42 + 12 * normal()));
  const tenure = Math.max(0, Math.round(-30 * Math.log(rand())));
  const plan = pick(['basic', 'plus', 'pro'], [5, 3, 2]);
  const base = { basic: 35, plus: 60, pro: 90 }[plan];
  const charges = base * (version === 1 ? 1 : 1.15) + 8 * normal();
  const calls = Math.max(0, Math.round(-(version === 1 ? 1.2 : 2.0) * Math.log(rand())));
  const region = pick(regions, regionWeights);
  const z =
    -1.2 +
    0.45 * calls -
    0.035 * tenure +
    0.018 * (charges - 55) -
    0.01 * (age - 42) +
    (region === 'central' ? 0.6 : 0);
  const churned = rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  // A few missing values, as real exports have.
  const ageText = rand() < 0.01 ? '' : String(age);
  lines.push(
    `${100000 + i},${ageText},${tenure},${charges.toFixed(2)},${calls},${plan},${region},${churned}`,
  );
}
mkdirSync('data', { recursive: true });
writeFileSync('data/customers.csv', lines.join('\n') + '\n');
console.log(`data/customers.csv: version ${version}, ${rows} rows`);
