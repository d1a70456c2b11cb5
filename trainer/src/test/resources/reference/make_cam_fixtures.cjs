#!/usr/bin/env node
// Regenerates the class-activation-map fixtures under ./cam/ from an independent implementation: TF.js (pure
// JavaScript, cpu backend) running the Keras MobileNetV2 of the npm package nsfwjs@4.4.0 — the same weights as
// ../shared/weights/mobilenet_v2_nsfwjs_no_top.h5 — with a small classifier head defined below, and TF.js' own
// automatic differentiation (tf.grad) for the gradient of a class score. Nothing here uses pinkcnn code.
//
// How to run (Node 18 or newer; tested with Node 20.20 and @tensorflow/tfjs 4.22.0):
//   mkdir -p /tmp/tfjs-ref && (cd /tmp/tfjs-ref && npm init -y >/dev/null && npm install @tensorflow/tfjs@4.22.0)
//   mkdir -p ~/.cache/pinkcnn/npm && (cd ~/.cache/pinkcnn/npm && npm pack nsfwjs@4.4.0)
//   NODE_PATH=/tmp/tfjs-ref/node_modules node trainer/src/test/resources/reference/make_cam_fixtures.cjs \
//       ~/.cache/pinkcnn/npm/nsfwjs-4.4.0.tgz
// (the argument may also be an extracted package folder). It takes about a minute and rewrites ./cam/; the test that
// reads it is pinkcnn.trainer.cam.CamReferenceTest.
//
// The model: MobileNetV2 at SIZE×SIZE cut at CUT (the layer pinkcnn's default head reads), then the default head of
// a frozen run: a 3×3 grid average pool (adaptive cells: rows [⌊g·H/3⌋, ⌊(g+1)·H/3⌋)), flatten (row, column,
// channel) and a dense layer of CLASSES units, whose weights follow an LCG recipe (lcg() below):
//   kernel[i][k] = 0.05 · lcg(2024)[i·CLASSES + k] (Keras layout, inputs × units), bias[k] = 0.1 · lcg(2025)[k].
// The inputs are synthetic, given by formulas (no photos): 'smooth', 'lcg' (seed 42) and 'blobs' (see images()).
//
// For each input, each layer of LAYERS and two classes (the highest-scoring and the lowest-scoring), the class score
// y_c (the logit, before softmax) is differentiated with respect to the layer's activations A (h×w×C) and:
//   Grad-CAM   L = ReLU(Σ_k w_k A_k),         w_k = (1/hw) Σ_ij ∂y_c/∂A_ijk
//   Grad-CAM++ L = ReLU(Σ_k w_k A_k),         w_k = Σ_ij α_ijk ReLU(g_ijk), α_ijk = 1 / (2 + g_ijk Σ_ab A_abk)
//                                             (the closed form under the exponential score, for g_ijk > 0; 0 where
//                                             the denominator is 0)
//   HiResCAM   L = ReLU(Σ_k g_ijk A_ijk)
// in double precision from TF.js' float32 activations and gradients. A layer before the cut is continued to the cut
// through the model's own layers (with the other activations they need, e.g. a residual input, held constant).
//
// Written: ./cam/manifest.json (the recipe, the inputs' sums, the logits, and where each map is) and ./cam/maps.f32
// (all maps, little-endian float32, h×w row-major, one after another).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const tf = require('@tensorflow/tfjs');

const OUT_DIR = path.join(__dirname, 'cam');
const SIZE = 96;
const CUT = 'block_13_expand_relu';
const LAYERS = ['block_13_expand_relu', 'block_12_depthwise_relu'];
const CLASSES = 4;
const GRID = 3;
const METHODS = ['gradcam', 'gradcam++', 'hirescam'];

async function main() {
  const src = process.argv[2];
  if (!src) {
    console.error('usage: node make_cam_fixtures.cjs NSFWJS_TARBALL_OR_FOLDER');
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
  const { model, names, config } = await backbone(modelJson, weightSpecs, weightData);

  const channels = model.getLayer(CUT).output.shape[3];
  const inputs = GRID * GRID * channels;
  const kernel = tf.tensor2d(lcg(2024, inputs * CLASSES).map((v) => 0.05 * v), [inputs, CLASSES]);
  const bias = tf.tensor1d(lcg(2025, CLASSES).map((v) => 0.1 * v));
  const head = (features) => tf.add(tf.matMul(gridPool(features, GRID).reshape([1, inputs]), kernel), bias);

  const manifest = {
    generator: 'make_cam_fixtures.cjs',
    tfjs: tf.version.tfjs,
    backend: tf.getBackend(),
    node: process.version,
    model: 'nsfwjs@4.4.0 dist/models/mobilenet_v2 (Keras MobileNetV2, alpha 1.0) at ' + SIZE + '×' + SIZE + ', cut at '
      + CUT + ', head: grid average pool ' + GRID + '×' + GRID + ' → flatten → dense ' + CLASSES
      + ' (kernel 0.05·lcg(2024), bias 0.1·lcg(2025))',
    size: SIZE, cut: CUT, grid: GRID, classes: CLASSES, kernelSeed: 2024, kernelScale: 0.05, biasSeed: 2025,
    biasScale: 0.1, methods: METHODS, file: 'maps.f32',
    images: [],
  };
  const maps = [];
  for (const [name, pixels] of Object.entries(images())) {
    const x = tf.tensor4d(pixels, [1, SIZE, SIZE, 3]);
    const logits = await tf.tidy(() => head(model.predict(x)[names.indexOf(CUT)])).data();
    const order = [...logits.keys()].sort((a, b) => logits[b] - logits[a]);
    const entry = { name, inputSum: sum(pixels), logits: [...logits], layers: [] };
    for (const layer of LAYERS) {
      const { activations, gradient } = layerGradients(model, names, config, layer, x, head, [order[0], order[CLASSES - 1]]);
      const [, h, w, c] = activations.shape;
      const a = await activations.data();
      const layerEntry = { layer, shape: [h, w], maps: [] };
      for (let j = 0; j < gradient.length; j++) {
        const g = await gradient[j].data();
        for (const method of METHODS) {
          layerEntry.maps.push({ class: [order[0], order[CLASSES - 1]][j], method, offset: maps.length });
          maps.push(...camMap(method, a, g, h, w, c));
        }
      }
      tf.dispose([activations, ...gradient]);
      entry.layers.push(layerEntry);
    }
    x.dispose();
    manifest.images.push(entry);
    console.log(name, 'logits', [...logits].map((v) => v.toFixed(4)).join(' '));
  }
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const buf = Buffer.alloc(maps.length * 4);
  maps.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  fs.writeFileSync(path.join(OUT_DIR, manifest.file), buf);
  fs.writeFileSync(path.join(OUT_DIR, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  console.log('wrote', OUT_DIR, maps.length, 'values');
}

/** The nsfwjs package folder: the argument itself, or the tarball extracted into a temporary folder. */
function packageFolder(src) {
  if (fs.statSync(src).isDirectory()) return fs.existsSync(path.join(src, 'package')) ? path.join(src, 'package') : src;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsfwjs-'));
  execFileSync('tar', ['-xzf', src, '-C', dir]);
  return path.join(dir, 'package');
}

/** The model at SIZE×SIZE with outputs at every named layer up to CUT (the package's own head only fits 224). */
async function backbone(modelJson, weightSpecs, weightData) {
  const topology = JSON.parse(JSON.stringify(modelJson.modelTopology));
  const config = topology.model_config.config;
  config.layers = config.layers.slice(0, config.layers.findIndex((l) => l.name === CUT) + 1);
  config.output_layers = [[CUT, 0, 0]];
  config.layers[0].config.batch_input_shape = [null, SIZE, SIZE, 3];
  const layers = JSON.parse(JSON.stringify(config.layers)); // loading rewrites the topology's keys
  const handler = tf.io.fromMemory({ modelTopology: topology, weightSpecs, weightData });
  const full = await tf.loadLayersModel(handler, { strict: false });
  const names = layers.map((l) => l.name).filter((n) => full.getLayer(n).getClassName() !== 'InputLayer');
  const model = tf.model({ inputs: full.inputs, outputs: names.map((n) => full.getLayer(n).output) });
  return { model, names, config: { layers } };
}

/**
 * The activations of `layer` for x and, for each class, the gradient of that class's logit with respect to them:
 * the layers after `layer` up to CUT are applied again to a variable copy of the activations, the activations of
 * earlier layers they also read (a residual input) held constant.
 */
function layerGradients(model, names, config, layer, x, head, classes) {
  const outputs = model.predict(x);
  const byName = new Map(names.map((n, i) => [n, outputs[i]]));
  const start = config.layers.findIndex((l) => l.name === layer);
  const after = config.layers.slice(start + 1);
  const activations = byName.get(layer).clone();
  const forward = (a) => {
    const live = new Map([[layer, a]]);
    for (const l of after) {
      const ins = l.inbound_nodes[0].map((n) => live.get(n[0]) || byName.get(n[0]));
      live.set(l.name, model.getLayer(l.name).apply(ins.length === 1 ? ins[0] : ins));
    }
    return head(live.get(CUT));
  };
  const gradient = classes.map((k) => tf.tidy(() => tf.grad((a) => forward(a).gather([k], 1).sum())(activations)));
  tf.dispose(outputs);
  return { activations, gradient };
}

/** Adaptive average pooling of a 1×H×W×C tensor to 1×G×G×C (cells as in the header). */
function gridPool(t, g) {
  const [, h, w, c] = t.shape;
  const cells = [];
  for (let gy = 0; gy < g; gy++) {
    for (let gx = 0; gx < g; gx++) {
      const y0 = Math.floor(gy * h / g); const y1 = Math.floor((gy + 1) * h / g);
      const x0 = Math.floor(gx * w / g); const x1 = Math.floor((gx + 1) * w / g);
      cells.push(tf.mean(tf.slice(t, [0, y0, x0, 0], [1, y1 - y0, x1 - x0, c]), [1, 2]));
    }
  }
  return tf.stack(cells, 1).reshape([1, g, g, c]);
}

/** One map (h·w values) from activations a and gradient g (h×w×c, NHWC), in double precision. */
function camMap(method, a, g, h, w, c) {
  const hw = h * w;
  const weights = new Float64Array(c);
  if (method === 'gradcam') {
    for (let p = 0; p < hw; p++) for (let k = 0; k < c; k++) weights[k] += g[p * c + k] / hw;
  } else if (method === 'gradcam++') {
    const total = new Float64Array(c);
    for (let p = 0; p < hw; p++) for (let k = 0; k < c; k++) total[k] += a[p * c + k];
    for (let p = 0; p < hw; p++) {
      for (let k = 0; k < c; k++) {
        const gk = g[p * c + k];
        const den = 2 + gk * total[k];
        if (gk > 0 && den !== 0) weights[k] += gk / den;
      }
    }
  }
  const out = new Array(hw);
  for (let p = 0; p < hw; p++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += (method === 'hirescam' ? g[p * c + k] : weights[k]) * a[p * c + k];
    out[p] = Math.max(0, s);
  }
  return out;
}

/** The inputs (1×SIZE×SIZE×3, values in [−1, 1], NHWC) by name. */
function images() {
  const n = SIZE * SIZE * 3;
  const smooth = new Float32Array(n); const blobs = new Float32Array(n);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      for (let ch = 0; ch < 3; ch++) {
        const i = (y * SIZE + x) * 3 + ch;
        smooth[i] = Math.sin(0.3 * y + 0.2 * x * (ch + 1)) * Math.cos(0.15 * (x - y) + ch);
        // two Gaussian blobs, (30, 36) σ 12 and (64, 60) σ 8, the second weighted by channel
        const b1 = Math.exp(-((x - 30) ** 2 + (y - 36) ** 2) / (2 * 12 * 12));
        const b2 = Math.exp(-((x - 64) ** 2 + (y - 60) ** 2) / (2 * 8 * 8));
        blobs[i] = -1 + 1.5 * b1 + (0.5 + 0.25 * ch) * b2;
      }
    }
  }
  return { smooth, lcg: Float32Array.from(lcg(42, n)), blobs };
}

/** The random_lcg recipe: s ← (1664525·s + 1013904223) mod 2^32, value = float32(s / 2^32 · 2 − 1). */
function lcg(seed, count) {
  const out = new Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    out[i] = Math.fround((s / 4294967296) * 2 - 1);
  }
  return out;
}

function sum(data) {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i];
  return s;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
