// The structured stderr lines that --log.format chooses (LogFormat, log.h), one per message as
// Prometheus' exporters write them:
//   logfmt: ts=2026-12-05T12:00:00.123Z level=info msg="now watching proxy" proxy=10.0.0.1:3128
//   json:   {"ts":"2026-12-05T12:00:00.123Z","level":"info","msg":"...","proxy":"10.0.0.1:3128"}
// An event's fields (log.h, Event) follow the message under their journal names in lower case
// (message_id, proxy, target, outcome ...). Internal to the log library: log.cc installs these
// formatters and hands them an event's fields.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/formatter.h>

#include "common/output/log/log.h"

namespace proxywatch::log_detail {

// (journal field name, raw value) pairs; values are sanitized when written.
using EventFields = std::vector<std::pair<std::string_view, std::string>>;

// A formatter of kLogfmt or kJson lines (not kPlain: that is a spdlog pattern).
std::unique_ptr<spdlog::formatter> make_structured_formatter(LogFormat format);

// While one lives, the structured formatters add `fields` to the lines this thread logs: the
// line of the event being logged (spdlog's loggers format on the calling thread).
class EventFieldsScope {
 public:
  explicit EventFieldsScope(const EventFields& fields);
  ~EventFieldsScope();
  EventFieldsScope(const EventFieldsScope&) = delete;
  EventFieldsScope& operator=(const EventFieldsScope&) = delete;

 private:
  const EventFields* previous_;
};

}  // namespace proxywatch::log_detail
