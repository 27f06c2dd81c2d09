# Shared by scripts/kafka.sh and scripts/kafka-rest.sh: a background process with a PID
# file, a lock against concurrent start/stop, and a stop that escalates to SIGKILL.
# The sourcing script sets NAME, STATE_DIR, LOCK_FILE, PID_FILE and STOP_TIMEOUT, and
# defines pid_is_ours <pid> (alive and really our process, not a reused pid).

log() { printf '[%s] %s\n' "$NAME" "$*" >&2; }
die() { printf '[%s] error: %s\n' "$NAME" "$*" >&2; exit 1; }

port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# Serialises start/stop of one state dir; the state dir is kept out of git.
with_lock() {
  mkdir -p "$STATE_DIR"
  [[ -f "$STATE_DIR/.gitignore" ]] || printf '*\n' >"$STATE_DIR/.gitignore"
  exec 9>"$LOCK_FILE"
  flock -w 120 9 || die "another scripts/$NAME.sh start/stop holds $LOCK_FILE"
}

read_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$PID_FILE" || true)"
  [[ -n "$pid" ]] || return 1
  printf '%s' "$pid"
}

# The pid in the PID file when that process is still ours.
running_pid() {
  local pid
  pid="$(read_pid)" || return 1
  pid_is_ours "$pid" || return 1
  printf '%s' "$pid"
}

# True when /proc says pid's command line contains every one of the given words.
cmdline_has() {
  local pid="$1"; shift
  kill -0 "$pid" 2>/dev/null || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 0
  local cmd word
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  for word in "$@"; do [[ "$cmd" == *"$word"* ]] || return 1; done
  return 0
}

# SIGTERM, wait up to STOP_TIMEOUT seconds, then SIGKILL.
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

cmd_stop() {
  with_lock
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  log "stopping (pid $pid)"
  local t0=$SECONDS
  stop_pid "$pid"
  rm -f "$PID_FILE"
  log "stopped in $((SECONDS - t0))s"
}
