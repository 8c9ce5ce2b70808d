#!/usr/bin/env bash
# Runs every benchmark in its own process (so peak RSS is that benchmark's
# alone) and writes bench/results.txt. Inputs are generated once into
# $TMPDIR/tongbao-bench and reused. Takes about 5 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -c -o /tmp/tongbao-bench.test ./bench
out=bench/results.txt
{
  echo "# $(date -u +%F) $(go version) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  for b in 'ImportXLSX/rows=100000$' 'ImportXLSX/rows=1000000$' 'ExcelizeRows/rows=100000$' 'ExcelizeRows/rows=1000000$' \
           'InflateOnly/rows=100000$' 'InflateOnly/rows=1000000$' 'ImportCSV/rows=100000$' 'ImportCSV/rows=1000000$' \
           'ScoreMonthYear$' 'Bulletin$' 'Dashboard$'; do
    # A first run generates a missing input; the measured run follows.
    (cd bench && /tmp/tongbao-bench.test -test.run NONE -test.bench "^Benchmark${b}" -test.benchtime 1x >/dev/null)
    (cd bench && /tmp/tongbao-bench.test -test.run NONE -test.bench "^Benchmark${b}" -test.benchtime "${BENCHTIME:-2x}") | grep '^Benchmark'
  done
} | tee "$out"
