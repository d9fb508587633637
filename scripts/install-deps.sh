#!/usr/bin/env bash
# Installs every Debian 12 package proxywatch needs to build, test and run its demo.
# Idempotent: packages already present are left alone, and apt's lists are refreshed only
# when something is missing. Run as root (or through sudo).
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config ninja-build
  libboost1.81-dev libssl-dev libyaml-cpp-dev prometheus-cpp-dev libspdlog-dev libfmt-dev
  libsystemd-dev libgtest-dev libgmock-dev
  # the probe history (common/output/store/probe_store.h)
  libsqlite3-dev
  # the support bundle's gzip (daemon/bundle_archive.cc)
  zlib1g-dev
  # packet capture of probes (common/capture/); tcpdump reads the written files back in tests
  libpcap-dev tcpdump
  # the probe's DNS: queued, shared and cached lookups (common/probe/dns_lookup.h)
  libc-ares-dev
  # tests and demo: real proxies, a TLS origin, packet filtering in namespaces
  squid tinyproxy apache2-utils openssl curl iptables iproute2 procps ethtool
  # systemd unit verification
  systemd
  # Debian package (packaging/build-deb.sh: dpkg-deb, dpkg-shlibdeps)
  dpkg-dev
  # fleet: promtool for the alert rules' tests; the real Prometheus and Alertmanager of the
  # fleet end-to-end test (both on loopback ports of their own, so the system services the
  # packages may start do not matter); libcrypt's crypt_r for the web config's bcrypt hashes
  prometheus prometheus-alertmanager libcrypt-dev
  # the Python tests and tools of the fleet kit (packaging/mixin/generate.py, the dashboard
  # lint, the file_sd generator, tests/mixin/): Debian's python3 with python3-yaml
  python3 python3-yaml
  # status page: the browser test loads it in headless Chromium (--dump-dom, --screenshot)
  chromium
  # benchmark (scripts/bench.sh, docs/benchmarks.md): the peer it is measured against, driven
  # through /probe, and GNU time for the peak RSS of the process-per-probe peers
  prometheus-blackbox-exporter time
  # --- Debian package (issue 14): dpkg-buildpackage with debhelper (packaging/debian/),
  # man pages from scdoc sources, fakeroot for dh_builddeb, and the package checks the
  # tests run: lintian, hardening-check (devscripts), man (systemd-analyze verify's
  # Documentation= check), systemd-journald/journalctl for the private-journal test.
  debhelper fakeroot scdoc lintian devscripts man-db
  # --- end Debian package
  # --- hardening (scripts/test.sh --fuzz, tests/fuzz/): Debian's clang 14 and its libFuzzer,
  # ASan and UBSan runtimes (libclang-rt-14-dev); the ThreadSanitizer runtime of g++ (libtsan2)
  clang libclang-rt-14-dev libtsan2
  # --- end hardening
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run as root" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"

# The packaged proxies (and blackbox_exporter) start as system services on install; tests and
# the benchmark run their own instances on loopback with generated configs, so the system
# copies are stopped and left disabled.
for svc in squid tinyproxy prometheus-blackbox-exporter; do
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now "$svc" >/dev/null 2>&1 || true
  fi
done
