#!/usr/bin/env bash
# The GPU measurements of issue #8 in one call on a lent accelerator (the workplace's device tool),
# most important first, each stage under its own time limit so a slow one cannot starve the rest:
#   1. the book's MNIST example (examples/mnist_mlp.py, 5 epochs) end to end, twice: process
#      wall time with imports, data loading and compilation; then where its time goes
#      (benchmarks/book_example_phases.py), in jkeras and in Keras 3;
#   2. benchmarks/run_all.py on the MLP and the convnet (all four frameworks, one round);
#   3. benchmarks/run_all.py on the LSTM and the Transformer;
#   4. benchmarks/mixed_precision_accuracy.py (float32 vs mixed_bfloat16 vs mixed_float16).
# Results go under $OUT (log.txt, example_runs.txt and one JSON file per stage; 620 s at most).
# Keras 3 travels as wheels in .whl/ and MNIST in .devdata/mnist/ (both ignored by git, carried
# by the call); the machine has jax and optax. Prepared here with:
#   printf '/.whl/\n/.devdata/\n' >> .git/info/exclude
#   mkdir -p .devdata/mnist && cp ../shared/datasets/mnist/* .devdata/mnist/
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
#     --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
#     -d .whl keras==3.15.1 namex==0.1.0 optree==0.20.0
#
# Usage there:   bash benchmarks/device_run.sh
# Smoke test here (CPU, small sizes):  QUICK=1 OUT=/tmp/out PY=python3.12 bash benchmarks/device_run.sh
set -u
OUT=${OUT:-/tmp/device_out}
PY=${PY:-python3}
mkdir -p "$OUT"
LOG="$OUT/log.txt"
if [ -d .whl ]; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH="$PWD:${PYTHONPATH:-}" PYTHONUNBUFFERED=1 JKERAS_DATA_DIR="$PWD/.devdata"
export KERAS_BACKEND=jax

if [ "${QUICK:-0}" = 1 ]; then
  CORE="--quick"; REST="--quick"; MP="--mlp-epochs 1 --convnet-epochs 1"
else
  CORE="--rounds 1 --epochs 3"; REST="--rounds 1 --epochs 2"; MP="--mlp-epochs 5 --convnet-epochs 8"
fi

stage() {  # stage SECONDS TITLE COMMAND...
  local limit=$1 title=$2; shift 2
  echo "=== $title ($(date -u +%H:%M:%S))" | tee -a "$LOG"
  timeout "$limit" "$@" 2>&1 | tee -a "$LOG" | grep -v -E "^\s*[0-9]+/[0-9]+ " | tail -40
  echo "=== exit ${PIPESTATUS[0]}" | tee -a "$LOG"
}

{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1
  "$PY" -c "import jax, optax, keras, numpy; print('jax', jax.__version__, jax.devices(), \
'optax', optax.__version__, 'keras', keras.__version__, 'numpy', numpy.__version__)"
} 2>&1 | tee -a "$LOG"

book_example() {
  for run in 1 2; do
    local start status milliseconds
    start=$(date +%s%N)
    echo "--- run $run" >> "$OUT/example_runs.txt"
    "$PY" examples/mnist_mlp.py >> "$OUT/example_runs.txt" 2>&1
    status=$?
    milliseconds=$(( ($(date +%s%N) - start) / 1000000 ))
    echo "book example run $run: exit $status, $milliseconds ms end to end;" \
      "$(grep test_acc "$OUT/example_runs.txt" | tail -1)"
  done
}
export -f book_example
export PY OUT
benchmark() {  # benchmark SECONDS MODEL FRAMEWORKS OPTIONS: one model per run_all call, so a
  local limit=$1 model=$2 frameworks=$3; shift 3  # stage that runs out of time loses only itself
  stage "$limit" "benchmark: $model" "$PY" benchmarks/run_all.py --models "$model" \
    --frameworks "$frameworks" "$@" --output "$OUT/bench_$model.json"
}
stage 80 "book example, end to end" bash -c book_example
stage 60 "book example, phases" bash -c \
  '"$PY" benchmarks/book_example_phases.py jkeras && "$PY" benchmarks/book_example_phases.py keras'
benchmark 100 mlp jkeras,keras3,keras3-spe32,jax+optax $CORE
benchmark 110 convnet jkeras,keras3,keras3-spe32,jax+optax $CORE
benchmark 75 lstm jkeras,keras3,keras3-spe32,jax+optax $REST
benchmark 75 transformer jkeras,keras3,keras3-spe32,jax+optax $REST
stage 120 "mixed precision accuracy" "$PY" benchmarks/mixed_precision_accuracy.py $MP \
  --output "$OUT/mixed_precision.json"
