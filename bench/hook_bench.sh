#!/usr/bin/env bash
# Hook start-up benchmark (issue 4 item 2): an empty Deno script against hook.ts
# queuing one job in the real Redis, side by side in one hyperfine run, same
# `deno run` flags, stdin from a file, run from inside a bare repository as git does.
# Goal (issue 14): the hook's median at most 1.2x the empty script's.
#
# Usage: bench/hook_bench.sh [RUNS]   (default 40; writes bench/results/hook.md)
# Needs: deno, git, hyperfine, redis-cli, Redis at REDIS_URL (default 127.0.0.1:6379).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
runs=${1:-40}
tmp=$(mktemp -d)
prefix="bench:$(date +%s)-$$:"
cleanup() {
  redis-cli --scan --pattern "${prefix}*" | xargs -r redis-cli del >/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

git init -q --bare -b main "$tmp/repos/bench"
: >"$tmp/empty.ts"
printf '%s %s refs/heads/main\n' "$(printf '0%.0s' {1..40})" "$(printf 'a%.0s' {1..40})" \
  >"$tmp/stdin.txt"
flags="--allow-env --allow-read --allow-net --allow-run=git"
# Warm the module cache so no run pays for transpiling.
deno cache "$top/hook.ts" "$tmp/empty.ts" >/dev/null 2>&1

cd "$tmp/repos/bench"
export REPOS_ROOT="$tmp/repos" DNSAPI_KEY_PREFIX="$prefix" DNS_API_HOOK_WAIT=0
hyperfine --warmup 5 --runs "$runs" --export-json "$tmp/result.json" \
  -n empty "deno run $flags $tmp/empty.ts <$tmp/stdin.txt" \
  -n hook "deno run $flags $top/hook.ts post-receive <$tmp/stdin.txt >/dev/null"
# hyperfine runs all of one command, then all of the other, so load that changes
# during the run (this machine is shared) favours one side; the same pair is also
# timed interleaved, A B A B ..., and that ratio is the one judged against the goal.
# Two more for the explanation, in the same loop: an empty script beside hook.ts, which
# finds the project's deno.json as hook.ts does (config discovery is paid by `deno run`
# from source, not by a compiled binary), and the hook bundled into one file plus its
# lazily loaded chunks (what module loading costs, as opposed to the hook's own work).
mkdir -p "$top/bench/data"
: >"$top/bench/data/empty_beside.ts"
deno bundle --code-splitting --outdir "$tmp/bundle" "$top/hook.ts" >/dev/null 2>&1
for _ in $(seq "$runs"); do
  for name in empty hook beside bundle; do
    case "$name" in
      empty) cmd="$tmp/empty.ts" ;;
      hook) cmd="$top/hook.ts post-receive" ;;
      beside) cmd="$top/bench/data/empty_beside.ts" ;;
      bundle) cmd="$tmp/bundle/hook.js post-receive" ;;
    esac
    start=$(date +%s%N)
    # shellcheck disable=SC2086 # flags and cmd are word lists on purpose
    deno run $flags $cmd <"$tmp/stdin.txt" >/dev/null
    echo "$name $((($(date +%s%N) - start) / 1000))" >>"$tmp/interleaved.txt"
  done
done
queued=$(redis-cli zcard "${prefix}ready")
jobs=$(redis-cli llen "${prefix}pending:bench")
[ "$queued" = 1 ] && [ "$jobs" -ge "$((3 * runs))" ] || { echo "the hook did not queue its jobs" >&2; exit 1; }

cd "$top"
mkdir -p bench/results
deno eval --ext=ts "
const r = JSON.parse(await Deno.readTextFile('$tmp/result.json')).results;
type Run = { command: string; median: number; user: number; system: number };
const get = (n: string): Run => r.find((x: Run) => x.command === n);
const ms = (n: string) => get(n).median * 1000;
const cpu = (n: string) => ((get(n).user + get(n).system) * 1000).toFixed(1);
const [e, h] = [ms('empty'), ms('hook')];
const lines = (await Deno.readTextFile('$tmp/interleaved.txt')).trim().split('\\n');
const median = (n: string) => {
  const v = lines.filter((l) => l.startsWith(n + ' ')).map((l) => Number(l.split(' ')[1]) / 1000)
    .sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const [ie, ih] = [median('empty'), median('hook')];
const [ib, iu] = [median('beside'), median('bundle')];
console.log([
  '# Hook start-up (bench/hook_bench.sh)',
  '',
  'Medians of one hyperfine run ($runs runs each after 5 warm-up runs; hyperfine runs the',
  'two commands one after the other), on $(nproc) cores shared with other work,',
  '\`deno run $flags\`, stdin from a file, real Redis, load average $(cut -d" " -f1 /proc/loadavg):',
  '',
  '| command | hyperfine median wall ms | hyperfine mean CPU ms (user+sys) | interleaved median wall ms |',
  '|---|---:|---:|---:|',
  '| empty Deno script | ' + e.toFixed(1) + ' | ' + cpu('empty') + ' | ' + ie.toFixed(1) + ' |',
  '| hook.ts post-receive, one job queued | ' + h.toFixed(1) + ' | ' + cpu('hook') + ' | ' +
  ih.toFixed(1) + ' |',
  '| empty script beside hook.ts (finds the same deno.json) | | | ' + ib.toFixed(1) + ' |',
  '| hook.ts bundled (deno bundle --code-splitting), post-receive | | | ' + iu.toFixed(1) + ' |',
  '',
  'Ratio hook / empty: interleaved medians **' + (ih / ie).toFixed(2) + '** (goal: at most 1.20);',
  'hook / empty beside it ' + (ih / ib).toFixed(2) + '; bundled hook / empty ' + (iu / ie).toFixed(2) + ';',
  'hyperfine medians ' + (h / e).toFixed(2) + ', hyperfine CPU ' +
  (Number(cpu('hook')) / Number(cpu('empty'))).toFixed(2) + '. (Interleaved times come from',
  'bash and include starting two \\\`date\\\` processes per run, the same for both commands.)',
  '',
  'Measured $(date -u +%Y-%m-%dT%H:%MZ), $(deno --version | head -1).',
  '',
  'What keeps the hook cheap (measured on this machine against an empty script):',
  'hook.ts loads only lib/hook/post_receive.ts, lib/job/ and lib/util/ (no npm:, no node:;',
  'tests/layout.test.ts checks the whole graph, the dynamic import of pre-receive included): zod would add about 50 ms, ioredis',
  'about 135 ms (measured when the hook was written); its timeouts use AbortSignal.timeout, because the first setTimeout of a',
  'process costs about 18 ms of CPU; stdin is read with plain reads (a Response over the',
  'stream costs about 10 ms more). What remains over the empty script is the TCP',
  'connection and one EVAL round trip to Redis, and the cold start of the code that does it.',
].join('\n'));
" >"$tmp/report.md"
# The new run on top; earlier runs stay below it, so the file keeps the history.
{
  cat "$tmp/report.md"
  if [ -s bench/results/hook.md ]; then
    echo
    echo "## Earlier run"
    echo
    sed '1{/^# /d}' bench/results/hook.md | sed 's/^## Earlier run$/### Earlier run/'
  fi
} >"$tmp/hook.md"
mv "$tmp/hook.md" bench/results/hook.md
cat "$tmp/report.md"
