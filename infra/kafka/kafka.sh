#!/usr/bin/env bash
# The local Apache Kafka broker: one node in KRaft mode (broker and controller in one JVM), from the
# official Maven Central jars, with its state under .local/kafka (git-ignored).
#
#   bash infra/kafka/kafka.sh start     fetch jars if needed, format storage once, start, wait until it answers
#   bash infra/kafka/kafka.sh stop      clean shutdown (SIGTERM, then SIGKILL after 60 s)
#   bash infra/kafka/kafka.sh status    exit 0 when the broker runs and answers metadata requests
#   bash infra/kafka/kafka.sh restart
#
# Environment:
#   KAFKA_PORT (9092)              client listener, 127.0.0.1 only
#   KAFKA_CONTROLLER_PORT (9093)   KRaft controller listener
#   KAFKA_HEAP (-Xms256m -Xmx1g)   broker heap flags
#   KAFKA_OPTS                     extra JVM flags for the broker
#   KAFKA_START_TIMEOUT (90)       seconds to wait for the broker to answer
#   SWITCHBOARD_LOCAL_DIR          where local state lives (default: <repo>/.local)
# Needs Java 17+ and Maven (only the first time, or when pom.xml changes).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
LOCAL_DIR="${SWITCHBOARD_LOCAL_DIR:-$ROOT/.local}"
KAFKA_DIR="$LOCAL_DIR/kafka"
LIBS="$KAFKA_DIR/libs"
DATA="$KAFKA_DIR/data"
LOGS="$KAFKA_DIR/logs"
PID_FILE="$KAFKA_DIR/kafka.pid"
SERVER_PROPS="$KAFKA_DIR/server.properties"
PROBE_PROPS="$KAFKA_DIR/probe.properties"
POM="$HERE/pom.xml"

HOST=127.0.0.1
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
HEAP="${KAFKA_HEAP:--Xms256m -Xmx1g}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT=60

say() { printf 'kafka: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# The pid of the broker this script started, when that process is still alive.
broker_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid: the process must be our kafka.Kafka.
  if [ -r "/proc/$pid/cmdline" ] && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'kafka\.Kafka'; then
    return 1
  fi
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

sha256() { if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1; }

# Runs a command with a time limit where coreutils' timeout exists (it does on Linux).
with_timeout() {
  local secs="$1"; shift
  if command -v timeout >/dev/null 2>&1; then timeout "$secs" "$@"; else "$@"; fi
}

# A real metadata round trip (list topics), not just an open port. Short-lived client JVM tuned
# for startup time.
answers() {
  [ -d "$LIBS" ] && port_open "$PORT" || return 1
  printf 'request.timeout.ms=3000\ndefault.api.timeout.ms=5000\n' >"$PROBE_PROPS"
  with_timeout 30 java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xmx128m \
    -Dlog4j2.configurationFile="$HERE/tools-log4j2.properties" \
    -cp "$LIBS/*" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$HOST:$PORT" --command-config "$PROBE_PROPS" --list \
    >/dev/null 2>>"$LOGS/probe.log"
}

check_java() {
  command -v java >/dev/null 2>&1 || die "java not found; Kafka 4 needs Java 17 or newer"
  local major
  major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p')"
  [ "${major:-0}" -ge 17 ] || die "Java ${major:-?} found; Kafka 4 needs Java 17 or newer"
}

# Jars from Maven Central into .local/kafka/libs, once per version of pom.xml.
fetch_jars() {
  local sum marker="$LIBS/.complete"
  sum="$(sha256 "$POM")"
  if [ -f "$marker" ] && [ "$(cat "$marker")" = "$sum" ]; then return 0; fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found; Maven is needed once to fetch the Kafka jars"
  say "fetching Kafka jars from Maven Central into $LIBS"
  rm -rf "$LIBS.tmp"
  if ! mvn -q -B -f "$POM" dependency:copy-dependencies -DoutputDirectory="$LIBS.tmp" >"$LOGS/mvn.log" 2>&1; then
    tail -n 30 "$LOGS/mvn.log" >&2
    die "mvn dependency:copy-dependencies failed (see $LOGS/mvn.log)"
  fi
  compgen -G "$LIBS.tmp/kafka_2.13-*.jar" >/dev/null || die "the Kafka jar is missing after the fetch"
  echo "$sum" >"$LIBS.tmp/.complete"
  rm -rf "$LIBS"
  mv "$LIBS.tmp" "$LIBS"
}

write_config() {
  cat >"$SERVER_PROPS" <<EOF
# Written by infra/kafka/kafka.sh on every start; edit the script, not this file.
# Single-node KRaft: this process is both broker and controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$DATA

# One node: internal topics get one replica.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Topics are created explicitly from the topic catalog, never by a stray producer or consumer.
auto.create.topics.enable=false
num.partitions=3
default.replication.factor=1
# Consumer groups start at once instead of waiting for more members.
group.initial.rebalance.delay.ms=0
# Room for 8 MiB webhook payloads plus headers and batch overhead.
message.max.bytes=10485760
EOF
}

# Storage is formatted once; a formatted data dir keeps its cluster id across restarts.
format_storage() {
  if [ -f "$DATA/meta.properties" ]; then return 0; fi
  local cluster_id
  cluster_id="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  say "formatting storage in $DATA (cluster id $cluster_id)"
  mkdir -p "$DATA"
  java -Dlog4j2.configurationFile="$HERE/tools-log4j2.properties" -cp "$LIBS/*" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$SERVER_PROPS" >>"$LOGS/format.log" 2>&1 \
    || { tail -n 20 "$LOGS/format.log" >&2; die "storage format failed (see $LOGS/format.log)"; }
}

launch() {
  : >"$LOGS/server.out"
  local -a jvm
  # shellcheck disable=SC2206 # KAFKA_HEAP and KAFKA_OPTS are lists of flags
  jvm=(java $HEAP -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true ${KAFKA_OPTS:-}
    -Dkafka.logs.dir="$LOGS" -Dlog4j2.configurationFile="$HERE/log4j2.properties"
    -cp "$LIBS/*" kafka.Kafka "$SERVER_PROPS")
  # Detached in its own session, so it outlives this script and the terminal; the launcher writes
  # its own pid and then becomes the JVM. fd 9 (the start lock) is not passed on.
  local detach=()
  if command -v setsid >/dev/null 2>&1; then detach=(setsid); fi
  rm -f "$PID_FILE"
  # shellcheck disable=SC2016 # expanded by the inner shell
  nohup "${detach[@]}" bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PID_FILE" "${jvm[@]}" \
    </dev/null >>"$LOGS/server.out" 2>&1 9>&- &
  local _
  for _ in $(seq 1 50); do [ -s "$PID_FILE" ] && break; sleep 0.1; done
  [ -s "$PID_FILE" ] || die "the broker process did not start (see $LOGS/server.out)"
}

show_logs() {
  say "last lines of $LOGS/server.log:"
  tail -n 30 "$LOGS/server.log" >&2 2>/dev/null || true
  if [ -s "$LOGS/server.out" ]; then
    say "last lines of $LOGS/server.out:"
    tail -n 15 "$LOGS/server.out" >&2
  fi
}

wait_ready() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      show_logs
      die "the broker exited during startup"
    fi
    if port_open "$PORT" && answers; then return 0; fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      show_logs
      say "not answering on $HOST:$PORT after ${START_TIMEOUT} s; stopping it"
      stop >/dev/null 2>&1 || true
      exit 1
    fi
    sleep 0.5
  done
}

start() {
  mkdir -p "$KAFKA_DIR" "$LOGS"
  # One start at a time (parallel test runners may all call start).
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$KAFKA_DIR/start.lock"
    flock 9
  fi
  local pid
  if pid="$(broker_pid)"; then
    if answers; then say "already running on $HOST:$PORT (pid $pid)"; return 0; fi
    say "broker process $pid is up but not answering yet; waiting"
    wait_ready "$pid"
    say "ready on $HOST:$PORT"
    return 0
  fi
  rm -f "$PID_FILE"
  if port_open "$PORT"; then
    die "$HOST:$PORT is taken by a process this script did not start; stop it, set KAFKA_PORT, or point KAFKA_BROKERS at it"
  fi
  if port_open "$CONTROLLER_PORT"; then
    die "controller port $HOST:$CONTROLLER_PORT is taken; set KAFKA_CONTROLLER_PORT"
  fi
  check_java
  fetch_jars
  write_config
  format_storage
  local t0=$SECONDS
  launch
  pid="$(cat "$PID_FILE")"
  wait_ready "$pid"
  say "ready on $HOST:$PORT (pid $pid, $((SECONDS - t0)) s; logs: $LOGS/server.log)"
}

stop() {
  local pid
  if ! pid="$(broker_pid)"; then
    rm -f "$PID_FILE"
    say "not running"
    return 0
  fi
  say "stopping (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "still running after ${STOP_TIMEOUT} s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
  say "stopped"
}

status() {
  local pid
  if pid="$(broker_pid)"; then
    if answers; then say "running on $HOST:$PORT (pid $pid)"; return 0; fi
    say "process $pid is up but not answering on $HOST:$PORT"
    return 1
  fi
  say "not running"
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  restart) stop && start ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
