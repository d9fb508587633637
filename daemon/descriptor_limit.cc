// RLIMIT_NOFILE at start: getrlimit(2), setrlimit(2) up to the hard limit, one warning.
#include "daemon/descriptor_limit.h"

#include <sys/resource.h>

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace proxywatch {

std::uint64_t descriptors_needed(std::size_t targets, std::size_t max_concurrent) {
  return std::min<std::uint64_t>(targets, max_concurrent) * kDescriptorsPerProbe +
         kDaemonOwnDescriptors;
}

std::optional<std::string> descriptor_warning(std::uint64_t limit, std::uint64_t needed) {
  if (needed <= limit) return std::nullopt;
  return fmt::format(
      "the file descriptor limit ({}) is below what the probes may need ({}): probes that "
      "cannot open a socket end local_error and count against no proxy; raise LimitNOFILE= "
      "(systemd) or lower max_concurrent_probes",
      limit, needed);
}

void raise_descriptor_limit(std::size_t targets, std::size_t max_concurrent) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  std::uint64_t soft = limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : limit.rlim_cur;
  if (auto warning = descriptor_warning(soft, descriptors_needed(targets, max_concurrent))) {
    spdlog::warn("{}", *warning);
  }
}

}  // namespace proxywatch
