// Runs an ONNX model in ONNX Runtime (onnxruntime-node, CPU) and writes its outputs as JSON, so
// Striate's tests can compare their own outputs with a real peer's.
//   node run.js MODEL.onnx INPUTS.json OUTPUTS.json
// INPUTS.json:  {"<input name>": {"shape": [..], "data": [..float32 values..]}, ...}
// OUTPUTS.json: {"<output name>": {"shape": [..], "data": [..]}, ...}
// Exit code 0 on success; on failure one line on stderr and exit code 1.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [modelPath, inputPath, outputPath] = process.argv.slice(2);
  if (!modelPath || !inputPath || !outputPath) {
    throw new Error('usage: node run.js MODEL.onnx INPUTS.json OUTPUTS.json');
  }
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1, graphOptimizationLevel: 'disabled' });
  const spec = JSON.parse(fs.readFileSync(inputPath, 'utf8'));
  const feeds = {};
  for (const [name, value] of Object.entries(spec)) {
    feeds[name] = new ort.Tensor('float32', Float32Array.from(value.data), value.shape);
  }
  const results = await session.run(feeds);
  const out = {};
  for (const [name, tensor] of Object.entries(results)) {
    out[name] = { shape: Array.from(tensor.dims, Number), data: Array.from(tensor.data, Number) };
  }
  fs.writeFileSync(outputPath, JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String(e && e.message ? e.message : e).split('\n')[0] + '\n');
  process.exit(1);
});
