#!/usr/bin/env bash
# Times `ecsim run` on the benchmark scenarios and prints Markdown tables for
# results/PERFORMANCE.md (progress goes to stderr, the tables to stdout):
#
#   benches/perf.sh > /tmp/perf.md
#   RUNS=3 SCENARIOS=scenarios/bench/placement-20k.yaml benches/perf.sh
#
# Builds the release binary once, then runs each scenario RUNS times under GNU time and
# reports the median wall time and peak RSS, the simulated seconds and events (from the
# run's summary.json), simulated seconds per wall second and events per wall second.
# After reference.yaml (the SimPy peer's workload over 30 days) it runs the SimPy peer on
# the same workload and prints the ratio of simulated seconds per wall second.
#
# Environment (defaults in brackets):
#   RUNS          runs per scenario [5]
#   SCENARIOS     space-separated scenario files [the four of scenarios/bench/]
#   EXTRA_ARGS    more arguments for every `ecsim run`, e.g. '--set duration=1d' for a quick check []
#   BUILD         0 to skip `cargo build --release --locked` [1]
#   ECSIM         the binary [$CARGO_TARGET_DIR/release/ecsim, or target/release/ecsim]
#   PEER          the SimPy peer model [../shared/peers/simpy_ecs.py]
#   PEER_MODE     naive or indexed [naive]
#   PEER_EVENTS   the peer's run length in model events [8476000: 30 simulated days,
#                 at the 3.27 model events per simulated second it runs at]
#   PEER_RUNS     peer runs, 0 to skip the peer [1]
#   FLOOR         0 to skip the floor: after the peer, how long writing the bytes the
#                 reference run wrote takes on its own (dd, 1 MiB blocks, no fsync, the
#                 way ecsim writes), against the wall time 150x the peer's rate allows [1]
# Each run writes into a fresh temporary folder, removed as soon as it has been read.
set -euo pipefail
cd "$(dirname "$0")/.."

# The settings given, to print the command that reproduces the tables.
given=()
for var in RUNS SCENARIOS EXTRA_ARGS BUILD ECSIM PEER PEER_MODE PEER_EVENTS PEER_RUNS FLOOR; do
  if [[ -n ${!var+x} ]]; then
    value=${!var}
    [[ $value =~ ^[A-Za-z0-9_./=:,-]*$ ]] || value="'$value'"
    given+=("$var=$value")
  fi
done

RUNS=${RUNS:-5}
SCENARIOS=${SCENARIOS:-"scenarios/bench/reference.yaml scenarios/bench/placement-20k.yaml scenarios/bench/scale-100k.yaml scenarios/bench/scale-in.yaml"}
EXTRA_ARGS=${EXTRA_ARGS:-}
BUILD=${BUILD:-1}
ECSIM=${ECSIM:-${CARGO_TARGET_DIR:-target}/release/ecsim}
PEER=${PEER:-../shared/peers/simpy_ecs.py}
PEER_MODE=${PEER_MODE:-naive}
PEER_EVENTS=${PEER_EVENTS:-8476000}
PEER_RUNS=${PEER_RUNS:-1}
FLOOR=${FLOOR:-1}

log() { echo "perf.sh: $*" >&2; }
die() { log "$*"; exit 1; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a whole number >= 1, not '$RUNS'"
[[ $PEER_RUNS =~ ^[0-9]+$ ]] || die "PEER_RUNS must be a whole number, not '$PEER_RUNS'"
command -v python3 >/dev/null || die "python3 is required (it reads summary.json and does the arithmetic)"

if [[ ! -x /usr/bin/time ]]; then
  log "installing GNU time (apt-get install -y time)"
  apt-get install -y time >&2 || { apt-get update >&2 && apt-get install -y time >&2; } ||
    die "GNU time is required at /usr/bin/time: apt-get install -y time"
fi

if [[ $BUILD != 0 ]]; then
  log "cargo build --release --locked"
  cargo build --release --locked >&2
fi
[[ -x $ECSIM ]] || die "no binary at $ECSIM (set ECSIM or CARGO_TARGET_DIR)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The median of the numbers on standard input.
median() {
  python3 -c '
import statistics, sys
print(statistics.median(float(x) for x in sys.stdin.read().split()))'
}

# Prints a number with thousands separators and the given decimals.
fmt() { python3 -c 'import sys; print(f"{float(sys.argv[1]):,.{int(sys.argv[2])}f}")' "$1" "$2"; }

# Set by run_ecsim: simulated s per wall s (for the ratio with the peer) and the bytes the
# run wrote (median), for the floor.
ecsim_rate=
ecsim_simulated=
ecsim_bytes=
run_ecsim() {
  local scenario=$1 name runs_file i out wall rss_kib simulated events bytes
  name=$(basename "$scenario" .yaml)
  runs_file="$work/$name.runs"
  : >"$runs_file"
  for ((i = 1; i <= RUNS; i++)); do
    out="$work/$name-$i"
    log "$name: run $i of $RUNS"
    # shellcheck disable=SC2086 # EXTRA_ARGS is split into arguments on purpose
    if ! /usr/bin/time -f '%e %M' -o "$work/time" \
      "$ECSIM" run "$scenario" --out "$out" $EXTRA_ARGS >"$work/log" 2>&1; then
      tail -n 20 "$work/log" >&2
      die "$name: ecsim run failed (output above)"
    fi
    [[ -s $out/summary.json ]] || die "$name: the run wrote no summary.json"
    # The last line: GNU time puts "Command exited..." lines first when something is odd.
    read -r wall rss_kib < <(tail -n 1 "$work/time")
    read -r simulated events < <(python3 -c '
import json, sys
summary = json.load(open(sys.argv[1]))
print(summary["simulatedSeconds"], summary["events"])' "$out/summary.json")
    bytes=$(du -sb "$out" | cut -f1)
    echo "$wall $rss_kib $simulated $events $bytes" >>"$runs_file"
    rm -rf "$out"
  done
  local simulated_all events_all
  simulated_all=$(cut -d' ' -f3 "$runs_file" | sort -u | wc -l)
  events_all=$(cut -d' ' -f4 "$runs_file" | sort -u | wc -l)
  if [[ $simulated_all != 1 || $events_all != 1 ]]; then
    log "$name: WARNING: runs differ in simulated seconds or events (not deterministic?)"
  fi
  local rss each events_rate
  wall=$(cut -d' ' -f1 "$runs_file" | median)
  rss=$(cut -d' ' -f2 "$runs_file" | median)
  simulated=$(head -n 1 "$runs_file" | cut -d' ' -f3)
  events=$(head -n 1 "$runs_file" | cut -d' ' -f4)
  each=$(cut -d' ' -f1 "$runs_file" | paste -sd' ' - | sed 's/ /, /g')
  ecsim_bytes=$(cut -d' ' -f5 "$runs_file" | median)
  ecsim_simulated=$simulated
  ecsim_rate=$(python3 -c 'import sys; print(float(sys.argv[1]) / float(sys.argv[2]))' "$simulated" "$wall")
  events_rate=$(python3 -c 'import sys; print(float(sys.argv[1]) / float(sys.argv[2]))' "$events" "$wall")
  echo "### $name"
  echo
  echo "\`ecsim run $scenario${EXTRA_ARGS:+ $EXTRA_ARGS}\`, release build, $RUNS run$([[ $RUNS == 1 ]] || echo s) (median); wall time is the whole process (read, simulate, write the outputs)."
  echo
  echo "| model | wall s | peak RSS MiB | simulated s | events | simulated s per wall s | events per wall s | wall s of each run |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
  echo "| ecsim | $(fmt "$wall" 2) | $(fmt "$(python3 -c "print($rss / 1024)")" 0) | $(fmt "$simulated" 0) | $(fmt "$events" 0) | $(fmt "$ecsim_rate" 0) | $(fmt "$events_rate" 0) | $each |"
}

run_peer() {
  if ! python3 -c 'import simpy' 2>/dev/null; then
    log "installing simpy (python3 -m pip install simpy)"
    python3 -m pip install simpy >&2 || die "the SimPy peer needs simpy: pip install simpy"
  fi
  [[ -f $PEER ]] || die "no SimPy peer at $PEER (set PEER)"
  local runs_file="$work/peer.runs" i line wall rss_kib rss loop simulated events peer_rate events_rate
  : >"$runs_file"
  for ((i = 1; i <= PEER_RUNS; i++)); do
    log "SimPy peer ($PEER_MODE, $PEER_EVENTS events): run $i of $PEER_RUNS"
    /usr/bin/time -f '%e %M' -o "$work/time" python3 "$PEER" "$PEER_EVENTS" "$PEER_MODE" >"$work/peer.log" 2>&1 ||
      { tail -n 20 "$work/peer.log" >&2; die "the SimPy peer failed (output above)"; }
    read -r wall rss_kib < <(tail -n 1 "$work/time")
    # The peer prints one line: ... events=N ... sim_time_s=S ... loop_s=L ...
    line=$(python3 -c '
import re, sys
text = open(sys.argv[1]).read()
fields = dict(re.findall(r"(\w+)=([0-9.]+)", text))
print(fields["loop_s"], fields["sim_time_s"], fields["events"])' "$work/peer.log") ||
      die "cannot read loop_s, sim_time_s and events from the peer's output: $(cat "$work/peer.log")"
    echo "$wall $rss_kib $line" >>"$runs_file"
  done
  wall=$(cut -d' ' -f1 "$runs_file" | median)
  rss=$(cut -d' ' -f2 "$runs_file" | median)
  loop=$(cut -d' ' -f3 "$runs_file" | median)
  simulated=$(head -n 1 "$runs_file" | cut -d' ' -f4)
  events=$(head -n 1 "$runs_file" | cut -d' ' -f5)
  # The peer's README: simulated seconds per wall second = sim_time_s / loop_s.
  peer_rate=$(python3 -c 'import sys; print(float(sys.argv[1]) / float(sys.argv[2]))' "$simulated" "$loop")
  events_rate=$(python3 -c 'import sys; print(float(sys.argv[1]) / float(sys.argv[2]))' "$events" "$loop")
  echo "| SimPy peer (\`simpy_ecs.py $PEER_EVENTS $PEER_MODE\`, $PEER_RUNS run$([[ $PEER_RUNS == 1 ]] || echo s), median) | $(fmt "$loop" 2) (process $(fmt "$wall" 2)) | $(fmt "$(python3 -c "print($rss / 1024)")" 0) | $(fmt "$simulated" 0) | $(fmt "$events" 0) (model events) | $(fmt "$peer_rate" 0) | $(fmt "$events_rate" 0) | |"
  echo
  echo "The peer's figures use its own \`loop_s\` (its simulation loop), as its README says; its events are its model events, not comparable one for one with ecsim's."
  echo "ecsim / SimPy peer, simulated seconds per wall second: **$(python3 -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]):.1f}")' "$ecsim_rate" "$peer_rate")x**."
  peer_rate_kept=$peer_rate
}

# The floor under the 150x target: writing the bytes the reference run wrote, and nothing
# else, with dd in 1 MiB blocks (no fsync: ecsim does not sync either), against the wall
# time 150x the peer's rate allows. Sets nothing; prints one table.
peer_rate_kept=
run_floor() {
  local mib i each=() wall budget
  mib=$(python3 -c 'import math, sys; print(max(1, math.ceil(float(sys.argv[1]) / 1048576)))' "$ecsim_bytes")
  for ((i = 1; i <= RUNS; i++)); do
    log "floor: dd of $mib MiB, run $i of $RUNS"
    /usr/bin/time -f '%e' -o "$work/time" dd if=/dev/zero of="$work/floor" bs=1M count="$mib" status=none
    each+=("$(tail -n 1 "$work/time")")
    rm -f "$work/floor"
  done
  wall=$(printf '%s\n' "${each[@]}" | median)
  # The wall time in which ecsim's simulated seconds would be 150x the peer's rate.
  budget=$(python3 -c 'import sys; print(float(sys.argv[1]) / (150 * float(sys.argv[2])))' "$ecsim_simulated" "$peer_rate_kept")
  echo
  echo "The floor: the reference run wrote $(fmt "$mib" 0) MiB. Writing as many bytes of zeros with \`dd bs=1M\` (no formatting, no simulation) takes $(fmt "$wall" 2) s (median of $RUNS: ${each[*]}); 150x the peer's rate leaves $(fmt "$budget" 2) s for the whole run of $(fmt "$ecsim_simulated" 0) simulated seconds."
}

commit=$(git rev-parse --short HEAD)
[[ -z $(git status --porcelain --untracked-files=no) ]] || commit="$commit (with uncommitted changes)"
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)
memory_gib=$(awk '/^MemTotal:/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)

echo "## ecsim benchmarks"
echo
echo "Commit: $commit. Date: $(date -u +%Y-%m-%d). Command: \`${given[*]+${given[*]} }benches/perf.sh\`."
echo "Machine: $cpu, $(lscpu | sed -n 's/^CPU(s): *//p' | head -n 1) CPUs (nproc $(nproc)), $memory_gib GiB."
echo
for scenario in $SCENARIOS; do
  [[ -f $scenario ]] || die "no scenario at $scenario"
  run_ecsim "$scenario"
  if [[ $(basename "$scenario") == reference.yaml && $PEER_RUNS != 0 ]]; then
    run_peer
    if [[ $FLOOR != 0 ]]; then
      run_floor
    fi
  fi
  echo
done
