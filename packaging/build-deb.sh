#!/usr/bin/env bash
# Builds the Debian packages the Debian way (debhelper, packaging/debian/) and leaves in OUTDIR
# proxywatch_VERSION_ARCH.deb (the daemon, with its -dbgsym .deb),
# proxywatch-mixin_VERSION_all.deb (the Prometheus rules and Grafana dashboard), the .buildinfo
# and the .changes:
#   1. installs the build dependencies through scripts/install-deps.sh (idempotent),
#   2. stages a copy of the tracked source tree in OUTDIR/src/proxywatch-VERSION with
#      packaging/debian/ copied to its root as debian/,
#   3. runs `dpkg-buildpackage -b -us -uc` there (unsigned, binary only),
#   4. moves the results from OUTDIR/src into OUTDIR and prints the two .debs' paths.
#
# Why a staged copy: dpkg-buildpackage and every dh_* tool look for debian/ at the top of the
# source tree, and the repository keeps its top level to the project's own folders (debian/ is
# under packaging/). A copy also keeps the build away from the developer's tree: dh_auto_clean
# and the obj-* build directory touch only the copy, and only tracked files go in (no build/,
# no editor files), as a source package would hold.
#
# usage: packaging/build-deb.sh OUTDIR
# Environment: DEB_BUILD_OPTIONS is honoured (default: parallel=$(nproc)); SKIP_INSTALL_DEPS=1
# skips step 1 (for callers that ran it already).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() {
  echo "build-deb: $*" >&2
  exit 1
}

[ $# -eq 1 ] || die "usage: packaging/build-deb.sh OUTDIR"
out=$(realpath -m "$1")

# The Debian version (native package: no revision) must be CMake's project(VERSION), which
# `proxywatch --version` prints.
package_version() {
  local deb cmake
  deb=$(dpkg-parsechangelog -l "$src/packaging/debian/changelog" -S Version)
  cmake=$(sed -n 's/^project(proxywatch VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
  [ "$deb" = "$cmake" ] || die "debian/changelog says $deb, CMakeLists.txt says $cmake"
  echo "$deb"
}

# The files git knows or would add (tracked, and untracked ones .gitignore does not exclude)
# when this is a git checkout, else the whole tree
# without build directories.
stage_tree() {
  local stage=$1
  rm -rf "$stage"
  mkdir -p "$stage"
  if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$src" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -d -t "$stage" --)
  else
    tar -C "$src" --exclude='./build*' --exclude='./.git' -cf - . | tar -C "$stage" -xf -
  fi
  [ -f "$stage/CMakeLists.txt" ] || die "staging $src into $stage failed"
  rm -rf "$stage/debian"
  cp -a "$src/packaging/debian" "$stage/debian"
}

main() {
  if [ "${SKIP_INSTALL_DEPS:-0}" != 1 ]; then
    "$src/scripts/install-deps.sh" >&2
  fi
  local version arch work stage
  version=$(package_version)
  arch=$(dpkg --print-architecture)
  work="$out/src"
  stage="$work/proxywatch-$version"
  stage_tree "$stage"
  rm -f "$work"/*.deb "$work"/*.ddeb "$work"/*.buildinfo "$work"/*.changes
  export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-"parallel=$(nproc)"}
  # The staged copy is no git checkout: debian/rules hands this to CMake for --version.
  if [ -z "${PROXYWATCH_REVISION:-}" ]; then
    PROXYWATCH_REVISION=$(git -C "$src" describe --always --dirty --abbrev=12 2>/dev/null || true)
  fi
  export PROXYWATCH_REVISION
  (cd "$stage" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1 ||
    die "dpkg-buildpackage failed; see $out/build.log"
  mkdir -p "$out"
  mv -f "$work"/proxywatch*_"$version"_*.deb "$work"/proxywatch_"$version"_*.buildinfo \
    "$work"/proxywatch_"$version"_*.changes "$out/"
  rm -rf "$work"
  local deb
  for deb in "$out/proxywatch_${version}_${arch}.deb" "$out/proxywatch-mixin_${version}_all.deb"; do
    [ -f "$deb" ] || die "dpkg-buildpackage made no $deb"
    echo "$deb"
  done
}

main "$@"
