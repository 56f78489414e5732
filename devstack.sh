#!/usr/bin/env bash
# Runs the platform locally: a real Kafka broker, S3Proxy, the machine's PostgreSQL, Keycloak (the OIDC
# provider, realm finetune, on :8180; it runs on a JDK 21+ found in JAVA_HOME or /usr/lib/jvm, or
# KEYCLOAK_JAVA_HOME) and the four services as separate processes.
#   ./devstack.sh demo    start everything, run the demo, print the outcome, stop
#   ./devstack.sh [up]    start everything and keep it running until Ctrl-C
#   ./devstack.sh check   start everything, check every service is ready, stop
#   ./devstack.sh keycloak   start only Keycloak on :8180 (KEYCLOAK_PORT) until Ctrl-C
#   ./devstack.sh redrive <dead-letter topic> [bootstrap servers]
#                         copy a dead-letter topic's records back to their source topics (docs/operations.md)
# Builds the project first when it has not been built (or with --build).
set -euo pipefail
cd "$(dirname "$0")"

mode="${1:-up}"
if [[ "${2:-}" == "--build" || "$mode" == "--build" ]]; then
  [[ "$mode" == "--build" ]] && mode=up
  rebuild=1
fi

needs_build() {
  [[ -n "${rebuild:-}" ]] && return 0
  [[ -f devstack/target/classpath.txt ]] || return 0
  [[ -d libs/testing/target/keycloak ]] || return 0
  for service in dataset-service training-service evaluation-service registry-service; do
    [[ -f "$service/target/quarkus-app/quarkus-run.jar" ]] || return 0
  done
  return 1
}

if needs_build; then
  echo "building the platform (first run takes a few minutes)..."
  ./mvnw -B -q install -DskipTests
fi

# Keycloak alone, e.g. for `quarkus dev` of one service (its %dev profile trusts this issuer).
if [[ "$mode" == "keycloak" ]]; then
  exec java -cp "devstack/target/classes:$(cat devstack/target/classpath.txt)" \
    dev.finetune.testing.KeycloakMain "${KEYCLOAK_PORT:-8180}" .devstack/keycloak
fi

# PostgreSQL belongs to the machine; start its cluster when it is down and we are allowed to. A re-drive
# only talks to the broker.
if [[ "$mode" != "redrive" ]] && ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; then
    echo "starting PostgreSQL..."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  fi
fi

if [[ "$mode" == "redrive" ]]; then args=("$@"); else args=("$mode"); fi
exec java -Ddevstack.root="$PWD" -Dai.djl.offline=true \
  -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "devstack/target/classes:$(cat devstack/target/classpath.txt)" \
  dev.finetune.devstack.DevStackMain "${args[@]}"
