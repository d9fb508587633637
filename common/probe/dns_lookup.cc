// The resolver service: one c-ares channel per io_context, driven from that io_context (its
// sockets watched with Asio descriptors through c-ares' socket-state callback, its retries by
// one timer), a map of lookups in flight each with the probes waiting for it, and the cache of
// answers (dns_lookup.h says what is kept and for how long).
#include "common/probe/dns_lookup.h"

#include <ares.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/local_errors.h"
#include "common/probe/dns_ares.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// A probe waiting for a lookup. Touched on the io_context's thread only.
struct DnsWaiter {
  asio::steady_timer* timer = nullptr;  // the probe's; nullptr once it stopped waiting
  bool done = false;
  Result<std::vector<asio::ip::address>> answer = std::vector<asio::ip::address>{};
};

// One c-ares socket, watched while a lookup is in flight.
struct DnsWatch {
  explicit DnsWatch(const asio::any_io_executor& ex) : descriptor(ex) {}
  asio::posix::stream_descriptor descriptor;
  bool want_read = false, want_write = false;  // what c-ares asked for
  bool reading = false, writing = false;       // an async_wait is pending
  bool gone = false;                           // c-ares closed it: ignore late completions
};

struct DnsCacheEntry {
  std::vector<asio::ip::address> addresses;
  SteadyClock::time_point expires;
};

class DnsCore : public std::enable_shared_from_this<DnsCore> {
 public:
  DnsCore(asio::any_io_executor ex, DnsOptions options)
      : ex_(std::move(ex)), options_(std::move(options)), timer_(ex_) {}
  ~DnsCore() {
    destroying_ = true;
    for (auto& [fd, watch] : watches_) {
      watch->gone = true;
      watch->descriptor.release();  // c-ares closes its own sockets
    }
    if (channel_) ares_destroy(channel_);
  }
  DnsCore(const DnsCore&) = delete;
  DnsCore& operator=(const DnsCore&) = delete;

  // Opens the channel; an error says why no lookup can be made.
  std::optional<Error> open() {
    static std::once_flag library;
    std::call_once(library, [] { ares_library_init(ARES_LIB_INIT_ALL); });
    ares_options o{};
    int mask = ARES_OPT_SOCK_STATE_CB;
    o.sock_state_cb = &DnsCore::on_socket_state;
    o.sock_state_cb_data = this;
    if (!options_.lookups.empty()) {
      o.lookups = options_.lookups.data();
      mask |= ARES_OPT_LOOKUPS;
    }
    if (int s = ares_init_options(&channel_, &o, mask); s != ARES_SUCCESS) {
      channel_ = nullptr;
      return ares_failure(s);
    }
    ares_set_socket_functions(channel_, &kDnsSocketFunctions, &socket_errno_);
    if (!options_.servers.empty()) {
      if (int s = ares_set_servers_ports_csv(channel_, options_.servers.c_str()); s) {
        return ares_failure(s);
      }
    }
    return std::nullopt;
  }

  const DnsOptions& options() const { return options_; }
  std::uint64_t started() const { return started_; }

  // The reused answer for `host`, if one is still fresh.
  const std::vector<asio::ip::address>* cached(const std::string& host) {
    auto it = cache_.find(host);
    if (it == cache_.end()) return nullptr;
    if (SteadyClock::now() < it->second.expires) return &it->second.addresses;
    cache_.erase(it);
    return nullptr;
  }

  // Adds `waiter` to the lookup of `host`, starting one when none is in flight.
  void join(const std::string& host, std::shared_ptr<DnsWaiter> waiter) {
    auto [it, fresh] = inflight_.try_emplace(host);
    it->second.push_back(std::move(waiter));
    if (!fresh) return;
    if (inflight_.size() == 1) socket_errno_.last = 0;
    ++started_;
    ares_addrinfo_hints hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    auto* arg = new std::pair<std::weak_ptr<DnsCore>, std::string>(weak_from_this(), host);
    // May answer before it returns (/etc/hosts): the waiter is already in place.
    ares_getaddrinfo(channel_, host.c_str(), nullptr, &hints, &DnsCore::on_answer, arg);
    arm();
  }

  // A waiter stopped waiting (its deadline, or its probe's end). When nobody waits any more,
  // the lookups in flight are cancelled, so that they do not hold the io_context.
  void leave() {
    for (const auto& [host, waiters] : inflight_) {
      for (const auto& w : waiters) {
        if (w->timer) return;
      }
    }
    if (!inflight_.empty()) ares_cancel(channel_);
    inflight_.clear();  // whether or not c-ares called back for each
    arm();
  }

 private:
  static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable) {
    auto* core = static_cast<DnsCore*>(data);
    if (core->destroying_) return;
    auto it = core->watches_.find(fd);
    if (!readable && !writable) {
      if (it == core->watches_.end()) return;
      it->second->gone = true;
      it->second->descriptor.release();
      core->watches_.erase(it);
      return;
    }
    if (it == core->watches_.end()) {
      auto watch = std::make_shared<DnsWatch>(core->ex_);
      // Never throws into c-ares: a socket that cannot be watched is left to c-ares' timeout.
      boost::system::error_code ec;
      watch->descriptor.assign(fd, ec);
      if (ec) return;
      it = core->watches_.emplace(fd, std::move(watch)).first;
    }
    it->second->want_read = readable != 0;
    it->second->want_write = writable != 0;
  }

  static void on_answer(void* arg, int status, int, ares_addrinfo* info) {
    std::unique_ptr<std::pair<std::weak_ptr<DnsCore>, std::string>> owned(
        static_cast<std::pair<std::weak_ptr<DnsCore>, std::string>*>(arg));
    std::shared_ptr<DnsCore> core = owned->first.lock();
    if (core && !core->destroying_) core->finish(owned->second, status, info);
    if (info) ares_freeaddrinfo(info);
  }

  void finish(const std::string& host, int status, const ares_addrinfo* info) {
    auto it = inflight_.find(host);
    if (it == inflight_.end()) return;
    Result<std::vector<asio::ip::address>> answer = addresses(host, status, info);
    for (const auto& w : it->second) {
      if (!w->timer) continue;
      w->answer = answer;
      w->done = true;
      w->timer->cancel();
    }
    inflight_.erase(it);
  }

  // The answer's addresses, kept in the cache for their reuse time; or why there are none.
  Result<std::vector<asio::ip::address>> addresses(const std::string& host, int status,
                                                   const ares_addrinfo* info) {
    if (status != ARES_SUCCESS) {
      if (local_reason(std::error_code(socket_errno_.last, std::system_category()))) {
        return dns_error(std::error_code(socket_errno_.last, std::system_category()));
      }
      return ares_failure(status);
    }
    std::vector<asio::ip::address> out;
    int ttl = -1;
    for (const ares_addrinfo_node* n = info ? info->nodes : nullptr; n; n = n->ai_next) {
      if (n->ai_family == AF_INET) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(n->ai_addr);
        out.emplace_back(asio::ip::address_v4(ntohl(sin->sin_addr.s_addr)));
      } else if (n->ai_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(n->ai_addr);
        asio::ip::address_v6::bytes_type bytes;
        std::copy_n(sin6->sin6_addr.s6_addr, bytes.size(), bytes.begin());
        out.emplace_back(asio::ip::address_v6(bytes, sin6->sin6_scope_id));
      } else {
        continue;
      }
      ttl = ttl < 0 ? n->ai_ttl : std::min(ttl, n->ai_ttl);
    }
    if (out.empty()) return ares_failure(ARES_ENODATA);
    Millis keep = dns_reuse_time(ttl, options_);
    if (keep.count() > 0) cache_[host] = DnsCacheEntry{out, SteadyClock::now() + keep};
    return out;
  }

  // Waits on what c-ares asked for, and for its next retry, while a lookup is in flight.
  void arm() {
    if (inflight_.empty()) {
      for (auto& [fd, watch] : watches_) watch->descriptor.cancel();
      timer_.cancel();
      return;
    }
    for (auto& [fd, watch] : watches_) {
      if (watch->want_read && !watch->reading) wait(watch, true);
      if (watch->want_write && !watch->writing) wait(watch, false);
    }
    timeval tv{};
    if (!ares_timeout(channel_, nullptr, &tv)) return;
    timer_.expires_after(std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
    timer_.async_wait([self = weak_from_this()](boost::system::error_code ec) {
      auto core = self.lock();
      if (ec || !core || core->destroying_) return;
      ares_process_fd(core->channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      core->arm();
    });
  }

  void wait(const std::shared_ptr<DnsWatch>& watch, bool read) {
    (read ? watch->reading : watch->writing) = true;
    auto type =
        read ? asio::posix::descriptor_base::wait_read : asio::posix::descriptor_base::wait_write;
    watch->descriptor.async_wait(
        type, [self = weak_from_this(), watch, read](boost::system::error_code ec) {
          (read ? watch->reading : watch->writing) = false;
          auto core = self.lock();
          if (ec || watch->gone || !core || core->destroying_) return;
          int fd = watch->descriptor.native_handle();
          ares_process_fd(core->channel_, read ? fd : ARES_SOCKET_BAD, read ? ARES_SOCKET_BAD : fd);
          core->arm();
        });
  }

  asio::any_io_executor ex_;
  DnsOptions options_;
  ares_channel channel_ = nullptr;
  DnsSocketErrno socket_errno_;
  bool destroying_ = false;
  std::uint64_t started_ = 0;
  asio::steady_timer timer_;
  std::map<int, std::shared_ptr<DnsWatch>> watches_;
  std::map<std::string, std::vector<std::shared_ptr<DnsWaiter>>> inflight_;
  std::map<std::string, DnsCacheEntry> cache_;
};

// The resolver of one io_context: its DnsCore, opened at the first lookup.
class DnsService : public asio::execution_context::service {
 public:
  static inline asio::execution_context::id id;
  explicit DnsService(asio::execution_context& context) : service(context) {}

  void configure(DnsOptions options) {
    if (!core_) options_ = std::move(options);
  }
  std::uint64_t started() const { return core_ ? core_->started() : 0; }

  // The core, opened on `ex` at the first call; an error when c-ares cannot start.
  Result<DnsCore*> core(const asio::any_io_executor& ex) {
    if (!core_) {
      auto core = std::make_shared<DnsCore>(ex, options_);
      if (auto error = core->open()) return *error;
      core_ = std::move(core);
    }
    return core_.get();
  }

 private:
  void shutdown() override { core_.reset(); }

  DnsOptions options_;
  std::shared_ptr<DnsCore> core_;
};

// Takes the waiter out of its lookup when the probe stops waiting by any path, including the
// destruction of its frame when the io_context shuts down mid-wait.
struct DnsLeaveOnExit {
  std::shared_ptr<DnsWaiter> waiter;
  std::weak_ptr<DnsCore> core;
  ~DnsLeaveOnExit() {
    waiter->timer = nullptr;
    if (auto c = core.lock()) c->leave();
  }
};

DnsAnswer with_port(const std::vector<asio::ip::address>& addresses, std::uint16_t port) {
  std::vector<tcp::endpoint> endpoints;
  for (const auto& a : addresses) endpoints.emplace_back(a, port);
  return endpoints;
}

}  // namespace

Error dns_error(std::error_code code) {
  return Error{.kind = Error::Kind::kUnreadable, .message = code.message(), .code = code};
}

Millis dns_reuse_time(int ttl_seconds, const DnsOptions& options) {
  Millis ttl = std::chrono::seconds(std::max(ttl_seconds, 0));
  return std::clamp(ttl, options.min_ttl, std::max(options.min_ttl, options.max_ttl));
}

void configure_dns(asio::execution_context& context, DnsOptions options) {
  asio::use_service<DnsService>(context).configure(std::move(options));
}

std::uint64_t dns_lookups_started(asio::execution_context& context) {
  return asio::use_service<DnsService>(context).started();
}

asio::awaitable<DnsAnswer> resolve_with_deadline(std::string host, std::uint16_t port,
                                                 Millis deadline) {
  auto ex = co_await asio::this_coro::executor;
  auto& service = asio::use_service<DnsService>(asio::query(ex, asio::execution::context));
  auto opened = service.core(ex);
  if (!opened) co_return opened.error();
  DnsCore* core = *opened;
  if (const auto* addresses = core->cached(host)) co_return with_port(*addresses, port);
  asio::steady_timer timer(ex, deadline);
  auto waiter = std::make_shared<DnsWaiter>();
  waiter->timer = &timer;
  DnsLeaveOnExit guard{waiter, core->weak_from_this()};  // after the timer: runs before it dies
  core->join(host, waiter);
  if (!waiter->done) co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!waiter->done) co_return dns_error(std::make_error_code(std::errc::timed_out));
  if (!waiter->answer) co_return waiter->answer.error();
  co_return with_port(*waiter->answer, port);
}

}  // namespace proxywatch
