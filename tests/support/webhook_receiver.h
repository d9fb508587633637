// WebhookReceiver: the far end of Alertmanager's webhook_configs, as a pager or ticket system
// would be. It records every notification Alertmanager sends (one POST per group notification),
// so a test can count notifications per receiver, not only alerts.
#pragma once

#include "tests/support/io_thread.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace proxywatch::testing {

// One webhook POST, reduced to what the tests look at (Alertmanager's webhook payload, version 4).
struct Notification {
  std::chrono::steady_clock::time_point at{};
  std::string path{};                                        // the URL path it was posted to
  std::string status{};                                      // "firing" or "resolved"
  std::map<std::string, std::string> group_labels{};         // groupLabels
  std::vector<std::map<std::string, std::string>> alerts{};  // each alert's labels
  std::vector<std::string> alert_statuses{};                 // each alert's status
  std::vector<std::string> runbook_urls{};  // each alert's runbook_url annotation ("" if none)
  std::string body{};                       // the whole payload
};

// An HTTP server on 127.0.0.1:port(), on its own thread, answering every POST with 200 and
// recording it. Thread-safe accessors.
class WebhookReceiver {
 public:
  WebhookReceiver();
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:PORT" + path.
  std::string url(const std::string& path) const;

  // Every notification so far, oldest first.
  std::vector<Notification> notifications() const;

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(asio::ip::tcp::socket socket);

  IoThread io_;  // first: destroyed last, after the acceptor
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::vector<Notification> notifications_;
};

}  // namespace proxywatch::testing
