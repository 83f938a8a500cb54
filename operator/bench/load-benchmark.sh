#!/usr/bin/env bash
# The operator under load against an in-process API server: see docs/benchmarks.md.
# Usage: operator/bench/load-benchmark.sh [resources=1000] [latency-samples=200]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B -pl api install -DskipTests
mvn -q -B -pl operator test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath
# From the module directory, as the tests run, so that repository paths resolve the same way.
cd operator
exec java -Xmx2g -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  dev.stt.operator.bench.LoadBenchmark "$@"
