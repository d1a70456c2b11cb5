#!/usr/bin/env node
// Regenerates the MobileNetV2 reference fixtures under ./mobilenet_v2/ from an independent implementation: TF.js
// (pure JavaScript, cpu backend) running the Keras MobileNetV2 that the npm package nsfwjs@4.4.0 ships as a TF.js
// layers model — the same weights as ../shared/weights/mobilenet_v2_nsfwjs_no_top.h5 (that file is this model's
// backbone, dequantized). TF.js decodes and dequantizes the weights itself; nothing here uses pinkcnn code.
//
// How to run (Node 18 or newer; tested with Node 20.20 and @tensorflow/tfjs 4.22.0):
//   mkdir -p /tmp/tfjs-ref && (cd /tmp/tfjs-ref && npm init -y >/dev/null && npm install @tensorflow/tfjs@4.22.0)
//   mkdir -p ~/.cache/pinkcnn/npm && (cd ~/.cache/pinkcnn/npm && npm pack nsfwjs@4.4.0)   # or: ./pinkcnn convert --from npm:nsfwjs@4.4.0 …
//   NODE_PATH=/tmp/tfjs-ref/node_modules node engine/src/test/resources/reference/make_fixtures.cjs \
//       ~/.cache/pinkcnn/npm/nsfwjs-4.4.0.tgz
// (the argument may also be an extracted package folder). It takes a few seconds and rewrites ./mobilenet_v2/.
// @tensorflow/tfjs-node would be faster but needs a native download; the pure-JS cpu backend computes in float32.
//
// The cases (each a folder with manifest.json and little-endian float32 NHWC .f32 files):
//   lcg64      1×64×64×3 LCG input (the random_lcg recipe, seed 42): full outputs of every block and of the layers
//              inside the first blocks.
//   batch2_48  2×48×48×3: a smooth pattern and an LCG input (seed 7), one batch: full outputs of every block.
//   lcg224     1×224×224×3, the LCG input of ../shared/reference/random_lcg (seed 42): statistics and sampled
//              values of every layer (the full tensors would be too large to commit).
// TF.js layers models can be re-instantiated at another input size: the topology's input shape is rewritten and the
// model cut at out_relu (the package's own head, average pool → dense, only fits 224). All sizes used are multiples
// of 16 whose stride-2 stages all see even sizes, where Keras' own padding is the (0,1) the saved topology holds.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const tf = require('@tensorflow/tfjs');

const OUT_DIR = path.join(__dirname, 'mobilenet_v2');
const LAST_LAYER = 'out_relu';
const SAMPLES = 48; // sampled values per layer in the statistics

async function main() {
  const src = process.argv[2];
  if (!src) {
    console.error('usage: node make_fixtures.cjs NSFWJS_TARBALL_OR_FOLDER');
    process.exit(2);
  }
  await tf.setBackend('cpu');
  const pkg = packageFolder(src);
  const modelDir = path.join(pkg, 'dist', 'models', 'mobilenet_v2');
  const modelJson = require(path.join(modelDir, 'model.min.js'));
  const shards = modelJson.weightsManifest.flatMap((g) => g.paths)
    .map((p) => Buffer.from(require(path.join(modelDir, p + '.min.js')), 'base64'));
  const weightData = new Uint8Array(Buffer.concat(shards)).buffer;
  const weightSpecs = modelJson.weightsManifest.flatMap((g) => g.weights);

  fs.mkdirSync(OUT_DIR, { recursive: true });
  const meta = {
    generator: 'make_fixtures.cjs',
    tfjs: tf.version.tfjs,
    backend: tf.getBackend(),
    node: process.version,
    model: 'nsfwjs@4.4.0 dist/models/mobilenet_v2 (Keras ' + modelJson.modelTopology.keras_version
      + ' MobileNetV2, alpha 1.0), cut at ' + LAST_LAYER,
    cases: [],
  };

  const lcg64 = lcgImage(42, 64, 64, 3);
  await writeCase('lcg64', 'LCG input (random_lcg recipe, seed 42), 64×64', [lcg64], 64,
    { full: (names) => names.filter(isDetailedLayer) }, modelJson, weightSpecs, weightData, meta);

  const batch = [smoothImage(48, 48, 3), lcgImage(7, 48, 48, 3)];
  await writeCase('batch2_48', 'a batch of 2: a smooth pattern and an LCG input (seed 7), 48×48', batch, 48,
    { full: (names) => names.filter(isBlockOutput) }, modelJson, weightSpecs, weightData, meta);

  const lcg224 = lcgImage(42, 224, 224, 3);
  await writeCase('lcg224', 'LCG input (random_lcg recipe, seed 42), 224×224: statistics only', [lcg224], 224,
    { full: () => [], storeInput: false }, modelJson, weightSpecs, weightData, meta);

  fs.writeFileSync(path.join(OUT_DIR, 'fixtures.json'), JSON.stringify(meta, null, 1) + '\n');
  console.log('wrote', OUT_DIR);
}

/** The nsfwjs package folder: the argument itself, or the tarball extracted into a temporary folder. */
function packageFolder(src) {
  if (fs.statSync(src).isDirectory()) return fs.existsSync(path.join(src, 'package')) ? path.join(src, 'package') : src;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsfwjs-'));
  execFileSync('tar', ['-xzf', src, '-C', dir]);
  return path.join(dir, 'package');
}

/** The named layers whose full outputs lcg64 keeps: every block output, plus the insides of the first blocks. */
function isDetailedLayer(name) {
  return isBlockOutput(name) || /_pad$/.test(name)
    || ['expanded_conv_depthwise_relu', 'block_1_depthwise_relu', 'Conv_1_bn'].includes(name);
}

/** What a block hands to the next: Conv1_relu, each block's project_BN (or its add), out_relu. */
function isBlockOutput(name) {
  return name === 'Conv1_relu' || name === LAST_LAYER || /_project_BN$/.test(name) || /_add$/.test(name);
}

/** The model with input size×size and outputs at every named layer up to out_relu. */
async function modelAt(size, modelJson, weightSpecs, weightData) {
  const topology = JSON.parse(JSON.stringify(modelJson.modelTopology));
  const config = topology.model_config.config;
  const end = config.layers.findIndex((l) => l.name === LAST_LAYER);
  config.layers = config.layers.slice(0, end + 1);
  config.output_layers = [[LAST_LAYER, 0, 0]];
  config.layers[0].config.batch_input_shape = [null, size, size, 3];
  const handler = tf.io.fromMemory({ modelTopology: topology, weightSpecs, weightData });
  const model = await tf.loadLayersModel(handler, { strict: false }); // the head's weights are left unused
  const names = model.layers.map((l) => l.name).filter((n) => model.getLayer(n).getClassName() !== 'InputLayer');
  const probe = tf.model({ inputs: model.inputs, outputs: names.map((n) => model.getLayer(n).output) });
  return { probe, names };
}

async function writeCase(name, description, images, size, opts, modelJson, weightSpecs, weightData, meta) {
  const dir = path.join(OUT_DIR, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const { probe, names } = await modelAt(size, modelJson, weightSpecs, weightData);
  const n = images.length;
  const input = new Float32Array(n * size * size * 3);
  images.forEach((img, i) => input.set(img, i * img.length));
  const x = tf.tensor4d(input, [n, size, size, 3]);
  const outputs = probe.predict(x);
  const full = new Set(opts.full(names));
  const manifest = {
    case: name,
    description,
    input: { shape: [n, size, size, 3], file: opts.storeInput === false ? null : 'input.f32' },
    layers: [],
  };
  if (opts.storeInput !== false) writeF32(path.join(dir, 'input.f32'), input);
  for (let i = 0; i < names.length; i++) {
    const data = await outputs[i].data();
    const entry = { name: names[i], shape: outputs[i].shape, file: null, ...stats(data) };
    if (full.has(names[i])) {
      entry.file = names[i] + '.f32';
      writeF32(path.join(dir, entry.file), data);
    }
    manifest.layers.push(entry);
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest) + '\n');
  tf.dispose([x, ...outputs]);
  meta.cases.push({ name, description, inputShape: manifest.input.shape, fullLayers: [...full].length,
    layers: names.length });
  console.log(name, names.length, 'layers,', full.size, 'stored in full');
}

/** Sum, sum of |x|, mean, min, max, max |x| (in double), and SAMPLES values at spread-out flat indices. */
function stats(data) {
  let sum = 0; let sumAbs = 0; let min = Infinity; let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    sum += v; sumAbs += Math.abs(v);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const samples = [];
  const k = Math.min(SAMPLES, data.length);
  for (let j = 0; j < k; j++) {
    // Indices spread over the whole tensor, offset so they do not all fall on channel 0.
    const index = Math.floor((j * data.length) / k + (j * 7919) % Math.max(1, Math.floor(data.length / k)));
    samples.push([index, data[index]]);
  }
  return { sum, sumAbs, mean: sum / data.length, min, max, maxAbs: Math.max(Math.abs(min), Math.abs(max)), samples };
}

/** The random_lcg input recipe: s ← (1664525·s + 1013904223) mod 2^32, value = float32(s / 2^32 · 2 − 1), NHWC. */
function lcgImage(seed, h, w, c) {
  const out = new Float32Array(h * w * c);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

/** A smooth, image-like pattern in [-1, 1]: x[y][x][ch] = sin(0.3·y + 0.2·x·(ch+1)) · cos(0.15·(x − y) + ch). */
function smoothImage(h, w, c) {
  const out = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        out[(y * w + x) * c + ch] = Math.sin(0.3 * y + 0.2 * x * (ch + 1)) * Math.cos(0.15 * (x - y) + ch);
      }
    }
  }
  return out;
}

function writeF32(file, data) {
  const buf = Buffer.alloc(data.length * 4);
  for (let i = 0; i < data.length; i++) buf.writeFloatLE(data[i], i * 4);
  fs.writeFileSync(file, buf);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
