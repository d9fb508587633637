#!/usr/bin/env bash
# Builds the Debian package proxywatch_VERSION_ARCH.deb with plain dpkg-deb, offline:
#   1. configures and builds an optimised tree (tests off) in BUILD_DIR,
#   2. `cmake --install --strip` into a staging directory (the binary, the unit, the sysusers
#      file, /etc/proxywatch/proxywatch.yaml, /usr/share/doc/proxywatch),
#   3. computes Depends with dpkg-shlibdeps from the installed system's dpkg database,
#   4. adds DEBIAN/{control,conffiles,postinst,prerm,postrm} and runs dpkg-deb --build.
# The version is the project(VERSION) of CMakeLists.txt.
#
# usage: packaging/build-deb.sh [BUILD_DIR [OUT_DIR]]
#   BUILD_DIR  default: build-deb in the source tree; OUT_DIR default: BUILD_DIR
# Environment: DEB_MAINTAINER overrides the Maintainer field; CMAKE_GENERATOR is honoured.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(realpath -m "${1:-$src/build-deb}")
out=$(realpath -m "${2:-$build}")
maintainer=${DEB_MAINTAINER:-"proxywatch maintainers <proxywatch@localhost>"}

# Everything the package must contain; a missing one means an install rule is missing.
expected_files=(
  usr/bin/proxywatch
  lib/systemd/system/proxywatch.service
  usr/lib/sysusers.d/proxywatch.conf
  etc/proxywatch/proxywatch.yaml
)

die() {
  echo "build-deb: $*" >&2
  exit 1
}

configure_and_build() {
  local generator=()
  if [ -z "${CMAKE_GENERATOR:-}" ] && command -v ninja >/dev/null 2>&1; then
    generator=(-G Ninja)
  fi
  # RelWithDebInfo (-O2), the project's default, stripped at install. Not Release: g++ 12 at -O3
  # reports false -Wrestrict warnings inside std::string, and warnings are errors.
  cmake -S "$src" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPROXYWATCH_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
  cmake --build "$build" --target proxywatch
}

project_version() {
  local version
  version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
  [ -n "$version" ] || die "no CMAKE_PROJECT_VERSION in $build/CMakeCache.txt"
  echo "$version"
}

stage_install() {
  local stage=$1
  rm -rf "$stage"
  DESTDIR="$stage" cmake --install "$build" --strip >/dev/null
  for f in "${expected_files[@]}"; do
    [ -e "$stage/$f" ] || die "$f was not installed; does the top-level CMakeLists.txt" \
      "have add_subdirectory(systemd) and add_subdirectory(packaging)?"
  done
  # Policy-conforming modes whatever the builder's umask was.
  find "$stage" -type d -exec chmod 0755 {} +
  find "$stage" -type f -exec chmod 0644 {} +
  chmod 0755 "$stage/usr/bin/proxywatch"
}

# dpkg-shlibdeps wants to run in a source package: give it a minimal debian/control.
shlib_depends() {
  local stage=$1 work
  work=$(mktemp -d)
  mkdir "$work/debian"
  printf 'Source: proxywatch\n\nPackage: proxywatch\nArchitecture: any\n' \
    >"$work/debian/control"
  (cd "$work" && dpkg-shlibdeps -O "$stage/usr/bin/proxywatch") |
    sed -n 's/^shlibs:Depends=//p'
  rm -rf "$work"
}

write_control() {
  local stage=$1 version=$2 depends=$3
  local arch size
  arch=$(dpkg --print-architecture)
  size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
  mkdir -p "$stage/DEBIAN"
  cat >"$stage/DEBIAN/control" <<EOF
Package: proxywatch
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: $depends, systemd | adduser
Section: net
Priority: optional
Description: HTTP proxy health monitor for Cisco Secure Firewall Management Center
 proxywatch probes the HTTP forward proxy an FMC uses to reach the internet
 (tools.cisco.com, smartreceiver.cisco.com by default), times every phase of
 the CONNECT tunnel, names why a probe failed (ACL deny, authentication, stall,
 reset, MTU) and exposes Prometheus metrics and journal events.
EOF
  (cd "$stage" && find etc -type f | sed 's|^|/|' | sort) >"$stage/DEBIAN/conffiles"
  install -m 0755 "$src/packaging/debian/postinst" "$src/packaging/debian/prerm" \
    "$src/packaging/debian/postrm" "$stage/DEBIAN/"
}

main() {
  command -v dpkg-deb >/dev/null || die "dpkg-deb not found"
  command -v dpkg-shlibdeps >/dev/null || die "dpkg-shlibdeps not found (package dpkg-dev)"
  configure_and_build
  local version stage depends deb
  version=$(project_version)
  stage="$build/deb-stage"
  stage_install "$stage"
  depends=$(shlib_depends "$stage")
  [ -n "$depends" ] || die "dpkg-shlibdeps found no dependencies"
  write_control "$stage" "$version" "$depends"
  mkdir -p "$out"
  deb="$out/proxywatch_${version}_$(dpkg --print-architecture).deb"
  dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
  echo "$deb"
}

main "$@"
