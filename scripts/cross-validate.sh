#!/usr/bin/env bash
# K-fold cross-validation of `pinkcnn prepare` + `pinkcnn train` settings on the photos outside the test split.
#
# One dev split of ~64 photos cannot tell good settings apart once they all reach 100 % on it. This script keeps the
# test split of the usual seed-42 split untouched, deals the remaining (train + dev) photos of each class into K folds,
# and trains K times, each time with one fold as dev and the others as train. The pooled dev accuracy and log-loss over
# all K folds (every non-test photo scored once, by a model that did not train on it) is what settings are chosen by.
#
#   scripts/cross-validate.sh [-k FOLDS] [-r RAW] [-w WORK] [-t TAG] [-p "prepare options"] [-- train options]
#
#   scripts/cross-validate.sh -t crop07 -p "--crop-fraction 0.7"
#   scripts/cross-validate.sh -t ft11 -- --fine-tune-from block_11_expand
#
# Folds are dealt per class in SHA-256 order (reproducible, independent of file names). Each fold's run folder stays in
# WORK/TAG/run_K, so `pinkcnn evaluate` can score it again (for example with other evaluation options).
set -euo pipefail

folds=5
raw=../shared/datasets/lfw-demo
work=runs/cv
tag=default
prepare_opts=""
while getopts "k:r:w:t:p:" opt; do
    case $opt in
        k) folds=$OPTARG ;;
        r) raw=$OPTARG ;;
        w) work=$OPTARG ;;
        t) tag=$OPTARG ;;
        p) prepare_opts=$OPTARG ;;
        *) sed -n '2,16p' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
train_opts=("$@")

here=$(cd "$(dirname "$0")/.." && pwd)
pinkcnn="$here/pinkcnn"
mkdir -p "$work/$tag"

# 1. The usual split, only for its manifest: which photos are test.
if [ ! -f "$work/base/manifest.csv" ]; then
    "$pinkcnn" prepare --raw "$raw" --out "$work/base" --augment 1 --no-progress >/dev/null
fi

# 2. One manifest per fold: test stays test, the rest of each class is dealt round-robin in SHA-256 order.
for ((k = 0; k < folds; k++)); do
    f="$work/fold$k.csv"
    [ -f "$f" ] && continue
    { head -1 "$work/base/manifest.csv"
      tail -n +2 "$work/base/manifest.csv" | awk -F, -v OFS=, '$5 == "kept"' | sort -t, -k3,3n -k6,6 |
          awk -F, -v OFS=, -v k=$k -v K=$folds '
              $4 == "test" { print; next }
              { i = n[$3]++; $4 = (i % K == k) ? "dev" : "train"; print }'
    } > "$f.tmp" && mv "$f.tmp" "$f"
done

# 3. Prepare and train each fold; print each fold's dev figures.
printf '%-10s %5s %8s %9s\n' fold dev accuracy log-loss
for ((k = 0; k < folds; k++)); do
    data="$work/$tag/data_$k"
    run="$work/$tag/run_$k"
    if [ ! -f "$data/train.h5" ]; then
        # shellcheck disable=SC2086 # prepare options are split on purpose
        "$pinkcnn" prepare --raw "$raw" --out "$data" --manifest "$work/fold$k.csv" --no-progress $prepare_opts >/dev/null
    fi
    if [ ! -f "$run/report.json" ]; then
        "$pinkcnn" train --data "$data" --out "$run" --force --quiet "${train_opts[@]}" \
            > "$run.log" 2>&1 || { echo "fold $k failed, see $run.log" >&2; exit 1; }
    fi
    python3 - "$run/report.json" "$k" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))["dev"]
print(f"{sys.argv[2]:<10} {d['samples']:5d} {100 * d['accuracy']:7.1f}% {d['log_loss']:9.4f}")
EOF
done

# 4. Pooled over the folds.
python3 - "$work/$tag" "$folds" "$tag" <<'EOF'
import json, sys
runs = [json.load(open(f"{sys.argv[1]}/run_{k}/report.json"))["dev"] for k in range(int(sys.argv[2]))]
n = sum(d["samples"] for d in runs)
right = sum(round(d["accuracy"] * d["samples"]) for d in runs)
loss = sum(d["log_loss"] * d["samples"] for d in runs) / n
print(f"{'pooled':<10} {n:5d} {100 * right / n:7.1f}% {loss:9.4f}   ({n - right} wrong)  [{sys.argv[3]}]")
EOF
