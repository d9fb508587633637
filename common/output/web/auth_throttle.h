// AuthThrottle: how many passwords a client may have verified. Each client address has a bucket
// of kAuthBurst tries that refills at one per kAuthRefill; each verification takes one when it
// starts (so a flood of parallel requests is throttled before its answers are known) and a right
// password gives it back; a client with an empty bucket is answered 429 without its password
// being verified at all. A right password costs nothing, and a scraper whose password was accepted
// before is never throttled (it is known without a bcrypt). So a client guessing passwords gets 10
// tries, then one every 2 s, and a crowd of such clients cannot keep the bcrypt workers busy for
// long.
//
// The table is bounded (kAuthMaxClients): when it is full, a client whose bucket has refilled is
// forgotten first, else the one that failed longest ago.
//
// Thread-safety: not thread-safe (the listener's thread uses it).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>

#include <boost/asio/ip/address.hpp>

namespace proxywatch {

inline constexpr int kAuthBurst = 10;
inline constexpr std::chrono::seconds kAuthRefill{2};
inline constexpr std::size_t kAuthMaxClients = 4096;

class AuthThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  // Whether `client` may have a password verified now; when not, `retry_after` (if given) is
  // set to the seconds until it may.
  bool allows(const boost::asio::ip::address& client, Clock::time_point now,
              std::chrono::seconds* retry_after = nullptr);
  // A verification for `client` starts at `now`: takes one try (call after allows()).
  void take(const boost::asio::ip::address& client, Clock::time_point now);
  // The password was right: the try is given back.
  void give_back(const boost::asio::ip::address& client);

  // Clients with a bucket not yet full.
  std::size_t clients() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens = kAuthBurst;
    Clock::time_point updated;       // when `tokens` was last refilled
    Clock::time_point last_failure;  // for forgetting the longest-quiet client first
  };
  // Refills `bucket` up to `now`.
  static void refill(Bucket& bucket, Clock::time_point now);
  void make_room(Clock::time_point now);

  std::map<boost::asio::ip::address, Bucket> buckets_;
};

}  // namespace proxywatch
