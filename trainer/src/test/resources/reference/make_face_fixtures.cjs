#!/usr/bin/env node
// Regenerates the face-detector fixtures (./faces/manifest.json) from the original implementation: face-api.js as the
// npm package @vladmandic/face-api@1.7.15 ships it (its Node build, dist/face-api.node.js, with its own weights in
// model/), running on TF.js' pure-JavaScript cpu backend. Nothing here uses pinkcnn code; the pictures come from
// pinkcnn's test helper only as raw RGB bytes, so both sides read exactly the same pixels.
//
// How to run (Node 18 or newer; tested with Node 20.20, @tensorflow/tfjs 4.22.0, jpeg decoding not needed):
//   mkdir -p /tmp/tfjs-ref && (cd /tmp/tfjs-ref && npm init -y >/dev/null && npm install @tensorflow/tfjs@4.22.0)
//   mkdir -p ~/.cache/pinkcnn/npm && (cd ~/.cache/pinkcnn/npm && npm pack @vladmandic/face-api@1.7.15)
//   mvn -q -B -DskipTests package -pl trainer -am && mvn -q -B test-compile -pl trainer
//   java -cp trainer/target/pinkcnn.jar:trainer/target/test-classes pinkcnn.trainer.face.FaceScenes /tmp/face-scenes \
//       ../shared/datasets/lfw-demo
//   NODE_PATH=/tmp/tfjs-ref/node_modules node trainer/src/test/resources/reference/make_face_fixtures.cjs \
//       /tmp/face-scenes ~/.cache/pinkcnn/npm/vladmandic-face-api-1.7.15.tgz
// (the second argument may also be the extracted package folder). It takes about a minute and rewrites ./faces/;
// the test that reads it is pinkcnn.trainer.face.FaceReferenceTest. Only numbers are written (boxes, scores,
// statistics and sampled values of activations, SHA-256 of the pictures), never pixels.
//
// face-api's Node build requires @tensorflow/tfjs-node (native); it is pointed at the pure-JS @tensorflow/tfjs,
// which has the same API. For each picture (NAME.rgb, raw RGB, and NAME.json with its size) this records:
//   faces        net.locateFaces(picture, {minConfidence: 0.5}): each face's box in pixels (x0, y0, x1, y1) and score;
//   top_anchors  the 20 best-scoring anchors of the raw output, their score and box (relative ymin, xmin, ymax, xmax);
//   layers       statistics and 64 sampled values of the network input and of intermediate activations, computed by
//                replaying face-api's own functions (mobileNetV1, predictionLayer, boxPredictionLayer: see src/
//                ssdMobilenetv1/) op by op on face-api's loaded parameters; the replay's boxes and scores are checked
//                against face-api's forwardInput (max differences recorded in replay_check, 0 expected).
// Layer names are pinkcnn's (engine/.../models/SsdMobileNetV1.java); face-api's conv_N / prediction_layer names
// map to them one to one.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const Module = require('module');
const { execFileSync } = require('child_process');

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolve.call(this, request === '@tensorflow/tfjs-node' ? '@tensorflow/tfjs' : request, ...rest);
};
const tf = require('@tensorflow/tfjs');

const OUT_DIR = path.join(__dirname, 'faces');
const SAMPLES = 32;
const TOP_ANCHORS = 20;
const MIN_CONFIDENCE = 0.5;
const EPSILON = 0.0010000000474974513; // face-api's batch-norm epsilon (mobileNetV1.ts)

async function main() {
  const [scenes, src] = process.argv.slice(2);
  if (!scenes || !src) {
    console.error('usage: node make_face_fixtures.cjs SCENES_DIR FACE_API_TARBALL_OR_FOLDER');
    process.exit(2);
  }
  await tf.setBackend('cpu');
  const pkg = packageFolder(src);
  const faceapi = require(path.join(pkg, 'dist', 'face-api.node.js'));
  const net = faceapi.nets.ssdMobilenetv1;
  await net.loadFromDisk(path.join(pkg, 'model'));
  const meta = {
    generator: 'make_face_fixtures.cjs',
    face_api: JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')).version,
    tfjs: tf.version.tfjs,
    backend: tf.getBackend(),
    node: process.version,
    min_confidence: MIN_CONFIDENCE,
    scenes: [],
  };
  const names = fs.readdirSync(scenes).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
  for (const name of names) {
    const info = JSON.parse(fs.readFileSync(path.join(scenes, name + '.json'), 'utf8'));
    const rgb = fs.readFileSync(path.join(scenes, name + '.rgb'));
    if (rgb.length !== 3 * info.width * info.height) throw new Error(name + ': not ' + info.width + '×' + info.height + ' RGB');
    const picture = tf.tensor3d(new Int32Array(rgb), [info.height, info.width, 3], 'int32');
    const t0 = Date.now();
    const found = await net.locateFaces(picture, { minConfidence: MIN_CONFIDENCE });
    const faces = found.map((d) => ({
      box: [d.box.x, d.box.y, d.box.x + d.box.width, d.box.y + d.box.height].map((v, i) => clamp(v, i % 2 === 0 ? info.width : info.height)),
      score: d.score,
    }));
    const scene = { name, width: info.width, height: info.height, sha256: info.sha256, faces };
    Object.assign(scene, await replay(faceapi, net, picture));
    meta.scenes.push(scene);
    picture.dispose();
    console.log(name + ': ' + faces.length + ' faces ' + faces.map((f) => '[' + f.box.map((v) => v.toFixed(1)).join(',')
      + '] ' + f.score.toFixed(3)).join(' ') + ' (' + ((Date.now() - t0) / 1000).toFixed(1) + ' s)');
  }
  fs.mkdirSync(OUT_DIR, { recursive: true });
  fs.writeFileSync(path.join(OUT_DIR, 'manifest.json'), format(meta));
  console.log('wrote ' + path.join(OUT_DIR, 'manifest.json'));
}

// JSON with one line per layer, face and anchor; numbers to float32 precision (9 significant digits).
function format(meta) {
  const num = (k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(9)) : v);
  const one = (v) => JSON.stringify(v, num);
  const scenes = meta.scenes.map((s) => {
    const lines = ['  {"name": ' + one(s.name) + ', "width": ' + s.width + ', "height": ' + s.height + ', "sha256": '
      + one(s.sha256) + ',', '   "replay_check": ' + one(s.replay_check) + ',',
      '   "faces": [' + s.faces.map((f) => '\n    ' + one(f)).join(',') + '],',
      '   "top_anchors": [' + s.top_anchors.map((a) => '\n    ' + one(a)).join(',') + '],',
      '   "layers": {' + Object.entries(s.layers).map(([k, v]) => '\n    ' + one(k) + ': ' + one(v)).join(',') + '}}'];
    return lines.join('\n');
  });
  const head = Object.entries(meta).filter(([k]) => k !== 'scenes').map(([k, v]) => ' ' + one(k) + ': ' + one(v));
  return '{\n' + head.join(',\n') + ',\n "scenes": [\n' + scenes.join(',\n') + ']}\n';
}

function clamp(v, max) {
  return Math.min(Math.max(v, 0), max);
}

// face-api's SsdMobilenetv1.forwardInput, replayed with the same functions and parameters, keeping activations.
async function replay(faceapi, net, picture) {
  const p = net.params;
  const netInput = await faceapi.toNetInput(picture);
  const layers = {};
  const keep = (name, t) => { layers[name] = stats(t); };
  const result = tf.tidy(() => {
    const batch = tf.cast(netInput.toBatchTensor(512, false), 'float32');
    const x = tf.sub(tf.div(batch, 127.5), 1);
    keep('input', x);
    const pointwise = (v, q, strides, name) => {
      const out = tf.clipByValue(tf.add(tf.conv2d(v, q.filters, strides, 'same'), q.batch_norm_offset), 0, 6);
      if (name) keep(name, out);
      return out;
    };
    const depthwise = (v, q, strides, name) => {
      let out = tf.depthwiseConv2d(v, q.filters, strides, 'same');
      out = tf.batchNorm(out, q.batch_norm_mean, q.batch_norm_variance, q.batch_norm_offset, q.batch_norm_scale, EPSILON);
      out = tf.clipByValue(out, 0, 6);
      if (name) keep(name, out);
      return out;
    };
    let out = pointwise(x, p.mobilenetv1.conv_0, [2, 2], 'conv_0_relu');
    let conv11;
    for (let n = 1; n <= 13; n++) {
      const stride = [2, 4, 6, 12].includes(n) ? [2, 2] : [1, 1];
      const pair = p.mobilenetv1['conv_' + n];
      out = depthwise(out, pair.depthwise_conv, stride, [1, 2, 12].includes(n) ? 'conv_' + n + '_depthwise_relu' : null);
      out = pointwise(out, pair.pointwise_conv, [1, 1], [1, 2, 5, 6, 11, 13].includes(n) ? 'conv_' + n + '_pointwise_relu' : null);
      if (n === 11) conv11 = out;
    }
    const q = p.prediction_layer;
    const conv = [];
    let v = out;
    for (let j = 0; j < 8; j++) {
      v = pointwise(v, q['conv_' + j], j % 2 === 1 ? [2, 2] : [1, 1], 'prediction_conv_' + j + '_relu');
      conv.push(v);
    }
    const maps = [conv11, out, conv[1], conv[3], conv[5], conv[7]];
    const boxes = [], classes = [];
    maps.forEach((m, k) => {
      const bp = q['box_predictor_' + k];
      const b = tf.add(tf.conv2d(m, bp.box_encoding_predictor.filters, 1, 'same'), bp.box_encoding_predictor.bias);
      const c = tf.add(tf.conv2d(m, bp.class_predictor.filters, 1, 'same'), bp.class_predictor.bias);
      keep('box_predictor_' + k + '_boxes', b);
      keep('box_predictor_' + k + '_classes', c);
      boxes.push(tf.reshape(b, [1, -1, 1, 4]));
      classes.push(tf.reshape(c, [1, -1, 3]));
    });
    // face-api's outputLayer on the replayed predictions (the same function its forwardInput calls)
    const replayed = decode(tf.concat(boxes, 1), tf.concat(classes, 1), net.params.output_layer.extra_dim);
    const original = net.forwardInput(netInput);
    return {
      replayedBoxes: replayed.boxes, replayedScores: replayed.scores,
      boxes: original.boxes[0], scores: original.scores[0],
    };
  });
  const boxes = result.boxes.arraySync(), scores = Array.from(result.scores.dataSync());
  const replayCheck = {
    max_box_difference: maxDiff(result.replayedBoxes.dataSync(), result.boxes.dataSync()),
    max_score_difference: maxDiff(result.replayedScores.dataSync(), result.scores.dataSync()),
  };
  Object.values(result).forEach((t) => t.dispose());
  const order = scores.map((s, i) => i).sort((a, b) => scores[b] - scores[a]).slice(0, TOP_ANCHORS);
  return {
    replay_check: replayCheck,
    top_anchors: order.map((i) => ({ anchor: i, score: scores[i], box: boxes[i] })),
    layers,
  };
}

// face-api's outputLayer (src/ssdMobilenetv1/outputLayer.ts) for a batch of one.
function decode(boxPredictions, classPredictions, extraDim) {
  const anchors = tf.reshape(extraDim, [-1, 4]);
  const a = tf.unstack(tf.transpose(anchors, [1, 0]));
  const sizes = [tf.sub(a[2], a[0]), tf.sub(a[3], a[1])];
  const centers = [tf.add(a[0], tf.div(sizes[0], 2)), tf.add(a[1], tf.div(sizes[1], 2))];
  const t = tf.unstack(tf.transpose(tf.reshape(boxPredictions, [-1, 4]), [1, 0]));
  const div0 = tf.div(tf.mul(tf.exp(tf.div(t[2], 5)), sizes[0]), 2);
  const add0 = tf.add(tf.mul(tf.div(t[0], 10), sizes[0]), centers[0]);
  const div1 = tf.div(tf.mul(tf.exp(tf.div(t[3], 5)), sizes[1]), 2);
  const add1 = tf.add(tf.mul(tf.div(t[1], 10), sizes[1]), centers[1]);
  const boxes = tf.transpose(tf.stack([tf.sub(add0, div0), tf.sub(add1, div1), tf.add(add0, div0), tf.add(add1, div1)]), [1, 0]);
  const scores = tf.reshape(tf.slice(tf.sigmoid(tf.slice(classPredictions, [0, 0, 1], [-1, -1, -1])), [0, 0, 0], [-1, -1, 1]), [-1]);
  return { boxes, scores };
}

function maxDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// Shape, min, max, mean, mean of |x| (in double) and SAMPLES values at LCG-chosen flat (NHWC) indices.
function stats(t) {
  const v = t.dataSync();
  let min = Infinity, max = -Infinity, sum = 0, abs = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
    abs += Math.abs(x);
  }
  const samples = [];
  let state = 12345 + v.length;
  for (let s = 0; s < SAMPLES; s++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const index = state % v.length;
    samples.push([index, v[index]]);
  }
  return { shape: t.shape, min, max, mean: sum / v.length, mean_abs: abs / v.length, samples };
}

function packageFolder(src) {
  if (fs.statSync(src).isDirectory()) return fs.existsSync(path.join(src, 'package')) ? path.join(src, 'package') : src;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'face-api-'));
  execFileSync('tar', ['-xzf', src, '-C', dir]);
  return path.join(dir, 'package');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
