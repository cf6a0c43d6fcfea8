#!/usr/bin/env bash
# Starts FreeRADIUS (Debian package freeradius) as a Dynamic Authorization listener on
# 127.0.0.1:PORT, standing in for a BRAS: it ACKs Disconnect/CoA for the sessions given as
# "USER:ACCT-SESSION-ID" arguments and NAKs others with Error-Cause 503.
#
#   lab/radius-dac.sh start PORT RUNDIR SECRET [USER:SESSION ...]
#   lab/radius-dac.sh stop RUNDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

case "${1:-}" in
start)
    port=${2:?port}; run=${3:?run directory}; secret=${4:?secret}; shift 4
    mkdir -p "$run"
    run=$(cd "$run" && pwd)
    known="false"
    for pair in "$@"; do
        user=${pair%%:*}; session=${pair#*:}
        known="$known || (\&User-Name == \"$user\" \&\& \&Acct-Session-Id == \"$session\")"
    done
    sed -e "s#@RUN@#$run#g" -e "s#@PORT@#$port#g" -e "s#@SECRET@#$secret#g" \
        -e "s#@KNOWN@#$known#g" "$here/radius-dac/radiusd.conf.in" >"$run/radiusd.conf"
    echo '$INCLUDE /usr/share/freeradius/dictionary' >"$run/dictionary"
    freeradius -f -d "$run" -n radiusd >"$run/stdout.log" 2>&1 &
    echo $! >"$run/freeradius.pid"
    for _ in $(seq 1 100); do
        if grep -q "Ready to process requests" "$run/radius.log" 2>/dev/null; then exit 0; fi
        if ! kill -0 "$(cat "$run/freeradius.pid")" 2>/dev/null; then break; fi
        sleep 0.1
    done
    echo "FreeRADIUS did not start; see $run/radius.log and $run/stdout.log" >&2
    cat "$run/stdout.log" "$run/radius.log" >&2 2>/dev/null || true
    exit 1
    ;;
stop)
    run=${2:?run directory}
    [ -f "$run/freeradius.pid" ] && kill "$(cat "$run/freeradius.pid")" 2>/dev/null || true
    ;;
*)
    echo "usage: $0 start PORT RUNDIR SECRET [USER:SESSION ...] | stop RUNDIR" >&2
    exit 2
    ;;
esac
