#!/usr/bin/env bash
# Runs the whole test suite: installs the real peers when missing, then every test project.
# Prints a final line 'N passed, N failed' counted from the test results (TRX files).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash tests/peers/install.sh || { echo "tests/run.sh: installing test peers failed"; echo "0 passed, 1 failed"; exit 1; }

results="$root/tests/TestResults"
rm -rf "$results"
dotnet build SmartCity.Edge.sln -c Release --nologo -v q -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }
dotnet test SmartCity.Edge.sln -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?

# Second pass: every test that runs the real gateway binary, again against the native AOT build that
# deploy/publish.sh ships for this architecture (GatewayProcess picks it up from SMARTCITY_EDGE_TEST_BINARY).
case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) rid="" ;;
esac
if [ -n "$rid" ]; then
  native="$results/native-aot"
  if dotnet publish src/Gateway/SmartCity.Edge.Gateway.csproj -c Release -r "$rid" -p:PublishAot=true \
       -p:InvariantGlobalization=true -o "$native" --nologo -v q -clp:ErrorsOnly; then
    SMARTCITY_EDGE_TEST_BINARY="$native/smartcity-edge" dotnet test tests/SmartCity.Edge.Gateway.Tests -c Release --no-build --nologo \
      --filter "FullyQualifiedName~.Integration.|FullyQualifiedName~.Service.|FullyQualifiedName~.Cli." \
      --logger "trx;LogFileName=native-aot.trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@" \
      || status=1
  else
    echo "tests/run.sh: the native AOT publish for $rid failed"
    status=1
  fi
else
  echo "tests/run.sh: no native AOT toolchain for $(uname -m); the real-binary tests ran on the JIT build only"
fi

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the runner failed without a counted test failure (crash, build break): never report green
fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
