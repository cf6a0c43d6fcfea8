#!/usr/bin/env bash
# Records what a netops release leaves in its database, as the starting point of the upgrade
# test (control-plane/tests/upgrade.rs). Run it once per release, with that release's binary:
# it runs the demo on SQLite and on PostgreSQL, uses it as subscribers and staff do (tickets,
# a package change, a device command, a payment, a RADIUS session, streamed bandwidth until a
# minute rollup is written), stops it cleanly and dumps both databases as SQL text under
# control-plane/tests/fixtures/upgrade/VERSION/. The PPPoE password key goes with them, as an
# operator backs it up with the database.
# Usage: lab/upgrade-fixture.sh VERSION [CONTROL_PLANE_BINARY]
#        (PostgreSQL from NETOPS_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres)
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:?usage: lab/upgrade-fixture.sh VERSION [CONTROL_PLANE_BINARY]}
binary=${2:-}
pg_url=${NETOPS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
out="control-plane/tests/fixtures/upgrade/$version"
say() { printf 'upgrade-fixture: %s\n' "$*"; }
fail() { printf 'upgrade-fixture: FAILED: %s\n' "$*" >&2; exit 1; }
for tool in curl jq sqlite3 pg_dump psql; do
    command -v "$tool" >/dev/null || fail "$tool is required"
done
if [ -z "$binary" ]; then
    cargo build --quiet --locked -p control-plane
    binary=target/debug/control-plane
fi
"$binary" --version | grep -q "$version" || fail "$binary is not version $version"

work=$(mktemp -d)
demo_pid=
cleanup() {
    [ -z "$demo_pid" ] || kill "$demo_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out"
aaa_key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
aaa_api_key=upgrade-fixture-aaa-api-key-0123456789

# POST JSON with an optional bearer token; prints the answer, fails on a non-2xx status.
post() {
    local url=$1 token=$2 body=$3
    curl -fsS -X POST "$url" -H 'Content-Type: application/json' \
        ${token:+-H "Authorization: Bearer $token"} -d "$body"
}

# Runs the demo against one database, exercises it, stops it cleanly.
record() {
    local label=$1
    shift
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    local base="http://127.0.0.1:$port"
    NETOPS_AAA_PASSWORD_KEY=$aaa_key NETOPS_AAA_API_KEY=$aaa_api_key \
        "$binary" demo --listen "127.0.0.1:$port" --data-dir "$work/$label" "$@" \
        >"$work/$label.log" 2>&1 &
    demo_pid=$!
    for _ in $(seq 1 100); do curl -fs "$base/readyz" >/dev/null && break; sleep 0.2; done
    curl -fs "$base/readyz" >/dev/null || { cat "$work/$label.log"; fail "$label demo never became ready"; }

    say "$label: using the demo as subscribers and staff do"
    local api="$base/api/v1/customer" admin="$base/api/v1/admin"
    local sub staff ticket current package customer
    sub=$(post "$api/auth/login" "" '{"customer_code":"CUST001","phone":"01712345678"}' | jq -r .data.token)
    ticket=$(post "$api/support/tickets" "$sub" \
        '{"subject":"Slow at night","message":"Speed drops after 9 pm","category":"connectivity"}' \
        | jq -r .data.ticket_id)
    post "$api/support/tickets/$ticket/messages" "$sub" '{"message":"Still slow today"}' >/dev/null
    current=$(curl -fsS "$api/profile" -H "Authorization: Bearer $sub" | jq -r .data.package.id)
    package=$(curl -fsS "$api/packages" -H "Authorization: Bearer $sub" \
        | jq -r --arg current "$current" '[.data[] | select(.id != $current)][0].id')
    post "$api/packages/change" "$sub" "{\"package_id\":\"$package\"}" >/dev/null
    post "$api/device/reboot-onu" "$sub" '{}' >/dev/null
    staff=$(post "$admin/auth/login" "" '{"username":"billing","password":"netops-demo-billing"}' \
        | jq -r .data.token)
    customer=$(curl -fsS "$admin/customers?q=CUST002" -H "Authorization: Bearer $staff" \
        | jq -r '.data.customers[] | select(.customer_code == "CUST002") | .id')
    post "$admin/customers/$customer/payments" "$staff" \
        '{"amount":500,"payment_method":"cash","reference":"R-UPGRADE-1"}' >/dev/null
    post "$base/api/v1/radius/accounting" "$aaa_api_key" '{
        "User-Name":{"type":"string","value":["karima.gulshan"]},
        "Acct-Status-Type":{"type":"integer","value":["Start"]},
        "Acct-Session-Id":{"type":"string","value":["81a00001"]},
        "NAS-IP-Address":{"type":"ipaddr","value":["127.0.0.1"]},
        "Framed-IP-Address":{"type":"ipaddr","value":["100.64.0.12"]},
        "Calling-Station-Id":{"type":"string","value":["AA:BB:CC:00:00:12"]}}' >/dev/null

    say "$label: waiting for a minute of bandwidth to be rolled up"
    local points=0
    for _ in $(seq 1 90); do
        points=$(curl -fsS "$api/network/bandwidth?period=24h" -H "Authorization: Bearer $sub" \
            | jq '[.data[] | select(.rx_mbps > 0)] | length')
        [ "$points" -gt 0 ] && break
        sleep 1
    done
    [ "$points" -gt 0 ] || fail "$label: no minute rollup after 90 s"
    kill -TERM "$demo_pid"
    wait "$demo_pid" || true
    demo_pid=
}

say "SQLite"
record sqlite
sqlite3 "$work/sqlite/netops.db" .dump >"$out/sqlite.sql"

say "PostgreSQL"
db="netops_upgrade_fixture_$$"
psql "$pg_url" -qc "CREATE DATABASE $db" >/dev/null
pg_db_url="${pg_url%/*}/$db"
record postgres --database-url "$pg_db_url"
pg_dump --inserts --no-owner --no-privileges --no-comments "$pg_db_url" \
    | grep -v -e "^SET transaction_timeout" -e "^\\\\" >"$out/postgres.sql"
psql "$pg_url" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null

printf '%s\n' "$aaa_key" >"$out/aaa-password-key"
say "wrote $out: $(wc -l <"$out/sqlite.sql") SQLite and $(wc -l <"$out/postgres.sql") PostgreSQL lines"
