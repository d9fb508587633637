// What `proxywatch --version` prints, in the form of Prometheus' exporters (Go's
// prometheus/common/version): the version with the revision it was built from, then the build
// date and the compiler. The revision and the date come from CMake (the top-level
// CMakeLists.txt): `git describe` and SOURCE_DATE_EPOCH or the commit's date, so two builds of
// one commit print the same text (reproducible builds).
#pragma once

#include <string>

namespace proxywatch {

// "proxywatch, version 0.1.0 (revision: 4604fb9e45e1)\n  build date: 20261205-12:00:00\n
// compiler: g++ 12.2.0\n" (each line indented as in Prometheus' exporters).
std::string version_text();

}  // namespace proxywatch
