// A token bucket per client address, in a bounded table.
#include "common/output/web/auth_throttle.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace proxywatch {

void AuthThrottle::refill(Bucket& bucket, Clock::time_point now) {
  const double refilled = std::chrono::duration<double>(now - bucket.updated) /
                          std::chrono::duration<double>(kAuthRefill);
  if (refilled <= 0) return;
  bucket.tokens = std::min<double>(kAuthBurst, bucket.tokens + refilled);
  bucket.updated = now;
}

bool AuthThrottle::allows(const boost::asio::ip::address& client, Clock::time_point now,
                          std::chrono::seconds* retry_after) {
  auto it = buckets_.find(client);
  if (it == buckets_.end()) return true;
  refill(it->second, now);
  if (it->second.tokens >= 1) return true;
  if (retry_after) {
    const double wait = (1 - it->second.tokens) * static_cast<double>(kAuthRefill.count());
    *retry_after = std::chrono::seconds(static_cast<long>(std::ceil(wait)));
  }
  return false;
}

void AuthThrottle::take(const boost::asio::ip::address& client, Clock::time_point now) {
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    make_room(now);
    it = buckets_.emplace(client, Bucket{.tokens = kAuthBurst, .updated = now, .last_failure = now})
             .first;
  }
  refill(it->second, now);
  it->second.tokens = std::max(0.0, it->second.tokens - 1);
  it->second.last_failure = now;
}

void AuthThrottle::give_back(const boost::asio::ip::address& client) {
  auto it = buckets_.find(client);
  if (it != buckets_.end()) it->second.tokens = std::min<double>(kAuthBurst, it->second.tokens + 1);
}

void AuthThrottle::make_room(Clock::time_point now) {
  if (buckets_.size() < kAuthMaxClients) return;
  // A full bucket is nothing to remember: it is a new client's.
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    refill(it->second, now);
    it = it->second.tokens >= kAuthBurst ? buckets_.erase(it) : std::next(it);
  }
  if (buckets_.size() < kAuthMaxClients) return;
  buckets_.erase(std::min_element(
      buckets_.begin(), buckets_.end(),
      [](const auto& a, const auto& b) { return a.second.last_failure < b.second.last_failure; }));
}

}  // namespace proxywatch
