#!/usr/bin/env bash
# Time two builds of calobnn side by side: `make bench-compare BASE=<git revision> [ROUNDS=3]
# [REPEATS=1]`.
#
# Builds BASE (a commit, tag or branch of this repository) in a worktree under .build-compare/,
# then runs `calobnn bench --only network --repeats REPEATS` of BASE and of the current build
# alternately, ROUNDS times each, and prints per configuration the medians and their ratio
# (current / BASE). Timings on a shared or noisy machine move both builds alike, so the ratio is
# the number to quote; each figure of a run is itself the median of REPEATS one-second
# measurements (more repeats steady the two-thread figures, which single seconds scatter).
set -euo pipefail
base=${1:?usage: bench-compare.sh BASE_REVISION [ROUNDS]}
rounds=${2:-3}
repeats=${3:-1}
for v in "ROUNDS=$rounds" "REPEATS=$repeats"; do
  [[ ${v#*=} =~ ^[1-9][0-9]?$ ]] || { echo "bench-compare: $v: must be a whole number in 1…99"; exit 1; }
done
here=$(cd "$(dirname "$0")/.." && pwd)
current="$here/.build/release/calobnn"
[ -x "$current" ] || { echo "bench-compare: build the current tree first (make build)"; exit 1; }
rev=$(git -C "$here" rev-parse --verify "$base^{commit}") || { echo "bench-compare: unknown revision $base"; exit 1; }
tree="$here/.build-compare/$rev"
if [ ! -x "$tree/.build/release/calobnn" ]; then
  rm -rf "$tree"; mkdir -p "$here/.build-compare"
  git -C "$here" worktree prune
  git -C "$here" worktree add --detach "$tree" "$rev" >/dev/null
  echo "bench-compare: building $base ($rev) in $tree" >&2
  (cd "$tree" && swift build -c release --product calobnn >/dev/null)
fi
old="$tree/.build/release/calobnn"
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
for r in $(seq 1 "$rounds"); do
  for who in base current; do
    bin=$old; [ "$who" = current ] && bin=$current
    echo "bench-compare: round $r/$rounds, $who" >&2
    "$bin" bench --only network --repeats "$repeats" > "$out/$who.$r.json" 2>/dev/null
  done
done
python3 - "$out" "$rounds" "$base" "$repeats" <<'PY'
import json, statistics, sys
d, rounds, base, repeats = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def load(who):
    return [json.load(open(f"{d}/{who}.{r}.json"))["networks"] for r in range(1, rounds + 1)]
b, c = load("base"), load("current")
print(f"{'configuration':34} {'base':>10} {'current':>10} {'ratio':>7}   (medians of {rounds} alternating runs, each --repeats {repeats}; base = {base})")
for metric, unit in (("train_samples_per_s", "train samples/s"), ("predict_image_samples_per_s", "predict image-samples/s")):
    print(unit)
    for key in sorted(c[0][metric]):
        mb = statistics.median(x[metric][key] for x in b); mc = statistics.median(x[metric][key] for x in c)
        print(f"  {key:32} {mb:10.0f} {mc:10.0f} {mc / mb:6.2f}x")
PY
