// Relaying a tunnel both ways between two sockets, as a forward proxy does after answering
// CONNECT with 200: a FIN is passed on as a FIN and a reset as a reset.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace proxywatch::testing {

// Copies each socket to the other until both directions have ended; bounded in reads.
boost::asio::awaitable<void> relay_both_ways(boost::asio::ip::tcp::socket& a,
                                             boost::asio::ip::tcp::socket& b);

}  // namespace proxywatch::testing
