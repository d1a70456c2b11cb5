#!/usr/bin/env bash
# Centre crop against face crop on off-centre faces: builds a set of pictures from the LFW demo photos with each face
# pasted anywhere into a cluttered synthetic picture (one fifth to two fifths of the shorter side; see
# trainer/src/test/java/pinkcnn/trainer/face/OffCentreSet.java), then runs `prepare` and `train` with their defaults
# but for the crop, and prints test accuracy, macro-F1 and how often the face box in manifest.csv sits on the face.
#
#   scripts/face-crop-study.sh [-r PORTRAITS] [-w WORK] [-c COPIES] [-s SEED] [-- prepare options]
#
#   scripts/face-crop-study.sh                                   # 317 pictures, one per LFW demo photo
#   scripts/face-crop-study.sh -w /tmp/study3 -c 3 -s 8          # 951 pictures: three per photo, all three in the
#                                                                #   split the photo has in the usual seed-42 split
#
# Needs the LFW demo photos (../shared/datasets/lfw-demo), Maven and a JDK; the face detector and the backbone are
# converted from npm on first use. Takes about 10 minutes for 317 pictures on 2 cores. Outputs stay in WORK.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
portraits=$here/../shared/datasets/lfw-demo
work=/tmp/pinkcnn-face-study
copies=1
seed=7
while getopts "r:w:c:s:" opt; do
    case $opt in
        r) portraits=$OPTARG ;;
        w) work=$OPTARG ;;
        c) copies=$OPTARG ;;
        s) seed=$OPTARG ;;
        *) sed -n '2,14p' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
prepare_opts=("$@")
pinkcnn="$here/pinkcnn"

# The set is built by a test helper: package compiles the test classes too (the tests themselves are skipped).
(cd "$here" && mvn -q -B -DskipTests package -pl trainer -am) >&2
if [ ! -f "$work/photos/truth.csv" ]; then
    java -cp "$here/trainer/target/pinkcnn.jar:$here/trainer/target/test-classes" pinkcnn.trainer.face.OffCentreSet \
        "$portraits" "$work/photos" "$copies" "$seed"
fi

# With several pictures per portrait, all pictures of a portrait go to the split the portrait itself has in the usual
# seed-42 split: otherwise the same face would be in train and test. prepare takes that split as a manifest (by SHA-256).
split_opts=()
if [ "$copies" -gt 1 ]; then
    if [ ! -f "$work/by-portrait.csv" ]; then
        "$pinkcnn" prepare --raw "$portraits" --out "$work/portraits" --crop center --augment 1 --no-progress --force >/dev/null
        { echo "path,class,label,split,status,sha256,phash,note"
          awk -F, 'FNR > 1 && $5 == "kept" { print $1 "," $4 }' "$work/portraits/manifest.csv" |
              while IFS=, read -r path split; do
                  for pic in "$work/photos/${path%.*}"_*.jpg; do
                      echo "${pic#"$work/photos/"},,0,$split,kept,$(sha256sum "$pic" | cut -d' ' -f1),,"
                  done
              done
        } > "$work/by-portrait.csv.tmp" && mv "$work/by-portrait.csv.tmp" "$work/by-portrait.csv"
    fi
    split_opts=(--manifest "$work/by-portrait.csv")
fi

# Box-centre hits: a kept photo's box (manifest.csv) whose centre lies inside its face region (truth.csv).
hits() {
    awk -F, 'FNR == 1 { next }
        NR == FNR { x0[$1] = $3; y0[$1] = $4; x1[$1] = $5; y1[$1] = $6; next }
        $5 == "kept" && !($1 in seen) {
            seen[$1] = 1; n++
            if ($9 == "") next
            cx = ($9 + $11) / 2; cy = ($10 + $12) / 2
            if (cx >= x0[$1] && cx <= x1[$1] && cy >= y0[$1] && cy <= y1[$1]) hit++
        }
        $5 == "skipped" { skipped++ }
        END { if ($9 == "" && hit == 0) printf "-"; else printf "%d of %d (%.1f %%)", hit, n + skipped, 100 * hit / (n + skipped) }' \
        "$work/photos/truth.csv" "$1"
}

for crop in center face; do
    if [ ! -f "$work/$crop/manifest.csv" ]; then
        start=$(date +%s)
        "$pinkcnn" prepare --raw "$work/photos" --out "$work/$crop" --crop "$crop" --no-progress --force \
            ${split_opts[@]+"${split_opts[@]}"} ${prepare_opts[@]+"${prepare_opts[@]}"} > "$work/prepare-$crop.log"
        echo "prepare --crop $crop: $(($(date +%s) - start)) s (log: $work/prepare-$crop.log)" >&2
    fi
    if [ ! -f "$work/runs/$crop/report.json" ]; then
        "$pinkcnn" train --data "$work/$crop" --out "$work/runs/$crop" --force --quiet > "$work/train-$crop.log" 2>&1
    fi
done

printf '\n%-8s %14s %9s %26s\n' crop "test accuracy" macro-F1 "box centre on the face"
for crop in center face; do
    python3 - "$work/runs/$crop/report.json" "$crop" "$(hits "$work/$crop/manifest.csv")" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))["test"]
print(f"{sys.argv[2]:<8} {100 * t['accuracy']:13.1f}% {t['macro_f1']:9.3f} {sys.argv[3]:>26}")
EOF
done
