#!/usr/bin/env bash
# Runs every test of the project. On a machine with only the .NET SDK it first installs the real
# servers the tests start (Prometheus, promtool, Alertmanager, amtool, Pushgateway, InfluxDB 1.x) and Node.js from
# Debian, and Grafana's dashboard schema from npm.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v prometheus   >/dev/null 2>&1 || need+=(prometheus)
command -v promtool     >/dev/null 2>&1 || need+=(prometheus)
command -v alertmanager >/dev/null 2>&1 || command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
command -v amtool       >/dev/null 2>&1 || need+=(prometheus-alertmanager)
command -v influxd      >/dev/null 2>&1 || need+=(influxdb)
command -v npm          >/dev/null 2>&1 || need+=(nodejs npm)
command -v prometheus-pushgateway >/dev/null 2>&1 || command -v pushgateway >/dev/null 2>&1 || need+=(prometheus-pushgateway)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing test servers: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
fi
# The Debian packages start their services at install; the tests start their own on free ports.
for svc in prometheus prometheus-alertmanager prometheus-pushgateway influxdb; do
  if command -v systemctl >/dev/null 2>&1; then systemctl stop "$svc" >/dev/null 2>&1 || true; fi
done

# Grafana's dashboard schema and the TypeScript compiler, for the dashboard schema test (pinned in
# dashboards/schema-check/package.json).
if [ ! -d dashboards/schema-check/node_modules/@grafana/schema ] || [ ! -d dashboards/schema-check/node_modules/typescript ]; then
  echo "Installing the Grafana dashboard schema (npm)"
  npm install --prefix dashboards/schema-check --no-audit --no-fund --no-package-lock --loglevel=error >/dev/null
fi

results="$(mktemp -d)"
set +e
dotnet test UnitEconomics.Otel.sln -c Release --logger "trx" --results-directory "$results" "$@"
status=$?
set -e
# One closing line that any CI reader understands: totals over every test assembly.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  line=$(grep -o '<Counters [^>]*>' "$trx" | head -n1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$line"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$line")
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$line")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
done
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
