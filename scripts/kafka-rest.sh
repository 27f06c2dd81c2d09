#!/usr/bin/env bash
# A Confluent-compatible Kafka REST Proxy for tests, in front of the broker of scripts/kafka.sh.
#
# Neither Karapace (not published on PyPI), nor Confluent's kafka-rest (not on Maven Central),
# nor the Strimzi HTTP bridge (not served here) can be installed from the package registries
# this project reaches, so this is a small stand-in: a Python (aiohttp + aiokafka) server,
# written by this script into the state dir, that speaks the produce side of the
# Confluent REST Proxy API against the real broker:
#
#   GET  /topics                                          ["t1","t2"]  (readiness probe)
#   GET  /topics/<topic>                                  {"name","configs","partitions"}
#   POST /topics/<topic>                                  v2 produce; Content-Type
#   POST /topics/<topic>/partitions/<p>                     application/vnd.kafka.{json,binary}.v2+json
#   GET  /v3/clusters, /v3/clusters/<id>, /v3/clusters/<id>/topics
#   POST /v3/clusters/<id>/topics/<topic>/records         v3 produce (BINARY/JSON/STRING, headers)
#
# v2 follows Confluent: json keys/values are stored as compact JSON text (so the key "k1"
# lands as the 4 bytes "k1" *with* the quotes), binary ones are base64-decoded, a null value is
# a tombstone, any record field but key/value/partition (e.g. "headers") is a 422, an unknown
# topic a 404 with error_code 40401. Keyed records are partitioned with murmur2 like the Java
# client (and @platformatic/kafka), so a key always lands on the same partition.
# Not implemented: consumers, admin writes, avro/protobuf/jsonschema (no schema registry).
#
# Usage: scripts/kafka-rest.sh <start|stop|restart|status|logs>
#   start    create the venv (first run only), start the proxy in the background, wait until
#            GET /topics answers 200, print the base URL; exit 0 if it is already running
#   stop     SIGTERM, wait up to KAFKA_REST_STOP_TIMEOUT (20 s), then SIGKILL; exit 0 if not running
#   status   exit 0 if running (prints the URL), 3 if not
#
# Environment (all optional):
#   KAFKA_REST_PORT           HTTP port                        (default 8082)
#   KAFKA_REST_HOST           HTTP listen host                 (default 127.0.0.1)
#   KAFKA_HOST, KAFKA_PORT    the broker                       (default 127.0.0.1:9092)
#   KAFKA_REST_VENV           Python venv                      (default ~/.cache/saas-kafka/kafka-rest-venv)
#   KAFKA_STATE_DIR           pid/log/server dir               (default <repo>/.kafka)
#   KAFKA_REST_PYTHON         interpreter for the venv         (default python3; 3.9+)
#   KAFKA_REST_START_TIMEOUT  seconds to wait for readiness    (default 60)
#   KAFKA_REST_STOP_TIMEOUT   seconds to wait after SIGTERM    (default 20)
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"

# Pinned: the newest releases on PyPI that were tried with Python 3.11 and Kafka 4.3.1.
AIOKAFKA_VERSION="0.14.0"
AIOHTTP_VERSION="3.14.5"
PINS="aiokafka==$AIOKAFKA_VERSION aiohttp==$AIOHTTP_VERSION"

VENV="${KAFKA_REST_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/saas-kafka/kafka-rest-venv}"
STATE_DIR="${KAFKA_STATE_DIR:-$REPO_ROOT/.kafka}"
PID_FILE="$STATE_DIR/kafka-rest.pid"
LOG_FILE="$STATE_DIR/kafka-rest.log"
LOCK_FILE="$STATE_DIR/.rest-lock"
SERVER_PY="$STATE_DIR/kafka-rest-proxy.py"

REST_HOST="${KAFKA_REST_HOST:-127.0.0.1}"
REST_PORT="${KAFKA_REST_PORT:-8082}"
KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
BOOTSTRAP="$KAFKA_HOST:$KAFKA_PORT"
BASE_URL="http://$REST_HOST:$REST_PORT"
START_TIMEOUT="${KAFKA_REST_START_TIMEOUT:-60}"
STOP_TIMEOUT="${KAFKA_REST_STOP_TIMEOUT:-20}"
PYTHON="${KAFKA_REST_PYTHON:-python3}"

log() { printf '[kafka-rest] %s\n' "$*" >&2; }
die() { printf '[kafka-rest] error: %s\n' "$*" >&2; exit 1; }

port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

with_lock() {
  mkdir -p "$STATE_DIR"
  [[ -f "$STATE_DIR/.gitignore" ]] || printf '*\n' >"$STATE_DIR/.gitignore"
  exec 9>"$LOCK_FILE"
  flock -w 120 9 || die "another scripts/kafka-rest.sh start/stop holds $LOCK_FILE"
}

# ---------------------------------------------------------------------------
# venv

ensure_venv() {
  local marker="$VENV/.saas-kafka-rest"
  if [[ -x "$VENV/bin/python" && -f "$marker" && "$(cat "$marker")" == "$PINS" ]]; then
    return 0
  fi
  command -v "$PYTHON" >/dev/null 2>&1 || die "'$PYTHON' not found (Python 3.9+ is needed)"
  "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' \
    || die "$PYTHON is older than 3.9"
  log "creating $VENV with $PINS (first run only)"
  rm -rf "$VENV"
  mkdir -p "$(dirname -- "$VENV")"
  "$PYTHON" -m venv "$VENV" || die "python -m venv failed (on Debian: apt-get install python3-venv)"
  # shellcheck disable=SC2086 # PINS is a list of requirements
  if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check $PINS >"$VENV/pip.log" 2>&1; then
    tail -n 30 "$VENV/pip.log" >&2 || true
    die "pip install $PINS failed"
  fi
  printf '%s' "$PINS" >"$marker"
}

# ---------------------------------------------------------------------------
# the server

write_server() {
  cat >"$SERVER_PY" <<'PYEOF'
"""Confluent-compatible Kafka REST Proxy stand-in for tests (generated by scripts/kafka-rest.sh)."""
import asyncio
import base64
import binascii
import datetime
import json
import logging
import os
import re

from aiohttp import web
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

BOOTSTRAP = os.environ["KAFKA_REST_BOOTSTRAP"]
HOST = os.environ.get("KAFKA_REST_HOST", "127.0.0.1")
PORT = int(os.environ.get("KAFKA_REST_PORT", "8082"))
SEND_TIMEOUT = float(os.environ.get("KAFKA_REST_SEND_TIMEOUT", "30"))

V2_JSON = "application/vnd.kafka.v2+json"
V3_JSON = "application/json"
V2_CONTENT_TYPE = re.compile(
    r"^application/(?:vnd\.kafka(?:\.(?P<fmt>[a-z]+))?(?:\.(?P<ver>v\d+))?\+json|json|octet-stream)$"
)
V2_TOP_FIELDS = {"records", "key_schema", "key_schema_id", "value_schema", "value_schema_id"}
V2_RECORD_FIELDS = {"key", "value", "partition"}
V3_RECORD_FIELDS = {"partition_id", "headers", "key", "value", "timestamp"}
V3_DATA_FIELDS = {"type", "data"}

log = logging.getLogger("kafka-rest")


class ApiError(Exception):
    def __init__(self, status, error_code, message, content_type=V2_JSON):
        super().__init__(message)
        self.status, self.error_code, self.message, self.content_type = status, error_code, message, content_type


def reply(body, status=200, content_type=V2_JSON):
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    return web.Response(text=text, status=status, content_type=content_type)


def compact_json(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class Proxy:
    def __init__(self):
        self.producer = None
        self.admin = None
        self.cluster_id = None

    async def start(self, _app):
        self.producer = AIOKafkaProducer(
            bootstrap_servers=BOOTSTRAP, client_id="saas-kafka-rest", acks="all",
            linger_ms=0, request_timeout_ms=15000,
        )
        await self.producer.start()
        self.admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP, client_id="saas-kafka-rest-admin")
        await self.admin.start()
        self.cluster_id = (await self.admin.describe_cluster())["cluster_id"]
        log.info("connected to %s (cluster %s)", BOOTSTRAP, self.cluster_id)

    async def stop(self, _app):
        for client in (self.producer, self.admin):
            if client is not None:
                try:
                    await (client.stop() if client is self.producer else client.close())
                except Exception:  # noqa: BLE001 - best effort on shutdown
                    log.exception("close failed")

    async def metadata(self):
        return await self.producer.client.fetch_all_metadata()

    async def partitions(self, topic, not_found):
        """Partition ids of an existing topic, or raises not_found."""
        parts = self.producer.client.cluster.partitions_for_topic(topic)
        if not parts:
            parts = (await self.metadata()).partitions_for_topic(topic)
        if not parts:
            raise not_found
        return parts

    async def send_all(self, topic, records):
        """records: [(key, value, partition, headers, timestamp_ms)] -> [RecordMetadata | Exception]."""
        futures = []
        for key, value, partition, headers, timestamp_ms in records:
            try:
                futures.append(await self.producer.send(
                    topic, value=value, key=key, partition=partition, headers=headers or None,
                    timestamp_ms=timestamp_ms))
            except Exception as exc:  # noqa: BLE001 - reported per record
                fut = asyncio.get_running_loop().create_future()
                fut.set_exception(exc)
                futures.append(fut)
        return await asyncio.wait_for(asyncio.gather(*futures, return_exceptions=True), SEND_TIMEOUT)

    # ---- v2 -------------------------------------------------------------------------

    async def list_topics(self, _request):
        return reply(sorted(t for t in (await self.metadata()).topics() if not t.startswith("__")))

    async def topic_info(self, request):
        topic = request.match_info["topic"]
        parts = await self.partitions(topic, ApiError(404, 40401, "Topic not found."))
        cluster = self.producer.client.cluster
        out = []
        for p in sorted(parts):
            leader = cluster.leader_for_partition(_tp(topic, p))
            out.append({"partition": p, "leader": leader,
                        "replicas": [{"broker": leader, "leader": True, "in_sync": True}]})
        return reply({"name": topic, "configs": {}, "partitions": out})

    async def produce_v2(self, request):
        topic = request.match_info["topic"]
        path_partition = request.match_info.get("partition")
        fmt = v2_format(request.headers.get("Content-Type"))
        data = await parse_json_body(request, V2_JSON)
        if not isinstance(data, dict):
            raise ApiError(422, 422, "Request body must be a JSON object")
        for field in data:
            if field not in V2_TOP_FIELDS:
                raise ApiError(422, 422, f"Unrecognized field: {field}")
        records = data.get("records")
        if not isinstance(records, list) or not records:
            raise ApiError(422, 422, "records may not be empty")
        parts = await self.partitions(topic, ApiError(404, 40401, "Topic not found."))
        if path_partition is not None:
            if not path_partition.isdigit() or int(path_partition) not in parts:
                raise ApiError(404, 40402, "Partition not found.")
        prepared = []
        for record in records:
            if not isinstance(record, dict):
                raise ApiError(422, 422, "Each record must be a JSON object")
            for field in record:
                if field not in V2_RECORD_FIELDS:
                    raise ApiError(422, 422, f"Unrecognized field: {field}")
            partition = record.get("partition")
            if path_partition is not None:
                partition = int(path_partition)
            elif partition is not None:
                if not isinstance(partition, int) or isinstance(partition, bool) or partition not in parts:
                    raise ApiError(404, 40402, "Partition not found.")
            prepared.append((v2_encode(record.get("key"), fmt), v2_encode(record.get("value"), fmt),
                             partition, None, None))
        offsets = []
        for result in await self.send_all(topic, prepared):
            if isinstance(result, Exception):
                retriable = isinstance(result, KafkaError) and getattr(result, "retriable", False)
                offsets.append({"partition": None, "offset": None, "error_code": 2 if retriable else 1,
                                "error": str(result) or type(result).__name__})
            else:
                offsets.append({"partition": result.partition, "offset": result.offset,
                                "error_code": None, "error": None})
        return reply({"offsets": offsets, "key_schema_id": None, "value_schema_id": None})

    # ---- v3 -------------------------------------------------------------------------

    def cluster_body(self, request):
        base = f"{request.scheme}://{request.host}/v3/clusters/{self.cluster_id}"
        return {
            "kind": "KafkaCluster",
            "metadata": {"self": base, "resource_name": f"crn:///kafka={self.cluster_id}"},
            "cluster_id": self.cluster_id,
            "controller": {"related": f"{base}/brokers/1"},
            "brokers": {"related": f"{base}/brokers"},
            "topics": {"related": f"{base}/topics"},
        }

    def check_cluster(self, request):
        cid = request.match_info["cluster_id"]
        if cid != self.cluster_id:
            raise ApiError(404, 404, f"Cluster {cid} cannot be found.", V3_JSON)

    async def v3_clusters(self, request):
        return reply({"kind": "KafkaClusterList",
                      "metadata": {"self": f"{request.scheme}://{request.host}/v3/clusters", "next": None},
                      "data": [self.cluster_body(request)]}, content_type=V3_JSON)

    async def v3_cluster(self, request):
        self.check_cluster(request)
        return reply(self.cluster_body(request), content_type=V3_JSON)

    async def v3_topics(self, request):
        self.check_cluster(request)
        md = await self.metadata()
        base = f"{request.scheme}://{request.host}/v3/clusters/{self.cluster_id}/topics"
        data = [{"kind": "KafkaTopic", "metadata": {"self": f"{base}/{t}"}, "cluster_id": self.cluster_id,
                 "topic_name": t, "is_internal": False, "partitions_count": len(md.partitions_for_topic(t) or ())}
                for t in sorted(md.topics()) if not t.startswith("__")]
        return reply({"kind": "KafkaTopicList", "metadata": {"self": base, "next": None}, "data": data},
                     content_type=V3_JSON)

    async def produce_v3(self, request):
        self.check_cluster(request)
        topic = request.match_info["topic"]
        ctype = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise ApiError(415, 415, "HTTP 415 Unsupported Media Type", V3_JSON)
        raw = await request.text()
        try:
            bodies = concatenated_json(raw)
        except ValueError as exc:
            raise ApiError(400, 400, f"Invalid JSON: {exc}", V3_JSON) from None
        if not bodies:
            raise ApiError(400, 400, "Payload error. Request body is empty. Data is required.", V3_JSON)
        parts = await self.partitions(
            topic, ApiError(404, 404, "This server does not host this topic-partition.", V3_JSON))
        results = []
        for body in bodies:  # records go one at a time, in order, like the streaming API
            try:
                key_info, value_info, record = v3_prepare(body, parts)
                (res,) = await self.send_all(topic, [record])
                if isinstance(res, Exception):
                    results.append({"error_code": 500, "message": str(res) or type(res).__name__})
                    continue
                out = {"error_code": 200, "cluster_id": self.cluster_id, "topic_name": topic,
                       "partition_id": res.partition, "offset": res.offset,
                       "timestamp": iso_millis(res.timestamp)}
                if key_info:
                    out["key"] = key_info
                if value_info:
                    out["value"] = value_info
                results.append(out)
            except ApiError as err:
                results.append({"error_code": err.error_code, "message": err.message})
        if len(results) == 1:
            status = results[0]["error_code"]
            return reply(results[0], status=status, content_type=V3_JSON)
        text = "\n".join(json.dumps(r, separators=(",", ":")) for r in results) + "\n"
        return web.Response(text=text, status=200, content_type=V3_JSON)


def _tp(topic, partition):
    from aiokafka.structs import TopicPartition
    return TopicPartition(topic, partition)


def iso_millis(ms):
    if ms is None or ms < 0:
        return None
    dt = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def v2_format(content_type):
    ctype = (content_type or "").split(";")[0].strip().lower()
    m = V2_CONTENT_TYPE.match(ctype)
    if not m or (m.group("ver") not in (None, "v2")):
        raise ApiError(415, 415, "HTTP 415 Unsupported Media Type")
    fmt = m.group("fmt") or "binary"
    if fmt not in ("json", "binary"):
        raise ApiError(415, 415, f"Embedded format {fmt} is not supported by this proxy (no schema registry)")
    return fmt


def v2_encode(obj, fmt):
    if obj is None:
        return None
    if fmt == "json":
        return compact_json(obj)
    if not isinstance(obj, str):
        raise ApiError(422, 42205, "Binary data must be a base64 string")
    try:
        return base64.b64decode(obj, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, 42205, "Invalid base64 data") from None


async def parse_json_body(request, content_type):
    raw = await request.text()
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, 400, f"Invalid JSON: {exc}", content_type) from None


def concatenated_json(raw):
    decoder, pos, out = json.JSONDecoder(), 0, []
    while True:
        while pos < len(raw) and raw[pos].isspace():
            pos += 1
        if pos >= len(raw):
            return out
        obj, pos = decoder.raw_decode(raw, pos)
        out.append(obj)


def v3_data(field, spec):
    """-> (bytes | None, info | None) for a v3 key/value object."""
    if spec is None:
        return None, None
    if not isinstance(spec, dict):
        raise ApiError(400, 400, f"{field} must be an object with type and data")
    for name in spec:
        if name not in V3_DATA_FIELDS:
            raise ApiError(400, 400, f"Unrecognized field \"{name}\" in {field} (schema registry formats are not supported)")
    kind = spec.get("type")
    data = spec.get("data")
    if kind not in ("BINARY", "JSON", "STRING"):
        raise ApiError(400, 400, f"{field}.type must be BINARY, JSON or STRING")
    if data is None and kind != "JSON":
        return None, None
    if kind == "BINARY":
        if not isinstance(data, str):
            raise ApiError(422, 422, f"{field}.data must be a base64 string")
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(422, 422, f"{field}.data is not valid base64") from None
    elif kind == "STRING":
        if not isinstance(data, str):
            raise ApiError(422, 422, f"{field}.data must be a string")
        raw = data.encode("utf-8")
    else:
        raw = compact_json(data)
    return raw, {"type": kind, "size": len(raw)}


def v3_prepare(body, parts):
    if not isinstance(body, dict):
        raise ApiError(400, 400, "Each record must be a JSON object")
    for name in body:
        if name not in V3_RECORD_FIELDS:
            raise ApiError(400, 400, f"Unrecognized field \"{name}\"")
    partition = body.get("partition_id")
    if partition is not None and (not isinstance(partition, int) or isinstance(partition, bool) or partition not in parts):
        raise ApiError(404, 404, "This server does not host this topic-partition.")
    headers = []
    for header in body.get("headers") or []:
        if not isinstance(header, dict) or not isinstance(header.get("name"), str):
            raise ApiError(400, 400, "headers must be objects with a string name and a base64 value")
        value = header.get("value")
        if value is not None:
            if not isinstance(value, str):
                raise ApiError(422, 422, f"header {header['name']}: value must be a base64 string")
            try:
                value = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise ApiError(422, 422, f"header {header['name']}: value is not valid base64") from None
        headers.append((header["name"], value))
    timestamp_ms = None
    if body.get("timestamp") is not None:
        try:
            ts = datetime.datetime.fromisoformat(str(body["timestamp"]).replace("Z", "+00:00"))
            if ts.tzinfo is None:
                ts = ts.replace(tzinfo=datetime.timezone.utc)
            timestamp_ms = int(ts.timestamp() * 1000)
        except ValueError:
            raise ApiError(400, 400, "timestamp must be an ISO-8601 date-time") from None
    key, key_info = v3_data("key", body.get("key"))
    value, value_info = v3_data("value", body.get("value"))
    return key_info, value_info, (key, value, partition, headers, timestamp_ms)


@web.middleware
async def errors(request, handler):
    v3 = request.path.startswith("/v3")
    try:
        return await handler(request)
    except ApiError as err:
        return reply({"error_code": err.error_code, "message": err.message},
                     status=err.status, content_type=err.content_type)
    except web.HTTPException as exc:
        return reply({"error_code": exc.status, "message": f"HTTP {exc.status} {exc.reason}"},
                     status=exc.status, content_type=V3_JSON if v3 else V2_JSON)
    except asyncio.TimeoutError:
        return reply({"error_code": 50003, "message": "Timed out producing to Kafka"}, status=500)
    except Exception as exc:  # noqa: BLE001
        log.exception("internal error")
        return reply({"error_code": 500, "message": f"Internal Server Error: {exc}"}, status=500)


def main():
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] %(levelname)s %(name)s: %(message)s")
    proxy = Proxy()
    app = web.Application(middlewares=[errors], client_max_size=16 * 1024 * 1024)
    app.on_startup.append(proxy.start)
    app.on_cleanup.append(proxy.stop)
    async def root(_request):
        return reply({})

    app.router.add_get("/", root)
    app.router.add_get("/topics", proxy.list_topics)
    app.router.add_get("/topics/{topic}", proxy.topic_info)
    app.router.add_post("/topics/{topic}", proxy.produce_v2)
    app.router.add_post("/topics/{topic}/partitions/{partition}", proxy.produce_v2)
    app.router.add_get("/v3/clusters", proxy.v3_clusters)
    app.router.add_get("/v3/clusters/{cluster_id}", proxy.v3_cluster)
    app.router.add_get("/v3/clusters/{cluster_id}/topics", proxy.v3_topics)
    app.router.add_post("/v3/clusters/{cluster_id}/topics/{topic}/records", proxy.produce_v3)
    web.run_app(app, host=HOST, port=PORT, print=None, shutdown_timeout=5)


if __name__ == "__main__":
    main()
PYEOF
}

# ---------------------------------------------------------------------------
# process helpers

read_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$PID_FILE" || true)"
  [[ -n "$pid" ]] || return 1
  printf '%s' "$pid"
}

# Alive and running our server file.
pid_is_proxy() {
  local pid="$1"
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    local cmd
    cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    [[ "$cmd" == *"$SERVER_PY"* ]] || return 1
  fi
  return 0
}

running_pid() {
  local pid
  pid="$(read_pid)" || return 1
  pid_is_proxy "$pid" || return 1
  printf '%s' "$pid"
}

http_status() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" 2>/dev/null || true
}

stop_pid() {
  local pid="$1" deadline=$((SECONDS + STOP_TIMEOUT))
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "still running after ${STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
}

# ---------------------------------------------------------------------------
# commands

cmd_start() {
  with_lock
  local pid
  if pid="$(running_pid)"; then
    log "already running (pid $pid) on $BASE_URL"
    echo "$BASE_URL"
    return 0
  fi
  rm -f "$PID_FILE"
  command -v curl >/dev/null 2>&1 || die "curl not found"
  port_open "$KAFKA_HOST" "$KAFKA_PORT" \
    || die "no Kafka broker on $BOOTSTRAP; start it first: scripts/kafka.sh start"
  port_open "$REST_HOST" "$REST_PORT" \
    && die "$REST_HOST:$REST_PORT is already in use by another process (set KAFKA_REST_PORT)"

  local t0=$SECONDS
  ensure_venv
  write_server
  [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
  log "starting the REST proxy on $BASE_URL (broker $BOOTSTRAP)"
  # setsid: own session, so it outlives this shell; the inner bash writes its pid (== python's
  # after exec); fd 9 (the lock) is not inherited.
  # shellcheck disable=SC2016
  KAFKA_REST_BOOTSTRAP="$BOOTSTRAP" KAFKA_REST_HOST="$REST_HOST" KAFKA_REST_PORT="$REST_PORT" \
    PYTHONUNBUFFERED=1 \
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PID_FILE" \
    "$VENV/bin/python" "$SERVER_PY" </dev/null >"$LOG_FILE" 2>&1 9>&- &
  local tries=0
  while [[ ! -s "$PID_FILE" ]] && ((tries++ < 50)); do
    sleep 0.1
  done
  pid="$(read_pid)" || die "the proxy did not write $PID_FILE; see $LOG_FILE"

  local deadline=$((SECONDS + START_TIMEOUT)) code=""
  while :; do
    code="$(http_status "$BASE_URL/topics")"
    [[ "$code" == "200" ]] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      log "the proxy exited during startup; last lines of $LOG_FILE:"
      tail -n 30 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      log "timed out after ${START_TIMEOUT}s waiting for GET $BASE_URL/topics (last status: ${code:-none})"
      tail -n 30 "$LOG_FILE" >&2 || true
      stop_pid "$pid"
      rm -f "$PID_FILE"
      exit 1
    fi
    sleep 0.3
  done
  log "ready in $((SECONDS - t0))s (pid $pid, log $LOG_FILE)"
  echo "$BASE_URL"
}

cmd_stop() {
  with_lock
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  log "stopping (pid $pid)"
  stop_pid "$pid"
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    echo "running: pid $pid, $BASE_URL, broker $BOOTSTRAP, log $LOG_FILE"
    return 0
  fi
  echo "not running"
  return 3
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

main() {
  local cmd="${1:-}"
  case "$cmd" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    restart) cmd_stop; cmd_start ;;
    status) cmd_status ;;
    logs) exec tail -n 100 -F "$LOG_FILE" ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
