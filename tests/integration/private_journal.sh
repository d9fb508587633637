#!/usr/bin/env bash
# A private systemd-journald for tests, in a mount namespace of its own, so that nothing the
# test logs reaches (or needs) the machine's journal and no file outside the test's directory
# is written. Used by journald_test.cc; run as root (unshare -m needs CAP_SYS_ADMIN).
#
#   private_journal.sh run DIR -- COMMAND...
#       In a new mount namespace: a tmpfs over /run (and over /var/log/journal, if there),
#       DIR/run/log/journal bound over /run/log/journal, DIR/journald.conf (if present) over
#       /etc/systemd/journald.conf; starts /lib/systemd/systemd-journald, waits (at most 5 s)
#       for its socket /run/systemd/journal/socket, then runs COMMAND in the namespace, whose
#       sd_journal_send() and journal stream go to that journald. Journal files end up in
#       DIR/run/log/journal/MACHINE-ID/, readable from outside with journalctl -D; COMMAND's
#       pid is written to DIR/command.pid (for signals meant for it, e.g. SIGHUP). SIGTERM to
#       this script is passed on to COMMAND; when COMMAND has ended, journald is stopped and
#       waited for (at most 5 s).
#
#   private_journal.sh catalog DIR -- journalctl ARGS...
#       Runs journalctl with DIR/var/lib/systemd/catalog (built by
#       `journalctl --root DIR --update-catalog` from DIR/usr/lib/systemd/catalog/) bound over
#       /var/lib/systemd/catalog, so `journalctl -x` explains events with the catalog under
#       test rather than the installed one. (journalctl --root reads the root's journal files
#       but looks up -x explanations in the machine's catalog database.)
set -euo pipefail

die() {
  echo "private_journal: $*" >&2
  exit 2
}

[ $# -ge 4 ] && [ "$3" = "--" ] || die "usage: private_journal.sh run|catalog DIR -- COMMAND..."
mode=$1
dir=$(realpath "$2")
shift 3

if [ -z "${PRIVATE_JOURNAL_INSIDE:-}" ]; then
  export PRIVATE_JOURNAL_INSIDE=1
  exec unshare --mount --propagation private "$0" "$mode" "$dir" -- "$@"
fi

if [ "$mode" = catalog ]; then
  [ -f "$dir/var/lib/systemd/catalog/database" ] || die "no catalog database in $dir"
  [ -d /var/lib/systemd/catalog ] || mount -t tmpfs tmpfs /var/lib/systemd
  mkdir -p /var/lib/systemd/catalog
  mount --bind "$dir/var/lib/systemd/catalog" /var/lib/systemd/catalog
  exec "$@"
fi
[ "$mode" = run ] || die "unknown mode $mode"

mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/systemd/journal /run/log/journal "$dir/run/log/journal"
mount --bind "$dir/run/log/journal" /run/log/journal
if [ -d /var/log/journal ]; then mount -t tmpfs tmpfs /var/log/journal; fi
if [ -f "$dir/journald.conf" ] && [ -f /etc/systemd/journald.conf ]; then
  mount --bind "$dir/journald.conf" /etc/systemd/journald.conf
fi

/lib/systemd/systemd-journald >"$dir/journald.log" 2>&1 &
journald=$!
stop_journald() {
  kill -TERM "$journald" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 "$journald" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$journald" 2>/dev/null || true
}
child=
stop_child() {
  if [ -n "$child" ]; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" || true
  fi
  exit 143
}
trap stop_journald EXIT
trap stop_child TERM INT

for _ in $(seq 50); do
  [ -S /run/systemd/journal/socket ] && break
  kill -0 "$journald" 2>/dev/null || die "systemd-journald exited: $(cat "$dir/journald.log")"
  sleep 0.1
done
[ -S /run/systemd/journal/socket ] || die "no /run/systemd/journal/socket after 5 s"

# Not exec: this shell outlives COMMAND to stop journald after it. SIGTERM to this shell is
# passed on to COMMAND, which logs its last events before journald is stopped.
"$@" &
child=$!
echo "$child" >"$dir/command.pid"
wait "$child"
