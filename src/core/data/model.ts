import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TfModule from '@tensorflow/tfjs';
import { CairnError, fromSystemError } from '../errors.js';
import { assertSafeRelativePath } from '../fsSafe.js';
import { parseNumber } from './columnStats.js';
import { openTabular } from './tabularReader.js';
import { loadTf, type Tf } from './tfjs.js';

/** One layer of a model. */
export interface LayerInfo {
  readonly name: string;
  readonly className: string;
  readonly outputShape: (number | null)[] | (number | null)[][];
  readonly params: number;
}

/** What `cairn model inspect` tells about a TensorFlow.js / Keras-format model. */
export interface ModelInfo {
  readonly path: string;
  readonly format: string;
  readonly generatedBy?: string;
  readonly layers: LayerInfo[];
  readonly totalParams: number;
  readonly trainableParams: number;
  readonly inputShape: (number | null)[] | (number | null)[][];
  readonly outputShape: (number | null)[] | (number | null)[][];
  /** model.json plus its weight files. */
  readonly sizeBytes: number;
  readonly weightFiles: number;
}

interface ModelJson {
  modelTopology?: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  trainingConfig?: unknown;
  weightsManifest?: { paths: string[]; weights: TfModule.io.WeightsManifestEntry[] }[];
}

/** The model.json of a model path: the file itself, or model.json in the directory. */
export function modelJsonPath(abs: string): string {
  return fs.existsSync(abs) && fs.statSync(abs).isDirectory() ? path.join(abs, 'model.json') : abs;
}

/** Reads a layers model (model.json + weight shards) from disk, checking every path it names. */
export async function loadLayersModelFromDisk(
  abs: string,
  shown: string,
): Promise<{
  tf: Tf;
  model: TfModule.LayersModel;
  sizeBytes: number;
  json: ModelJson;
  weightFiles: number;
}> {
  const file = modelJsonPath(abs);
  let json: ModelJson;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as ModelJson;
  } catch (err) {
    if (err instanceof SyntaxError)
      throw new CairnError(
        'usage',
        `${shown}: model.json is not valid JSON (${err.message})`,
        shown,
      );
    throw fromSystemError(err, shown, 'Could not read the model');
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new CairnError(
      'usage',
      `${shown}: not a TensorFlow.js layers model (model.json needs modelTopology and weightsManifest); convert Keras models with tensorflowjs_converter`,
      shown,
    );
  }
  const dir = path.dirname(file);
  const buffers: Buffer[] = [];
  let sizeBytes = fs.statSync(file).size;
  for (const group of json.weightsManifest) {
    for (const p of group.paths) {
      assertSafeRelativePath(p.replace(/^\.\//, ''), `${shown} (weightsManifest)`);
      const data = fs.readFileSync(path.join(dir, p));
      sizeBytes += data.length;
      buffers.push(data);
    }
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const tf = await loadTf();
  const model = await tf.loadLayersModel({
    load: () =>
      Promise.resolve({
        modelTopology: json.modelTopology as object,
        weightSpecs: json.weightsManifest!.flatMap((g) => g.weights),
        weightData,
        ...(json.format ? { format: json.format } : {}),
        ...(json.generatedBy ? { generatedBy: json.generatedBy } : {}),
      }),
  });
  return { tf, model, sizeBytes, json, weightFiles: buffers.length };
}

/** Layers, shapes, parameter counts and size of a TensorFlow.js / Keras-format model. */
export async function inspectModel(abs: string, shown: string): Promise<ModelInfo> {
  const { model, sizeBytes, json, weightFiles } = await loadLayersModelFromDisk(abs, shown);
  try {
    const layers = model.layers.map((l) => ({
      name: l.name,
      className: l.getClassName(),
      outputShape: l.outputShape,
      params: l.countParams(),
    }));
    const trainable = model.trainableWeights.reduce(
      (sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1),
      0,
    );
    return {
      path: shown,
      format: json.format ?? 'layers-model',
      ...(json.generatedBy ? { generatedBy: json.generatedBy } : {}),
      layers,
      totalParams: model.countParams(),
      trainableParams: trainable,
      inputShape:
        model.inputs.length === 1 ? model.inputs[0]!.shape : model.inputs.map((i) => i.shape),
      outputShape:
        model.outputs.length === 1 ? model.outputs[0]!.shape : model.outputs.map((o) => o.shape),
      sizeBytes,
      weightFiles,
    };
  } finally {
    model.dispose();
  }
}

export interface ModelScore {
  readonly rows: number;
  readonly task: 'binary' | 'multiclass' | 'regression';
  readonly metrics: Record<string, number>;
}

/**
 * Scores a model on a table: every column but `label` is a feature, in file order. Binary (one
 * sigmoid output and 0/1 labels): accuracy and log loss; several outputs: accuracy and cross
 * entropy against integer labels; otherwise regression: mse and mae.
 */
export async function scoreModel(
  modelAbs: string,
  modelShown: string,
  dataAbs: string,
  dataShown: string,
  label: string,
): Promise<ModelScore> {
  const { tf, model } = await loadLayersModelFromDisk(modelAbs, modelShown);
  try {
    const table = await openTabular(dataAbs, dataShown);
    const labelIndex = table.columns.indexOf(label);
    if (labelIndex < 0) {
      throw new CairnError(
        'usage',
        `${dataShown} has no column '${label}' (columns: ${table.columns.join(', ')}); name the label column with --label`,
        dataShown,
      );
    }
    const featureIdx = table.columns.map((_, i) => i).filter((i) => i !== labelIndex);
    const expected = model.inputs[0]!.shape[1];
    if (expected !== undefined && expected !== null && expected !== featureIdx.length) {
      throw new CairnError(
        'usage',
        `${modelShown} takes ${expected} features but ${dataShown} has ${featureIdx.length} columns besides '${label}'`,
        modelShown,
      );
    }
    const units = model.outputs[0]!.shape[1] ?? 1;
    let rows = 0;
    let correct = 0;
    let lossSum = 0;
    let absSum = 0;
    let sqSum = 0;
    let binary = units === 1;
    let line = 1;
    for await (const batch of table.rows()) {
      const x = new Float32Array(batch.length * featureIdx.length);
      const y = new Float64Array(batch.length);
      batch.forEach((row, r) => {
        line++;
        featureIdx.forEach((c, k) => {
          const v = parseNumber(row[c] ?? '');
          if (Number.isNaN(v)) {
            throw new CairnError(
              'usage',
              `${dataShown}:${line}: column '${table.columns[c]}' is not a number (${JSON.stringify(row[c] ?? '')}); the model needs numeric features`,
              dataShown,
              line,
            );
          }
          x[r * featureIdx.length + k] = v;
        });
        y[r] = parseNumber(row[labelIndex] ?? '');
      });
      const pred = tf.tidy(() =>
        (
          model.predict(tf.tensor2d(x, [batch.length, featureIdx.length])) as TfModule.Tensor
        ).dataSync(),
      );
      for (let r = 0; r < batch.length; r++) {
        const t = y[r]!;
        if (units === 1) {
          const p = pred[r]!;
          if (t !== 0 && t !== 1) binary = false;
          const pc = Math.min(1 - 1e-7, Math.max(1e-7, p));
          lossSum += -(t * Math.log(pc) + (1 - t) * Math.log(1 - pc));
          if ((p >= 0.5 ? 1 : 0) === t) correct++;
          absSum += Math.abs(p - t);
          sqSum += (p - t) ** 2;
        } else {
          let best = 0;
          for (let k = 1; k < units; k++)
            if (pred[r * units + k]! > pred[r * units + best]!) best = k;
          if (best === t) correct++;
          lossSum += -Math.log(Math.max(1e-7, pred[r * units + t] ?? 1e-7));
        }
      }
      rows += batch.length;
    }
    if (rows === 0) throw new CairnError('usage', `${dataShown} has no rows to score`, dataShown);
    if (units > 1)
      return {
        rows,
        task: 'multiclass',
        metrics: { accuracy: correct / rows, loss: lossSum / rows },
      };
    if (binary)
      return { rows, task: 'binary', metrics: { accuracy: correct / rows, loss: lossSum / rows } };
    return { rows, task: 'regression', metrics: { mse: sqSum / rows, mae: absSum / rows } };
  } finally {
    model.dispose();
  }
}

/** Writes a layers model as model.json + weights.bin in a directory (the TensorFlow.js format). */
export async function saveLayersModelToDisk(
  model: TfModule.LayersModel,
  dir: string,
): Promise<void> {
  const tf = await loadTf();
  fs.mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      const weights = artifacts.weightData as ArrayBuffer;
      fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(weights));
      const json = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['./weights.bin'], weights: artifacts.weightSpecs }],
      };
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
      return Promise.resolve({
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' as const },
      });
    }),
  );
}
