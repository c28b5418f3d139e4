#!/usr/bin/env bash
# Regenerates the pictures in docs/images/ that docs/visualization.md and docs/features.md show:
# trains LeNet-5 for one epoch on Fashion-MNIST (seed 0), then draws its first-layer filters,
# feature maps, saliency, occlusion, Grad-CAM and a receptive field, the chapter's Gabor sweeps
# and the hand-designed kernels. Also draws the filters of an untrained LeNet-5 (the same seed,
# no training) for comparison. Needs the Fashion-MNIST files (apt-get install dataset-fashion-mnist).
# Usage: scripts/make-doc-pictures.sh [threads]
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${1:-2}"
out=docs/images
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

dotnet build -c Release src/Striate.Cli -v quiet -nologo
striate() { dotnet "src/Striate.Cli/bin/Release/net10.0/Striate.Cli.dll" "$@"; }

striate train --model lenet5 --epochs 1 --batch-size 64 --threads "$threads" --seed 0 --checkpoint-dir "$work/trained" --save "$work/trained.safetensors"
# The untrained network: one step at lr 1e-20 (the update is below float32 rounding, so the weights stay
# exactly as initialised with seed 0) only to get a checkpoint of the initial weights.
striate train --model lenet5 --epochs 1 --limit 64 --lr 1e-20 --batch-size 64 --threads "$threads" --seed 0 --checkpoint-dir "$work/untrained" --save "$work/untrained.safetensors"
trained="$work/trained/last.safetensors"

striate visualize filters --model "$trained" --out "$out/lenet5-filters-trained.png" | tee "$work/trained.txt"
striate visualize filters --model "$work/untrained/last.safetensors" --out "$out/lenet5-filters-untrained.png" | tee "$work/untrained.txt"
striate visualize features --model "$trained" --index 7 --layer 1 --out "$out/lenet5-features.png"
striate visualize saliency --model "$trained" --index 7 --out "$out/lenet5-saliency.png"
striate visualize occlusion --model "$trained" --index 7 --out "$out/lenet5-occlusion.png"
striate visualize gradcam --model "$trained" --index 7 --out "$out/lenet5-gradcam.png"
striate visualize receptive-field --model "$trained" --layer 3 --out "$out/lenet5-receptive-field.png"
striate visualize gabor --out "$out/gabor-sweeps.png"
striate visualize kernels --index 7 --out "$out/classic-kernels.png"
echo "pictures written to $out"
