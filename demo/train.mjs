// Trains a small churn classifier with TensorFlow.js (no Python needed) and saves it in the
// TensorFlow.js layers format. Cairn records its params, metrics (the key=value lines it prints)
// and the model it writes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

// WebAssembly runs the dense layers several times faster than the pure-JS backend.
await tf.setBackend('wasm').catch(() => tf.setBackend('cpu'));

// params.yaml: flat `key: value` lines are all this script needs.
const params = Object.fromEntries(
  readFileSync('params.yaml', 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l.includes(':'))
    .map((l) => {
      const [k, v] = l.split(':').map((s) => s.trim());
      return [k, Number.isNaN(Number(v)) ? v : Number(v)];
    }),
);
const { lr = 0.01, epochs = 6, hidden = 16, batch_size = 256 } = params;

const [header, ...rows] = readFileSync('data/customers.csv', 'utf8').trim().split('\n');
const cols = header.split(',');
const at = (name) => cols.indexOf(name);
const plans = ['basic', 'plus', 'pro'];
const regions = ['north', 'south', 'east', 'west', 'central'];
const numeric = ['age', 'tenure_months', 'monthly_charges', 'support_calls'];
const parsed = rows.map((r) => r.split(','));
const present = (n) =>
  parsed
    .map((r) => r[at(n)])
    .filter((v) => v !== '')
    .map(Number);
const means = numeric.map((n) => {
  const v = present(n);
  return v.reduce((a, b) => a + b, 0) / v.length;
});
const stds = numeric.map((n, i) => {
  const v = present(n);
  return Math.sqrt(v.reduce((a, b) => a + (b - means[i]) ** 2, 0) / v.length) || 1;
});
const features = parsed.map((r) => [
  ...numeric.map((n, i) => (r[at(n)] === '' ? 0 : (Number(r[at(n)]) - means[i]) / stds[i])),
  ...plans.map((p) => (r[at('plan')] === p ? 1 : 0)),
  ...regions.map((g) => (r[at('region')] === g ? 1 : 0)),
]);
const labels = parsed.map((r) => Number(r[at('churned')]));

const x = tf.tensor2d(features);
const y = tf.tensor2d(labels, [labels.length, 1]);
const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [features[0].length], units: hidden, activation: 'relu' }));
model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
model.compile({ optimizer: tf.train.adam(lr), loss: 'binaryCrossentropy', metrics: ['accuracy'] });

let last = {};
await model.fit(x, y, {
  epochs,
  batchSize: batch_size,
  validationSplit: 0.2,
  verbose: 0,
  callbacks: {
    onEpochEnd: (epoch, logs) => {
      last = { loss: logs.loss, acc: logs.acc, val_loss: logs.val_loss, val_acc: logs.val_acc };
      console.log(
        `epoch=${epoch + 1} loss=${logs.loss.toFixed(4)} acc=${logs.acc.toFixed(4)} val_loss=${logs.val_loss.toFixed(4)} val_acc=${logs.val_acc.toFixed(4)}`,
      );
    },
  },
});

mkdirSync('models/churn', { recursive: true });
await model.save(
  tf.io.withSaveHandler(async (a) => {
    writeFileSync('models/churn/weights.bin', Buffer.from(a.weightData));
    writeFileSync(
      'models/churn/model.json',
      JSON.stringify({
        modelTopology: a.modelTopology,
        format: 'layers-model',
        generatedBy: a.generatedBy,
        weightsManifest: [{ paths: ['./weights.bin'], weights: a.weightSpecs }],
      }),
    );
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }),
);
writeFileSync('metrics.json', JSON.stringify(last, null, 2) + '\n');
console.log(`saved models/churn (${model.countParams()} parameters)`);
