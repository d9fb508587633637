// What the daemon shows: the listener with its routes (/metrics, the status page at /,
// /status.json), the status snapshot they render, copied from the registry's histories and the
// plan, and the one-line verdict STATUS= and the journal carry. It only shows: health comes
// from the registry. Not thread-safe: the io_context thread only. /history: history_page_route.h.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include "common/error.h"
#include "common/history/pair_registry.h"
#include "common/output/metrics/metrics.h"
#include "common/output/status/status_snapshot.h"
#include "common/output/web/host_allow_list.h"
#include "common/output/web/http_server.h"
#include "config/plan.h"
#include "daemon/config_state.h"

namespace proxywatch {

class EvidenceStore;

class StatusService {
 public:
  // Shows `metrics`, `registry`'s pairs of `plan` and the files of `config`; all outlive this.
  // The history pages read state_dir's history.db (config's state_dir at listen()).
  StatusService(boost::asio::io_context& io, Metrics& metrics, const PairRegistry& registry,
                const config::Plan& plan, const ConfigState& config);
  ~StatusService();

  // Serves on `address` with `security` (TLS, basic auth), replacing the listener there was:
  // the old one stops only once the new one is bound, so a failed move keeps serving. An
  // error names the address and why.
  Result<void> listen(const HostPort& address, const HttpSecurity& security);
  // Answers requests for the hosts `names` (metrics_allowed_hosts) besides the listener's own
  // addresses and localhost from now on, e.g. after SIGHUP; listen() starts with the
  // configuration's.
  void allow_hosts(const std::vector<std::string>& names);
  // Where it serves; HostPort{} before the first listen().
  const HostPort& address() const { return address_; }
  // Stops serving.
  void stop();

  // Shows each pair's newest capture from `evidence` (capture: enabled; it outlives this).
  void show_captures(const EvidenceStore* evidence) { evidence_ = evidence; }

  // What the page and /status.json show now.
  StatusSnapshot snapshot() const;
  // The verdict in one line: "proxy 10.0.0.1:3128: 2 targets: 2 healthy", "proxy disabled:
  // /etc/sf/iprep_proxy.conf absent", with a note while the proxy file is rejected.
  std::string summary() const;

 private:
  HttpServer::Handlers routes(const HttpSecurity& security);

  boost::asio::io_context& io_;
  Metrics& metrics_;
  const PairRegistry& registry_;
  const config::Plan& plan_;
  const ConfigState& config_;
  const EvidenceStore* evidence_ = nullptr;
  std::unique_ptr<HttpServer> server_;
  HostPort address_;
  // The listener's Host allow-list, replaced whole by allow_hosts() while sessions read it.
  using HostCheck = std::atomic<std::shared_ptr<const HostAllowList>>;
  std::shared_ptr<HostCheck> hosts_;
  boost::asio::ip::address listen_ip_;
};

}  // namespace proxywatch
