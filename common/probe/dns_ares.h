// The stateless side of c-ares for dns_lookup.cc: its statuses as Errors, and the socket calls
// it makes through us, so that a socket(2) refused for lack of descriptors or memory is known as
// such (c-ares itself reports only "could not contact DNS servers").
#pragma once

#include <ares.h>

#include "common/error.h"

namespace proxywatch {

// The Error for c-ares status `status` (dns_lookup.h's DnsAnswer lists the codes), its message
// c-ares' text with the DNS answer code where one applies ("Domain name not found (NXDOMAIN)").
Error ares_failure(int status);

// Where kDnsSocketFunctions keep the errno of the last socket(2) that failed (0: none);
// passed as their user data.
struct DnsSocketErrno {
  int last = 0;
};

// socket(2) (non-blocking, close-on-exec), close, connect, recvfrom and writev, as c-ares
// would call them itself, recording a failed socket(2)'s errno.
extern const ares_socket_functions kDnsSocketFunctions;

}  // namespace proxywatch
