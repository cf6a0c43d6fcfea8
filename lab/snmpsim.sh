#!/usr/bin/env bash
# Starts snmpsim (Debian package snmpsim) with the OLT recordings in lab/snmpsim on a loopback
# UDP port. Each recording answers to the community named after its file, e.g.
# `snmpbulkwalk -v2c -c huawei-ma56xx-gpon 127.0.0.1:PORT 1.3.6.1.4.1.2011`.
#
#   lab/snmpsim.sh start PORT RUNDIR   starts it in the background, waits until it answers
#   lab/snmpsim.sh stop RUNDIR         stops it
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

case "${1:-}" in
start)
    port=${2:?port}; run=${3:?run directory}
    mkdir -p "$run"
    # snmpsimd drops root privileges to nobody, so its files live in a world-readable folder.
    work=$(mktemp -d /tmp/netops-snmpsim.XXXXXX)
    echo "$work" >"$run/snmpsim.work"
    mkdir -p "$work/data" "$work/cache"
    cp "$here"/snmpsim/*.snmprec "$work/data/"
    chmod -R a+rX "$work"
    user_args=()
    if [ "$(id -u)" = 0 ]; then
        user_args=(--process-user=nobody --process-group=nogroup)
        chown nobody:nogroup "$work/cache"
    fi
    snmpsimd --data-dir="$work/data" --agent-udpv4-endpoint="127.0.0.1:$port" \
        --cache-dir="$work/cache" "${user_args[@]}" >"$run/snmpsim.log" 2>&1 &
    echo $! >"$run/snmpsim.pid"
    for _ in $(seq 1 100); do
        if snmpget -v2c -c huawei-ma56xx-gpon -t 0.2 -r 0 "127.0.0.1:$port" 1.3.6.1.2.1.1.1.0 >/dev/null 2>&1; then
            exit 0
        fi
        sleep 0.1
    done
    echo "snmpsim did not answer on 127.0.0.1:$port; see $run/snmpsim.log" >&2
    exit 1
    ;;
stop)
    run=${2:?run directory}
    [ -f "$run/snmpsim.pid" ] && kill "$(cat "$run/snmpsim.pid")" 2>/dev/null || true
    [ -f "$run/snmpsim.work" ] && rm -rf "$(cat "$run/snmpsim.work")"
    ;;
*)
    echo "usage: $0 start PORT RUNDIR | stop RUNDIR" >&2
    exit 2
    ;;
esac
