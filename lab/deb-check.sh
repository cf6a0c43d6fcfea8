#!/usr/bin/env bash
# Builds the netops-control-plane and netops-edge-agent Debian packages (cargo-deb, release) and
# checks them: their contents and conffiles, the extracted binaries' --version and check-config
# against the packaged default configuration, systemd-analyze verify on the units, and lintian
# when it is installed; then, as root, lab/deb-install-check.sh installs both packages here and
# checks that they run, stream and are scraped (NETOPS_DEB_INSTALL=0 leaves that out). With
# NETOPS_LAB_REQUIRED=1 (lab/run-tests, CI) a missing tool fails the
# check instead of skipping a step.
# Usage: lab/deb-check.sh        (builds under target/deb, apart from the test build)
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
required=${NETOPS_LAB_REQUIRED:-0}
deb_dir=${NETOPS_DEB_DIR:-target/deb}
mkdir -p "$deb_dir"
deb_dir=$(cd "$deb_dir" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"; echo "deb-check: wall time $(( $(date +%s) - started )) s"' EXIT

say() { printf 'deb-check: %s\n' "$*"; }
fail() { printf 'deb-check: FAILED: %s\n' "$*" >&2; exit 1; }
skip() {
    if [ "$required" = 1 ]; then fail "$* (NETOPS_LAB_REQUIRED=1)"; fi
    say "skipped: $*"
}
have() { command -v "$1" >/dev/null 2>&1; }

have dpkg-deb || fail "dpkg-deb is required (Debian's dpkg)"

# cargo-deb lives in this run's build folder, never in a global cache.
cargo_deb="$deb_dir/tools/bin/cargo-deb"
if [ ! -x "$cargo_deb" ]; then
    say "installing cargo-deb into $deb_dir/tools"
    CARGO_TARGET_DIR="$deb_dir/tools-build" cargo install cargo-deb --locked --quiet \
        --root "$deb_dir/tools"
fi

# A target folder of its own, so the build never waits for the test build's lock.
export CARGO_TARGET_DIR="$deb_dir/build"
out="$deb_dir/out"
rm -rf "$out"
mkdir -p "$out"
for crate in control-plane edge-agent; do
    say "building the $crate package"
    # Stripped: the release profile keeps line tables for backtraces; the packages do not.
    "$cargo_deb" --quiet --locked --strip -p "$crate" --output "$out/"
done

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
check_package() {
    local package=$1 binary=$2
    shift 2
    local deb
    deb=$(ls "$out"/"${package}"_"${version}"*.deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] || fail "no ${package}_${version}*.deb in $out"
    say "checking $(basename "$deb")"
    local listing="$work/$package.contents"
    dpkg-deb -c "$deb" >"$listing"
    local path
    for path in "./usr/bin/$binary" "$@"; do
        grep -Eq " ${path}\$" "$listing" || fail "$package does not contain $path"
    done
    grep -Eq " \./(usr/)?lib/systemd/system/$package\.service$" "$listing" \
        || fail "$package has no systemd unit $package.service"
    dpkg-deb -e "$deb" "$work/$package.control"
    grep -q "adduser --system" "$work/$package.control/postinst" \
        || fail "$package's postinst does not create the netops user"
    grep -q "^Depends:.*adduser" "$work/$package.control/control" \
        || fail "$package does not depend on adduser"
    local root="$work/$package.root"
    dpkg -x "$deb" "$root"
    "$root/usr/bin/$binary" --version | grep -q "$version" \
        || fail "$binary --version does not print $version"
    if have readelf; then
        ! readelf -S --wide "$root/usr/bin/$binary" | grep -Eq '\.debug_(info|line|str) ' \
            || fail "$binary is not stripped of debug information"
    else
        skip "readelf is not installed (binutils): stripping not checked"
    fi
    say "$binary: $(( $(stat -c %s "$root/usr/bin/$binary") / 1048576 )) MiB installed"
}

# --- control plane ---------------------------------------------------------------------------
check_package netops-control-plane netops-control-plane ./etc/netops/control-plane.toml
cp_root="$work/netops-control-plane.root"
grep -qx /etc/netops/control-plane.toml "$work/netops-control-plane.control/conffiles" \
    || fail "/etc/netops/control-plane.toml is not a conffile"
grep -Eq '^-rw-r----- .* \./etc/netops/control-plane\.toml$' "$work/netops-control-plane.contents" \
    || fail "/etc/netops/control-plane.toml is not mode 0640"
grep -q '^data_dir = "/var/lib/netops/control-plane"' "$cp_root/etc/netops/control-plane.toml" \
    || fail "the packaged control-plane.toml does not keep its data in /var/lib/netops/control-plane"
env -u NETOPS_CONFIG "$cp_root/usr/bin/netops-control-plane" \
    --config "$cp_root/etc/netops/control-plane.toml" check-config \
    || fail "netops-control-plane check-config refused the packaged configuration"

# --- edge agent ------------------------------------------------------------------------------
check_package netops-edge-agent netops-edge-agent ./etc/netops/edge-agent.toml \
    ./etc/netops/agent.token ./usr/share/netops/profiles/mikrotik-pppoe-bras.toml
agent_root="$work/netops-edge-agent.root"
for file in /etc/netops/edge-agent.toml /etc/netops/agent.token; do
    grep -qx "$file" "$work/netops-edge-agent.control/conffiles" || fail "$file is not a conffile"
    grep -Eq "^-rw-r----- .* \.${file//./\\.}\$" "$work/netops-edge-agent.contents" \
        || fail "$file is not mode 0640"
done
shipped=$(ls config/profiles/*.toml | wc -l)
packaged=$(ls "$agent_root"/usr/share/netops/profiles/*.toml | wc -l)
[ "$shipped" = "$packaged" ] || fail "$packaged of $shipped vendor profiles are packaged"
# The packaged file names absolute paths; check it as installed, inside the extracted root.
sed -e "s#\"/etc/netops/#\"$agent_root/etc/netops/#" \
    -e "s#\"/usr/share/netops/#\"$agent_root/usr/share/netops/#" \
    "$agent_root/etc/netops/edge-agent.toml" >"$work/edge-agent.toml"
grep -q "profiles_dir = \"$agent_root/usr/share/netops/profiles\"" "$work/edge-agent.toml" \
    || fail "the packaged edge-agent.toml does not read profiles from /usr/share/netops/profiles"
env -u NETOPS_AGENT_CONFIG "$agent_root/usr/bin/netops-edge-agent" check-config \
    --config "$work/edge-agent.toml" \
    || fail "netops-edge-agent check-config refused the packaged configuration"

# --- systemd units ---------------------------------------------------------------------------
if have systemd-analyze; then
    mkdir -p "$work/units"
    for package in netops-control-plane netops-edge-agent; do
        root="$work/$package.root"
        unit=$(find "$root" -path "*/systemd/system/$package.service" | head -n 1)
        # The unit as installed, with the binary where dpkg -x put it.
        sed "s#/usr/bin/$package#$root/usr/bin/$package#g" "$unit" >"$work/units/$package.service"
    done
    say "systemd-analyze verify"
    verify_log="$work/verify.log"
    if ! systemd-analyze verify --man=no "$work"/units/*.service >"$verify_log" 2>&1; then
        cat "$verify_log" >&2
        fail "systemd-analyze verify refused a unit"
    fi
    # Problems in other units on this machine are not ours; ours must be silent.
    if grep -E "netops-(control-plane|edge-agent)\.service" "$verify_log" >&2; then
        fail "systemd-analyze verify warned about a unit"
    fi
else
    skip "systemd-analyze is not installed (apt-get install systemd)"
fi

if have lintian; then
    say "lintian"
    lintian --no-tag-display-limit "$out"/*.deb || fail "lintian"
else
    say "lintian is not installed; not run"
fi

if [ "${NETOPS_DEB_INSTALL:-1}" = 1 ]; then
    if [ "$(id -u)" = 0 ]; then
        lab/deb-install-check.sh "$out" || fail "installing and running the packages"
    else
        skip "installing the packages needs root (lab/deb-install-check.sh)"
    fi
fi

say "passed: both packages built and checked"
