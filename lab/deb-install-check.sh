#!/usr/bin/env bash
# Installs the two netops packages on this machine as docs/install-debian.md tells an operator,
# edits one configuration file each, starts both daemons as their systemd units would (this
# machine runs no systemd: the unit's User, Environment, UMask, StateDirectory, ExecStartPre and
# ExecStart are read from the installed unit and followed), and checks that the agent streams
# to the control plane and that Prometheus, with the shipped configuration, scrapes both.
# Everything listens on 127.0.0.1; the device is net-snmp's snmpd on loopback (lab/snmpd.sh).
# Both packages are purged at the end.
# Usage: lab/deb-install-check.sh DEB_DIR      (needs root, apt, snmpd, prometheus, curl, jq)
set -euo pipefail
cd "$(dirname "$0")/.."

debs=${1:?usage: lab/deb-install-check.sh DEB_DIR}
started=$(date +%s)
say() { printf 'deb-install: %s\n' "$*"; }
fail() {
    printf 'deb-install: FAILED: %s\n' "$*" >&2
    for log in "$work"/*.log; do
        [ -s "$log" ] || continue
        printf '%s\n--- %s (last lines)\n' '' "$log" >&2
        tail -n 30 "$log" >&2
    done
    exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }

[ "$(id -u)" = 0 ] || { say "skipped: needs root to install packages"; exit 0; }
for tool in apt-get dpkg runuser curl jq prometheus snmpd; do
    have "$tool" || fail "$tool is required"
done
if dpkg -s netops-control-plane >/dev/null 2>&1 || dpkg -s netops-edge-agent >/dev/null 2>&1; then
    fail "a netops package is already installed here; this check installs and purges its own"
fi
for port in 8080 9464; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        fail "127.0.0.1:$port is taken; the packaged configurations listen there"
    fi
done

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    lab/snmpd.sh stop "$work/snmpd" >/dev/null 2>&1 || true
    dpkg --purge netops-edge-agent netops-control-plane >/dev/null 2>&1 || true
    rm -rf /var/lib/netops "$work"
    say "wall time $(( $(date +%s) - started )) s"
}
trap cleanup EXIT

# --- install (docs/install-debian.md, "apt install ./…deb") ----------------------------------
cp_deb=$(ls "$debs"/netops-control-plane_*.deb | head -n 1)
agent_deb=$(ls "$debs"/netops-edge-agent_*.deb | head -n 1)
say "apt-get install $(basename "$cp_deb") $(basename "$agent_deb")"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "$(realpath "$cp_deb")" "$(realpath "$agent_deb")" >"$work/apt.log" 2>&1 \
    || fail "apt-get install of the packages"
id netops >/dev/null || fail "the packages did not create the netops user"
for file in /etc/netops/control-plane.toml /etc/netops/edge-agent.toml /etc/netops/agent.token; do
    [ "$(stat -c '%U:%G %a' "$file")" = "root:netops 640" ] \
        || fail "$file is $(stat -c '%U:%G %a' "$file"), not root:netops 640"
done

# Starts a unit's service the way systemd would, in the background; logs to $work/NAME.log.
start_unit() {
    local name=$1 unit
    unit=$(ls /lib/systemd/system/"$name".service /usr/lib/systemd/system/"$name".service \
        2>/dev/null | head -n 1)
    [ -n "$unit" ] || fail "$name.service is not installed"
    local user umask state mode
    user=$(sed -n 's/^User=//p' "$unit")
    umask=$(sed -n 's/^UMask=//p' "$unit")
    mode=$(sed -n 's/^StateDirectoryMode=//p' "$unit")
    for state in $(sed -n 's/^StateDirectory=//p' "$unit"); do
        install -d -o "$user" -g "$user" -m "${mode:-0755}" "/var/lib/$state"
    done
    local -a environment
    read -r -a environment <<<"$(sed -n 's/^Environment=//p' "$unit" | tr '\n' ' ')"
    local pre start
    pre=$(sed -n 's/^ExecStartPre=//p' "$unit")
    start=$(sed -n 's/^ExecStart=//p' "$unit")
    if [ -n "$pre" ]; then
        # shellcheck disable=SC2086 # the unit's command line, split as systemd splits it
        (umask "${umask:-0022}"; cd /; runuser -u "$user" -- env "${environment[@]}" $pre) \
            >"$work/$name.pre.log" 2>&1 || fail "$name: ExecStartPre ($pre)"
    fi
    # shellcheck disable=SC2086
    (umask "${umask:-0022}"; cd /; exec runuser -u "$user" -- env "${environment[@]}" $start) \
        >"$work/$name.log" 2>&1 &
    pids+=($!)
}

wait_for() {
    local what=$1 seconds=$2
    shift 2
    local deadline=$(( $(date +%s) + seconds ))
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$deadline" ] || fail "$what: not within $seconds s"
        sleep 0.5
    done
}

# --- 1. the control plane: packaged configuration as it is --------------------------------------
say "control plane: check-config, start, readyz"
env -u NETOPS_CONFIG netops-control-plane --config /etc/netops/control-plane.toml check-config \
    >"$work/check-config.log" 2>&1 || fail "check-config of the packaged control-plane.toml"
start_unit netops-control-plane
api=http://127.0.0.1:8080
wait_for "control plane /readyz" 60 curl -fsS "$api/readyz"
password=deb-install-check-admin-password
printf '%s\n' "$password" | runuser -u netops -- env NETOPS_CONFIG=/etc/netops/control-plane.toml \
    netops-control-plane admin create --username admin --password-stdin >"$work/admin.log" 2>&1 \
    || fail "admin create as the netops user"

# --- 2. enroll the agent, register its device and a subscriber on a port of it -------------------
snmp_endpoint=$(lab/snmpd.sh start "$work/snmpd" | sed -n 's/^address=//p;s/^port=//p' | paste -sd:)
[ -n "$snmp_endpoint" ] || fail "lab/snmpd.sh did not start"
post() {
    curl -fsS -X POST "$api$1" -H "authorization: Bearer $staff" \
        -H 'content-type: application/json' -d "$2"
}
staff=$(curl -fsS -X POST "$api/api/v1/admin/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$password\"}" | jq -r .data.token)
site=$(post /api/v1/admin/sites '{"name":"site-a"}' | jq -r .data.id)
agent_token=$(post /api/v1/admin/agents "{\"name\":\"site-a\",\"site_id\":\"$site\"}" | jq -r .data.token)
device=$(post /api/v1/admin/devices "{\"site_id\":\"$site\",\"name\":\"bras-1\",\"kind\":\"switch\",\"mgmt_address\":\"$snmp_endpoint\"}" \
    | jq -r .data.id)
post /api/v1/admin/customers "{\"name\":\"Loopback Leased Line\",\"customer_code\":\"DEB001\",\"phone\":\"01555000999\",\"attachment\":{\"port_device_id\":\"$device\",\"port_if_name\":\"lo\"}}" \
    >/dev/null || fail "register the subscriber on the device's port"

# --- 3. the edge agent: the token, and one edited file ------------------------------------------
say "edge agent: token, edit edge-agent.toml, check-config, check, start"
printf '%s\n' "$agent_token" >/etc/netops/agent.token
sed -i \
    -e 's#^url = .*#url = "ws://127.0.0.1:8080/api/v1/agent/ws"#' \
    -e '/^ntp_server = /d' \
    -e "s#^address = \"10.0.0.1\"#address = \"$snmp_endpoint\"#" \
    -e 's#^kind = "bras"#kind = "switch"#' \
    -e 's#^profile = "auto"#profile = "generic-if-mib"#' \
    -e 's#community = "change-me"#community = "netops-lab"#' \
    /etc/netops/edge-agent.toml
grep -q "address = \"$snmp_endpoint\"" /etc/netops/edge-agent.toml \
    || fail "the packaged edge-agent.toml no longer has the lines this check edits"
netops-edge-agent check-config --config /etc/netops/edge-agent.toml >"$work/agent-check-config.log" 2>&1 \
    || fail "edge agent check-config"
runuser -u netops -- netops-edge-agent check --config /etc/netops/edge-agent.toml \
    >"$work/agent-check.log" 2>&1 || fail "edge agent check (as netops)"
start_unit netops-edge-agent
wait_for "agent /metrics" 30 curl -fsS http://127.0.0.1:9464/metrics

# --- 4. Prometheus with the shipped scrape configuration and alert rules -----------------------
say "Prometheus with /usr/share/netops/prometheus/*.yml"
mkdir -p "$work/prometheus"
cp /usr/share/netops/prometheus/*.yml "$work/prometheus/"
promtool check config "$work/prometheus/prometheus.yml" >"$work/promtool.log" 2>&1 \
    || fail "promtool check config of the shipped configuration"
prom_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
prometheus --config.file="$work/prometheus/prometheus.yml" \
    --storage.tsdb.path="$work/prometheus/data" \
    --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
prom=http://127.0.0.1:$prom_port
# True when the PromQL expression has at least one series.
holds() {
    curl -fsS --get "$prom/api/v1/query" --data-urlencode "query=$1" \
        | jq -e '.data.result | length > 0' >/dev/null
}
wait_for "Prometheus ready" 60 curl -fsS "$prom/-/ready"
wait_for "Prometheus scrapes the control plane" 90 holds 'up{job="netops-control-plane"} == 1'
wait_for "Prometheus scrapes the edge agent" 90 holds 'up{job="netops-edge-agent"} == 1'
wait_for "the agent connected, as Prometheus sees it" 90 holds 'netops_agents_connected >= 1'
wait_for "samples of the subscriber ingested, as Prometheus sees it" 120 \
    holds 'netops_ingest_samples_total > 0'

# The subscriber sees their port online with the agent's numbers.
sub=$(curl -fsS -X POST "$api/api/v1/customer/auth/login" -H 'content-type: application/json' \
    -d '{"customer_code":"DEB001","phone":"01555000999"}' | jq -r .data.token)
online() {
    curl -fsS "$api/api/v1/customer/network/status" -H "authorization: Bearer $sub" \
        | jq -e '.data.is_online == true'
}
wait_for "the subscriber on the agent's port shows online" 30 online
say "passed: installed, one file edited each, streaming, scraped by the shipped Prometheus config"
