// FakeDns: RFC 1035 §4.1 messages, as little of them as c-ares' queries need: one question, no
// EDNS, answers that point back at the question's name (compression, §4.1.4).
#include "tests/support/fake_dns.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <stdexcept>

namespace proxywatch::testing {
namespace {

constexpr std::size_t kDnsHeaderBytes = 12;
constexpr int kRcodeServfail = 2;
constexpr int kRcodeNxdomain = 3;

void put16(std::string& out, unsigned value) {
  out.push_back(static_cast<char>((value >> 8) & 0xff));
  out.push_back(static_cast<char>(value & 0xff));
}

void put32(std::string& out, std::uint32_t value) {
  put16(out, value >> 16);
  put16(out, value & 0xffff);
}

}  // namespace

FakeDns::FakeDns(std::map<std::string, Name> names) : names_(std::move(names)) {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd_ >= 0) ::close(fd_);
    throw std::runtime_error("FakeDns: cannot bind a UDP socket on 127.0.0.1");
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

FakeDns::~FakeDns() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

std::string FakeDns::servers() const {
  return "127.0.0.1:" + std::to_string(port_);
}

void FakeDns::serve() {
  unsigned char buffer[512];
  while (!stop_) {
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    sockaddr_in from{};
    socklen_t from_len = sizeof from;
    ssize_t n =
        ::recvfrom(fd_, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < static_cast<ssize_t>(kDnsHeaderBytes)) continue;
    ++queries_;
    std::string answer = reply(buffer, static_cast<std::size_t>(n));
    if (answer.empty()) continue;
    ::sendto(fd_, answer.data(), answer.size(), 0, reinterpret_cast<sockaddr*>(&from), from_len);
  }
}

std::string FakeDns::reply(const unsigned char* query, std::size_t size) const {
  // The question: labels up to the root, then QTYPE and QCLASS.
  std::size_t at = kDnsHeaderBytes;
  std::string name;
  while (at < size && query[at] != 0) {
    std::size_t len = query[at++];
    if (at + len > size) return {};
    if (!name.empty()) name.push_back('.');
    for (std::size_t i = 0; i < len; ++i) {
      name.push_back(static_cast<char>(std::tolower(query[at + i])));
    }
    at += len;
  }
  if (at + 5 > size) return {};
  const std::size_t question_end = at + 5;
  const unsigned qtype = (query[at + 1] << 8) | query[at + 2];
  auto it = names_.find(name);
  if (it != names_.end() && it->second.reply == Reply::kSilent) return {};
  int rcode = it == names_.end() ? kRcodeNxdomain : 0;
  if (it != names_.end() && it->second.reply == Reply::kServfail) rcode = kRcodeServfail;
  const bool answered = rcode == 0 && qtype == 1;            // A
  std::string out(reinterpret_cast<const char*>(query), 2);  // the query's ID
  put16(out, 0x8180 | rcode);                                // QR, RD, RA
  put16(out, 1);
  put16(out, answered ? 1 : 0);
  put16(out, 0);
  put16(out, 0);
  out.append(reinterpret_cast<const char*>(query) + kDnsHeaderBytes,
             question_end - kDnsHeaderBytes);
  if (!answered) return out;
  in_addr address{};
  ::inet_pton(AF_INET, it->second.ipv4.c_str(), &address);
  put16(out, 0xc000 | kDnsHeaderBytes);  // the question's name
  put16(out, 1);                         // A
  put16(out, 1);                         // IN
  put32(out, it->second.ttl);
  put16(out, 4);
  out.append(reinterpret_cast<const char*>(&address), 4);
  return out;
}

}  // namespace proxywatch::testing
