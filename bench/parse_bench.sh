#!/usr/bin/env bash
# Whole-process parse benchmark: named-checkzone -i local, ldns-read-zone and our
# parser (bench/parse_zone_cli.ts under `deno run`, plain and with
# --v8-flags=--max-semi-space-size=1) on the same generated zones of 10k, 100k and 1M
# records, run alternately (A B C D A B C D ...) so drift on the machine hits all alike. Each run is timed by GNU time (wall seconds, user+system CPU
# seconds, peak RSS); the script prints one Markdown row per tool and size with the
# medians. CPU time is printed beside wall time because it is far less disturbed when
# other work shares the machine; compare wall times only from a quiet machine.
#
# Usage: bench/parse_bench.sh [RUNS_10K RUNS_100K RUNS_1M]   (defaults 7 5 3)
# Needs: deno, named-checkzone, ldns-read-zone, /usr/bin/time (Debian package `time`).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=("${1:-7}" "${2:-5}" "${3:-3}")
sizes=(10000 100000 1000000)
names=(10k 100k 1m)
zone=bench.test
data=bench/data
mkdir -p "$data"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -x /usr/bin/time ] || { echo "install the Debian package 'time' (GNU time)" >&2; exit 2; }

tools=(bind ldns ours ours-semi1)
cmd() {
  case "$1" in
    bind) echo "named-checkzone -i local $zone $2" ;;
    # -E SOA: parse everything, print only the SOA, so output cost stays negligible.
    ldns) echo "ldns-read-zone -E SOA $2" ;;
    ours) echo "deno run --allow-read bench/parse_zone_cli.ts $zone $2" ;;
    # The same with V8's young generation capped at 1 MiB: parsed data survives anyway,
    # so promoting it early saves copying it through the semi-spaces (less time and RSS).
    ours-semi1)
      echo "deno run --allow-read --v8-flags=--max-semi-space-size=1 bench/parse_zone_cli.ts $zone $2"
      ;;
  esac
}

# Warm Deno's module cache so the first timed run does not pay for transpiling.
deno cache bench/parse_zone_cli.ts >/dev/null 2>&1 || true

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

echo "| records | tool | median wall s | min–max wall s | median CPU s | median peak RSS MiB | records/s (wall) | runs |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|"
for i in 0 1 2; do
  n=${sizes[$i]}
  file="$data/zone_${names[$i]}.zone"
  if [ ! -s "$file" ]; then
    deno run --allow-write bench/gen_zone.ts --records "$n" --out "$file"
  fi
  for _ in $(seq 1 "${runs[$i]}"); do
    for t in "${tools[@]}"; do
      # shellcheck disable=SC2046
      if ! /usr/bin/time -f "%e %M %U %S" -o "$tmp/one" $(cmd "$t" "$file") >"$tmp/out" 2>&1; then
        echo "$t failed on $file:" >&2
        tail -n 5 "$tmp/out" >&2
        exit 1
      fi
      cat "$tmp/one" >>"$tmp/$t.$n"
    done
  done
  for t in "${tools[@]}"; do
    wall=$(cut -d' ' -f1 "$tmp/$t.$n" | median)
    min=$(cut -d' ' -f1 "$tmp/$t.$n" | sort -g | head -n 1)
    max=$(cut -d' ' -f1 "$tmp/$t.$n" | sort -g | tail -n 1)
    rss=$(cut -d' ' -f2 "$tmp/$t.$n" | median)
    cpu=$(awk '{print $3 + $4}' "$tmp/$t.$n" | median)
    awk -v n="$n" -v t="$t" -v w="$wall" -v lo="$min" -v hi="$max" -v c="$cpu" -v r="$rss" \
      -v k="${runs[$i]}" 'BEGIN {
        printf "| %d | %s | %.2f | %.2f–%.2f | %.2f | %.0f | %.0f | %d |\n", n, t, w, lo, hi, c, r/1024, n/w, k
      }'
  done
done
