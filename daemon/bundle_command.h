// `proxywatch bundle [-o FILE] [--config FILE]`: one tar.gz for a TAC case (docs/capture.md,
// "The support bundle"), readable before it is sent: README.txt first, saying what each file
// is and what could not be collected, then masked.txt and the parts of bundle_collect.h. The
// archive is written to FILE (default proxywatch-bundle-<host>-<UTC stamp>.tar.gz in the
// current directory; `-` is standard output), created mode 0600, never over an existing file.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "daemon/bundle_collect.h"
#include "daemon/exit_status.h"

namespace proxywatch {

// Runs the command: kExitOk once the archive is written (parts that failed are named in its
// README.txt), kExitBundleFailed when the configuration cannot be read or the archive cannot be
// written, kExitUsage for bad usage; one sentence on `err` says why. Progress goes to `err`.
int run_bundle_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The usage text.
std::string bundle_usage();

// The README.txt of `bundle` taken at `stamp` on `host` from the configuration `config_path`.
std::string bundle_readme(const BundleContents& bundle, const std::string& host,
                          const std::string& stamp, const std::string& config_path);

// Masks the secrets' bytes in every file of `bundle` (bundle_mask.h's safety net), then adds
// README.txt and masked.txt in front, themselves checked the same way.
void finish_bundle(BundleContents& bundle, const std::vector<Secret>& secrets,
                   const std::string& host, const std::string& stamp,
                   const std::string& config_path);

// Writes `bundle`'s files, in order, as a tar.gz to `fd` (directories before their files).
Result<void> write_bundle(const BundleContents& bundle, int fd, std::int64_t mtime);

}  // namespace proxywatch
