#!/usr/bin/env bash
# Training throughput of the local runner (DJL, PyTorch 2.7.1 through JNI) against PyTorch eager in Python (Debian's
# python3-torch), on the same tiny BERT, data, batch and thread count. Not a test: it prints samples/s and the ratio.
# Each side runs ROUNDS times, alternating, and the best run of each counts: on a machine shared with other work the
# best run is the one least disturbed.
#
#   local/bench/benchmark.sh [THREADS] [EPOCHS] [ROUNDS]   (defaults: all cores, 8 epochs of 125 steps, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${1:-$(nproc)}
epochs=${2:-8}
rounds=${3:-3}
batch=16
# Debian's interpreter, where python3-torch installs (a python3 earlier on PATH may not see it).
py=/usr/bin/python3

# Debian builds torch against the system BLAS (BLAS_INFO=generic); without an optimised one installed that is the
# reference BLAS, some 20 times slower at these matrix products than the MKL in DJL's libtorch. OpenBLAS (OpenMP
# build, so torch.set_num_threads governs it) makes the comparison one of frameworks, not of BLAS libraries.
if ! $py -c 'import torch, numpy' 2>/dev/null || ! dpkg -s libopenblas0-openmp >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-numpy libopenblas0-openmp >/dev/null
fi
if [[ ! -f local/target/stt-local.jar ]]; then
  mvn -B -q -pl local -am -DskipTests package
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
local/stt-local init-tiny "$work/cache/tiny" >/dev/null
cat > "$work/bench.yaml" <<YAML
apiVersion: stt.dev/v1alpha1
kind: SentenceTransformerTraining
metadata:
  name: bench
spec:
  recipe: sts
  model:
    name: /cache/tiny/model
  training:
    epochs: $epochs
    batchSize: $batch
    learningRate: 1.0e-3
    loggingSteps: 1000
  datasets:
    - path: /cache/tiny/data/train.jsonl
      split: train
  cache:
    claimName: local
  output:
    claimName: local
YAML

djl=()
torch=()
for _ in $(seq "$rounds"); do
  local/stt-local train -f "$work/bench.yaml" --cache "$work/cache" --out "$work/out" --threads "$threads" >/dev/null
  djl+=("$($py -c 'import json, sys; print(json.load(open(sys.argv[1]))["samplesPerSecond"])' "$work/out/metrics.json")")
  torch+=("$(OMP_NUM_THREADS=$threads $py local/bench/torch_bench.py "$work/cache/tiny" "$threads" "$epochs" "$batch" \
    | $py -c 'import json, sys; print(json.load(sys.stdin)["samplesPerSecond"])')")
done
$py - "$threads" "$epochs" "$batch" "${djl[*]}" "${torch[*]}" <<'PY'
import sys
threads, epochs, batch = sys.argv[1:4]
djl, torch = ([float(v) for v in arg.split()] for arg in sys.argv[4:6])
print(f"tiny BERT (2 layers, hidden 128), sts, batch {batch}, {epochs} epochs of 125 steps, {threads} threads")
print("local runner (DJL):  best {:7.1f} samples/s  (runs: {})".format(max(djl), ", ".join(f"{v:.1f}" for v in djl)))
print("PyTorch eager:       best {:7.1f} samples/s  (runs: {})".format(max(torch), ", ".join(f"{v:.1f}" for v in torch)))
print(f"ratio DJL / PyTorch: {max(djl) / max(torch):.2f}")
PY
