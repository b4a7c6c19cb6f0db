#!/usr/bin/env bash
# Runs every benchmark in docs/benchmarks.md and prints its tables. About 20 minutes on 2 cores.
#   bench/run-all.sh                 # everything, BenchmarkDotNet's default job
#   JOB=short bench/run-all.sh       # quicker, wider error bars
#   bench/run-all.sh --seconds 20    # extra arguments go to the load generator
# The load generator pins the service to core 1 and itself to core 0 (taskset): run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "## Machine"
echo "cores (nproc): $(nproc)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "memory: $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo)"
echo ".NET SDK: $(dotnet --version)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

dotnet build -c Release src/UnitEconomics.Exporter -v q -nologo
dotnet build -c Release bench/UnitEconomics.LoadGenerator -v q -nologo
dotnet build -c Release bench/UnitEconomics.Benchmarks -v q -nologo

rm -rf BenchmarkDotNet.Artifacts/results
dotnet run -c Release --no-build --project bench/UnitEconomics.Benchmarks -- \
  --filter '*ProcessorOverhead*' '*EngineStage*' '*CatalogLookup*' '*IngestPath*' ${JOB:+--job "$JOB"} > /dev/null
for report in BenchmarkDotNet.Artifacts/results/*-report-github.md; do
  echo
  echo "## $(basename "$report" -report-github.md)"
  grep '^|' "$report"
done

dotnet bench/UnitEconomics.LoadGenerator/bin/Release/net10.0/UnitEconomics.LoadGenerator.dll "$@"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
