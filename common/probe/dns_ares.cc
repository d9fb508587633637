// c-ares' statuses in the error vocabulary, and its socket calls.
#include "common/probe/dns_ares.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

#include <boost/asio/error.hpp>

namespace proxywatch {

namespace {
namespace asio = boost::asio;
}  // namespace

Error ares_failure(int status) {
  std::error_code code;
  const char* rcode = "";
  switch (status) {
    case ARES_ENOTFOUND:
      code = boost::system::error_code(asio::error::host_not_found);
      rcode = " (NXDOMAIN)";
      break;
    case ARES_ENODATA:
      code = boost::system::error_code(asio::error::no_data);
      break;
    case ARES_ETIMEOUT:
      code = std::make_error_code(std::errc::timed_out);
      break;
    case ARES_ENOMEM:
      code = std::make_error_code(std::errc::not_enough_memory);
      break;
    case ARES_ECONNREFUSED:
      // c-ares tries the next server after a SERVFAIL or REFUSED, as the C library does, and
      // when none is left reports only that none answered.
      return Error{.kind = Error::Kind::kUnreadable,
                   .message = "no DNS server gave an answer (SERVFAIL, REFUSED or unreachable)",
                   .code = boost::system::error_code(asio::error::host_not_found_try_again)};
    case ARES_ESERVFAIL:
      rcode = " (SERVFAIL)";
      [[fallthrough]];
    default:  // a malformed answer, a bad name ...
      code = boost::system::error_code(asio::error::host_not_found_try_again);
      break;
  }
  return Error{.kind = Error::Kind::kUnreadable,
               .message = std::string(ares_strerror(status)) + rcode,
               .code = code};
}

// c-ares' socket calls (kDnsSocketFunctions), so that a socket(2) refused for lack of descriptors
// or memory is known as such (c-ares itself reports only "could not contact DNS servers").

namespace {

ares_socket_t dns_socket(int domain, int type, int protocol, void* data) {
  int fd = ::socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) static_cast<DnsSocketErrno*>(data)->last = errno;
  return fd;
}
int dns_close(ares_socket_t fd, void*) {
  return ::close(fd);
}
int dns_connect(ares_socket_t fd, const sockaddr* addr, ares_socklen_t len, void*) {
  return ::connect(fd, addr, len);
}
ares_ssize_t dns_recvfrom(ares_socket_t fd, void* buf, size_t n, int flags, sockaddr* from,
                          ares_socklen_t* from_len, void*) {
  return ::recvfrom(fd, buf, n, flags, from, from_len);
}
ares_ssize_t dns_sendv(ares_socket_t fd, const iovec* iov, int count, void*) {
  return ::writev(fd, iov, count);
}
}  // namespace

const ares_socket_functions kDnsSocketFunctions{dns_socket, dns_close, dns_connect, dns_recvfrom,
                                                dns_sendv};

}  // namespace proxywatch
