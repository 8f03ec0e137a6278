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
# during the run (this machine is shared) favours one side; the commands are also timed
# interleaved (bench/interleave.ts: A B C … A B C …, no shell, stdin piped as git does),
# and the interleaved hook / empty ratio is the one judged against the goal. Three more
# commands explain the difference, in the same rounds:
# - an empty script beside hook.ts, which finds the project's deno.json as hook.ts does
#   (config discovery is paid by `deno run` from source, not by a compiled binary);
# - bench/hook_floor.ts: the system work post-receive cannot skip (stdin, two realpaths,
#   HEAD, a UUID, a timestamp, a Redis connection and one round trip, one line printed)
#   with none of the project's code, so the floor any hook pays;
# - the hook bundled into one file plus its lazily loaded chunks (what loading its modules
#   costs, as opposed to the hook's own work).
mkdir -p "$top/bench/data"
: >"$top/bench/data/empty_beside.ts"
deno bundle --code-splitting --outdir "$tmp/bundle" "$top/hook.ts" >/dev/null 2>&1
# shellcheck disable=SC2086 # flags is a word list on purpose
deno run --allow-run --allow-read "$top/bench/interleave.ts" --runs "$runs" --warmup 3 \
  --stdin "$tmp/stdin.txt" \
  "empty=deno run $flags $tmp/empty.ts" \
  "beside=deno run $flags $top/bench/data/empty_beside.ts" \
  "floor=deno run $flags $top/bench/hook_floor.ts" \
  "hook=deno run $flags $top/hook.ts post-receive" \
  "bundle=deno run $flags $tmp/bundle/hook.js post-receive" >"$tmp/interleaved.json"
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
const inter = JSON.parse(await Deno.readTextFile('$tmp/interleaved.json'));
const [ie, ih, ib, iu, fl] = ['empty', 'hook', 'beside', 'bundle', 'floor'].map((n) => inter[n]);
console.log([
  '# Hook start-up (bench/hook_bench.sh)',
  '',
  'On $(nproc) cores shared with other work, load average $(cut -d" " -f1 /proc/loadavg) at the end,',
  '\`deno run $flags\`, from inside a bare repository as git runs the hook, real Redis.',
  'Interleaved: medians of $runs rounds after 3 warm-up rounds, every command once per round',
  '(bench/interleave.ts: no shell, stdin piped). Hyperfine: $runs runs each after 5 warm-up',
  'runs, one command after the other, stdin from a file.',
  '',
  '| command | interleaved median wall ms | hyperfine median wall ms | hyperfine mean CPU ms (user+sys) |',
  '|---|---:|---:|---:|',
  '| empty Deno script | ' + ie.toFixed(1) + ' | ' + e.toFixed(1) + ' | ' + cpu('empty') + ' |',
  '| hook.ts post-receive, one job queued | ' + ih.toFixed(1) + ' | ' + h.toFixed(1) + ' | ' +
  cpu('hook') + ' |',
  '| empty script beside hook.ts (finds the same deno.json) | ' + ib.toFixed(1) + ' | | |',
  '| bench/hook_floor.ts: the system work of the hook alone | ' + fl.toFixed(1) + ' | | |',
  '| hook.ts bundled (deno bundle --code-splitting), post-receive | ' + iu.toFixed(1) + ' | | |',
  '',
  'Ratio hook / empty: interleaved medians **' + (ih / ie).toFixed(2) + '** (goal: at most 1.20);',
  'hyperfine medians ' + (h / e).toFixed(2) + ', hyperfine CPU ' +
  (Number(cpu('hook')) / Number(cpu('empty'))).toFixed(2) + '.',
  'Where the difference goes, interleaved: finding deno.json ' + (ib / ie).toFixed(2) +
  ' (empty beside / empty); the floor ' + (fl / ie).toFixed(2) + ' (floor / empty), ' +
  (fl / ib).toFixed(2) + ' beside the same deno.json; the hook over the floor ' + (ih / fl).toFixed(2) +
  '; bundled hook / empty ' + (iu / ie).toFixed(2) + '.',
  '',
  'Measured $(date -u +%Y-%m-%dT%H:%MZ), $(deno --version | head -1).',
  '',
  'What keeps the hook cheap (measured on this machine against an empty script):',
  'hook.ts loads only lib/hook/post_receive.ts, lib/job/ and lib/util/ (no npm:, no node:;',
  'tests/layout.test.ts checks the whole graph, the lazily imported modes included): zod would add',
  'about 50 ms, ioredis about 135 ms (measured when the hook was written); pre-receive and the SSH door',
  'are imported by computed names, because \`deno run\` prepares every literal dynamic import before',
  'the first line runs (about 2 ms); its timeouts use AbortSignal.timeout, because the first setTimeout',
  'of a process costs about 18 ms of CPU; stdin is read with plain reads (a Response over the stream',
  'costs about 10 ms more).',
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
