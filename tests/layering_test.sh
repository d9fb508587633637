#!/usr/bin/env bash
# The pipeline's arrows, checked on the includes (the per-stage unit tests check them again at
# link time): the vocabulary includes no stage; probe and history never include output or the
# capture (which sees the probe only through PacketTap), history never includes the probe
# engine, and nothing outside daemon/ and tests/ includes daemon/.
# Inside the output stage the rooms are side by side: json/ is the floor every JSON output
# stands on; no room includes another but json/.
#   tests/layering_test.sh SOURCE_DIR
set -euo pipefail
cd "$1"
status=0
# forbid FOLDER_GLOB INCLUDE_PREFIX...: no file directly in the folder (or below, for stages)
# may include a header under one of the prefixes.
forbid() {
  local files=$1; shift
  for prefix in "$@"; do
    if hits=$(grep -Hn "#include \"$prefix" $files 2>/dev/null); then
      echo "layering: $prefix included where the arrows forbid it:"
      echo "$hits"
      status=1
    fi
  done
}
forbid "common/*.h common/*.cc" common/probe/ common/capture/ common/history/ common/output/ config/ daemon/
forbid "common/probe/*" common/capture/ common/history/ common/output/ config/ daemon/
forbid "common/capture/*" common/history/ common/output/ config/ daemon/
forbid "common/history/*" common/probe/ common/capture/ common/output/ config/ daemon/
forbid "common/output/*/*" common/probe/ common/capture/ config/ daemon/
rooms="metrics status web store log print"
forbid "common/output/json/*" $(for r in $rooms; do echo common/output/$r/; done)
for room in $rooms; do
  forbid "common/output/$room/*" $(for r in $rooms; do [ "$r" = "$room" ] || echo common/output/$r/; done)
done
forbid "config/*" common/probe/ common/capture/ common/history/ common/output/ daemon/
[ $status -eq 0 ] && echo "layering: every include follows the arrows"
exit $status
