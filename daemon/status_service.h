// What the daemon shows: the listener with its routes (/metrics, the status page at /,
// /status.json), the status snapshot they render, copied from the registry's histories and the
// plan, and the one-line verdict STATUS= and the journal carry. It only shows: health comes
// from the registry. /history: history_page_route.h; /runbook/: runbook_route.h.
//
// Threads: the listener runs on a thread of its own (ListenerThread), so that serving cannot
// delay a probe. Its routes read only what is safe from there: the metrics registry (locked by
// prometheus-cpp), the history database (its own read-only connection), the capture files, and
// status snapshots. A snapshot is built on the io_context's thread when a page asks for one and
// the status changed (changed()), at most every kSnapshotReuse otherwise, and handed over
// immutable; rendered pages are shared by every reader of the same snapshot. While the probing
// thread is busy (a reload of thousands of targets), the last snapshot stands in after 0.1 s. Every
// member except the routes is for the io_context's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
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
#include "common/output/web/listener_thread.h"
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
  // Something a snapshot shows changed (a probe ended, the plan or a file changed): the next
  // page request gets a new one.
  void changed() { ++generation_; }

  // What the listeners refused so far. Any thread.
  const HttpServerStats& listener_stats() const { return *listener_stats_; }
  // The verdict in one line: "proxy 10.0.0.1:3128: 2 targets: 2 healthy", "proxy disabled:
  // /etc/sf/iprep_proxy.conf absent", with a note while the proxy file is rejected.
  std::string summary() const;

 private:
  // A snapshot and its renderings, made once and read by any number of requests.
  struct Published;

  HttpServer::Handlers routes();
  // On the listener's thread: the newest snapshot (see above), or null when none could be had
  // (the daemon is stopping, or its thread did not answer within kSnapshotWait).
  std::shared_ptr<Published> published();
  // On the listener's thread: pending_'s snapshot becomes published_.
  void adopt_pending();
  // On the listener's thread: /metrics, gzipped as it is written when `gzip`; plain text in a
  // string sized from the last plain scrape, so it is not grown (and copied) step by step.
  std::string render_metrics(bool gzip);

  boost::asio::io_context& io_;
  Metrics& metrics_;
  const PairRegistry& registry_;
  const config::Plan& plan_;
  const ConfigState& config_;
  const EvidenceStore* evidence_ = nullptr;
  HostPort address_;
  std::atomic<std::uint64_t> generation_{1};
  std::atomic<bool> stopping_{false};
  // The listener's thread only: the snapshot shown, and the one being built.
  std::shared_ptr<Published> published_;
  std::future<std::shared_ptr<const StatusSnapshot>> pending_;
  std::uint64_t pending_generation_ = 0;
  std::size_t last_metrics_size_ = 0;  // the listener's thread only
  std::chrono::steady_clock::time_point pending_started_{};
  const std::shared_ptr<HttpServerStats> listener_stats_ = std::make_shared<HttpServerStats>();
  // The servers are made and destroyed here, and stopped on the listener's thread (or here once
  // it has ended). One replaced by listen() is kept stopped until stop(): its sessions may still
  // be ending on the listener's thread.
  std::unique_ptr<HttpServer> server_;
  std::vector<std::unique_ptr<HttpServer>> retired_;
  ListenerThread listener_;  // last: destroyed (its io_context too) after the servers
  // The listener's Host allow-list, replaced whole by allow_hosts() while sessions read it.
  using HostCheck = std::atomic<std::shared_ptr<const HostAllowList>>;
  std::shared_ptr<HostCheck> hosts_;
  boost::asio::ip::address listen_ip_;
};

}  // namespace proxywatch
