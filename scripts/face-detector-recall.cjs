#!/usr/bin/env node
// Recall of face-api.js' two face detectors on a set of off-centre face pictures (scripts/face-crop-study.sh makes
// one, with truth.csv giving each picture's face region): how often a detector finds a face whose box centre lies
// on the pasted face, how often the largest box it finds does, and its time per picture, with face-api itself
// (npm @vladmandic/face-api@1.7.15, Node build, pure-JS TF.js cpu backend). This is how pinkcnn's detector was chosen
// (docs/faces.md); pinkcnn runs the SSD MobileNetV1, which `pinkcnn detect` reproduces to within a pixel.
//
// How to run (Node 18+; a few minutes for the tiny detector on 317 pictures, about an hour for the SSD):
//   mkdir -p /tmp/tfjs-ref && (cd /tmp/tfjs-ref && npm init -y >/dev/null && npm install @tensorflow/tfjs@4.22.0 jpeg-js@0.4.4)
//   NODE_PATH=/tmp/tfjs-ref/node_modules node scripts/face-detector-recall.cjs /tmp/offcentre \
//       ~/.cache/pinkcnn/npm/vladmandic-face-api-1.7.15.tgz tiny [ssd] [--limit N]
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
const jpeg = require('jpeg-js');

async function main() {
  const args = process.argv.slice(2);
  const limitAt = args.indexOf('--limit');
  const limit = limitAt >= 0 ? Number(args.splice(limitAt, 2)[1]) : Infinity;
  const [set, src, ...detectors] = args;
  if (!set || !src || detectors.length === 0) {
    console.error('usage: node face-detector-recall.cjs SET_DIR FACE_API_TARBALL_OR_FOLDER tiny|ssd... [--limit N]');
    process.exit(2);
  }
  await tf.setBackend('cpu');
  const pkg = fs.statSync(src).isDirectory() ? src : unpack(src);
  const faceapi = require(path.join(pkg, 'dist', 'face-api.node.js'));
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(path.join(pkg, 'model'));
  await faceapi.nets.tinyFaceDetector.loadFromDisk(path.join(pkg, 'model'));
  const rows = fs.readFileSync(path.join(set, 'truth.csv'), 'utf8').trim().split('\n').slice(1)
    .map((l) => l.split(',')).slice(0, limit);
  for (const name of detectors) {
    let found = 0, largest = 0, none = 0, ms = 0;
    for (const r of rows) {
      const [x0, y0, x1, y1] = r.slice(2, 6).map(Number);
      const img = jpeg.decode(fs.readFileSync(path.join(set, r[0])), { useTArray: true, formatAsRGBA: false });
      const t = tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
      const start = Date.now();
      const faces = name === 'ssd'
        ? await faceapi.nets.ssdMobilenetv1.locateFaces(t, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 }))
        : await faceapi.nets.tinyFaceDetector.locateFaces(t, new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 }));
      ms += Date.now() - start;
      t.dispose();
      const on = (f) => {
        const cx = f.box.x + f.box.width / 2, cy = f.box.y + f.box.height / 2;
        return cx >= x0 && cx <= x1 && cy >= y0 && cy <= y1;
      };
      if (faces.length === 0) none++;
      if (faces.some(on)) found++;
      const big = faces.reduce((a, b) => (a && a.box.area >= b.box.area ? a : b), null);
      if (big && on(big)) largest++;
    }
    const pct = (n) => (100 * n / rows.length).toFixed(1) + ' %';
    console.log(name + ': ' + rows.length + ' pictures, face found ' + pct(found) + ', largest box on the face '
      + pct(largest) + ', nothing found ' + none + ', ' + (ms / rows.length).toFixed(0) + ' ms a picture (TF.js cpu)');
  }
}

function unpack(tgz) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'face-api-'));
  execFileSync('tar', ['-xzf', tgz, '-C', dir]);
  return path.join(dir, 'package');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
