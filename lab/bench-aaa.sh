#!/usr/bin/env bash
# Benchmark: Access-Request round trips per second through FreeRADIUS + netops (rlm_rest to the
# control plane, PAP, reply items from the package) against the same FreeRADIUS answering from
# its own `files` module, in the same run on the same machine. Prints both rates and the ratio.
#
#   lab/bench-aaa.sh [REQUESTS] [PARALLEL]        (defaults: 20000 requests, 64 in flight)
#
# Builds the control plane in release mode (CARGO_TARGET_DIR is honoured, or set
# CONTROL_PLANE=/path/to/control-plane), runs it on SQLite in a temporary directory on
# 127.0.0.1, and needs the Debian packages freeradius, freeradius-rest, freeradius-utils, curl.

set -euo pipefail
cd "$(dirname "$0")/.."

REQUESTS=${1:-20000}
PARALLEL=${2:-64}
WORK=$(mktemp -d)
KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
CP_PID=""

cleanup() {
    lab/freeradius.sh stop "$WORK/radius" || true
    if [[ -n $CP_PID ]]; then kill "$CP_PID" 2>/dev/null || true; wait "$CP_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if [[ -z ${CONTROL_PLANE:-} ]]; then
    cargo build --release -q -p control-plane
    CONTROL_PLANE=${CARGO_TARGET_DIR:-target}/release/control-plane
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
NETOPS_AAA_API_KEY=$KEY NETOPS_LOG=warn "$CONTROL_PLANE" demo --listen "127.0.0.1:$port" --data-dir "$WORK/data" \
    >"$WORK/control-plane.log" 2>&1 &
CP_PID=$!
URL=http://127.0.0.1:$port
# Bounded: at most 30 s for the control plane to be ready.
for _ in $(seq 1 150); do curl -fs "$URL/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$URL/readyz" >/dev/null || { cat "$WORK/control-plane.log" >&2; echo "control plane did not start" >&2; exit 1; }

token=$(curl -fs -X POST "$URL/api/v1/admin/auth/login" -H 'content-type: application/json' \
    -d '{"username":"admin","password":"netops-demo-admin"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["token"])')
customer=$(curl -fs "$URL/api/v1/admin/customers?q=CUST001" -H "Authorization: Bearer $token" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["customers"][0]["id"])')
curl -fs -X PUT "$URL/api/v1/admin/customers/$customer/pppoe/password" -H "Authorization: Bearer $token" \
    -H 'content-type: application/json' -d '{"password":"bench-pass"}' >/dev/null

eval "$(lab/freeradius.sh start "$WORK/radius" --url "$URL" --api-key "$KEY" | grep '_port=')"

# Runs REQUESTS Access-Requests for USER against PORT; prints requests per second.
run() {
    local port=$1 user=$2 start end accepted
    start=$(date +%s%N)
    accepted=$(printf 'User-Name = "%s"\nUser-Password = "bench-pass"\n' "$user" |
        radclient -s -q -c "$REQUESTS" -p "$PARALLEL" -r 3 -t 5 "127.0.0.1:$port" auth netops-lab-secret 2>&1 |
        awk '/Accepted/ { print $NF }')
    end=$(date +%s%N)
    [[ $accepted == "$REQUESTS" ]] || { echo "only $accepted of $REQUESTS accepted for $user" >&2; exit 1; }
    echo $((REQUESTS * 1000000000 / (end - start)))
}

# Warm up connections and caches on both paths.
measured=$REQUESTS
REQUESTS=500
run "$auth_port" rahim.gulshan >/dev/null
run "$bench_port" bench-user >/dev/null
REQUESTS=$measured
netops_rate=$(run "$auth_port" rahim.gulshan)
files_rate=$(run "$bench_port" bench-user)
ratio=$(python3 -c "print(f'{$netops_rate / $files_rate:.2f}')")
echo "FreeRADIUS + netops (rest): $netops_rate Access-Requests/s"
echo "FreeRADIUS files module:    $files_rate Access-Requests/s"
echo "ratio netops/files:         ${ratio}x  ($REQUESTS requests, $PARALLEL in flight, PAP, same run)"
