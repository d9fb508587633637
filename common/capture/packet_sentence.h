// The facts the packet reading collects while it goes (packet_reading.cc), and the one sentence
// made of them: how the connection began, what never arrived, what was sent again, how it
// ended. Internal to common/capture.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace proxywatch::capture {

class PacketFacts {
 public:
  // Each call is one packet's fact; `outgoing` is the probe's side, `seconds` since the SYN.
  void syn(bool outgoing, double seconds);
  // A segment with payload: what it is and its IP packet's length.
  void data(bool outgoing, double seconds, const std::string& what, std::uint32_t ip_length);
  void retransmitted(bool outgoing, const std::string& original);
  void duplicate_ack(bool outgoing);
  void reset(bool outgoing, double seconds);
  void fin(bool outgoing, double seconds);
  void too_big(std::uint32_t mtu);
  void connections(unsigned count) { connections_ = count; }
  // Bytes the peer sent that never arrived, counted by the reading at the end.
  void set_missing_in(std::uint64_t bytes) { missing_in_ = bytes; }
  // The longest time without a packet: from `from` seconds, `length` seconds long.
  void set_silence(double from, double length) {
    silence_from_ = from;
    silence_ = length;
  }
  // Bytes of the peer's that were captured but never acknowledged by the probe.
  void set_unacknowledged_in(std::uint64_t bytes) { unacknowledged_in_ = bytes; }

  // The sentence, capitalised and ending with a full stop. `end` is the last packet's time;
  // `dropped` the packets past the capture's bound.
  std::string sentence(double end, std::uint64_t dropped) const;

 private:
  std::string beginning() const;
  // True when the last status line the proxy sent was a 2xx (its answer to CONNECT).
  bool answered_2xx() const;
  std::string ending() const;

  unsigned syns_out_ = 0;
  bool syn_in_ = false;
  double first_syn_ = 0;
  double last_syn_ = 0;
  std::optional<double> last_out_data_;
  std::string last_out_what_;
  std::optional<double> last_in_;  // any packet from the peer
  std::string last_status_line_;
  std::uint32_t largest_in_ = 0;
  std::uint64_t missing_in_ = 0;
  std::uint64_t unacknowledged_in_ = 0;
  std::map<std::string, unsigned> retransmitted_out_;
  unsigned retransmitted_in_ = 0;
  unsigned duplicate_acks_out_ = 0;
  std::optional<double> reset_by_peer_;
  std::optional<double> reset_by_us_;
  std::optional<double> fin_by_peer_;
  std::optional<double> fin_by_us_;
  std::optional<std::uint32_t> too_big_mtu_;
  unsigned connections_ = 1;
  double silence_from_ = 0;
  double silence_ = 0;
};

}  // namespace proxywatch::capture
