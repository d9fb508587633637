// The reading follows each connection of the probe (ours is the side that sent the SYN): per
// direction the first sequence number, which bytes arrived (so a segment seen again is a
// retransmission and a jump is bytes that never arrived), the last pure ACK (a repeat is a
// duplicate ACK) and what the payload is (payload_reader.h). The facts go into PacketReading;
// packet_sentence.cc makes the closing sentence of them.
#include "common/capture/packet_reading.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "common/capture/packet_headers.h"
#include "common/capture/packet_sentence.h"
#include "common/capture/payload_reader.h"

namespace proxywatch {
namespace {

using capture::PacketEndpoint;
using capture::TcpSegment;

struct Side {
  bool started = false;
  std::uint32_t isn = 0;
  // Received byte ranges [begin, end) relative to the ISN, merged.
  std::map<std::uint32_t, std::uint32_t> seen;
  std::map<std::uint32_t, std::string> what_at;  // what a segment was, by its first byte
  std::optional<std::uint32_t> last_pure_ack;
  capture::PayloadReader payload;
};

struct Connection {
  PacketEndpoint ours;
  PacketEndpoint theirs;
  Side out;
  Side in;
  // The highest byte of the peer's the probe acknowledged (relative to the peer's ISN).
  std::uint32_t acknowledged_in = 1;
};

std::string flag_text(std::uint8_t flags) {
  std::string out;
  if (flags & capture::kSyn) out += 'S';
  if (flags & capture::kFin) out += 'F';
  if (flags & capture::kRst) out += 'R';
  if (flags & capture::kPsh) out += 'P';
  if (flags & capture::kAck) out += '.';
  return out.empty() ? "none" : out;
}

std::string syn_options(const TcpSegment& tcp) {
  std::string out;
  auto add = [&out](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
  if (tcp.mss) add("mss " + std::to_string(*tcp.mss));
  if (tcp.sack_permitted) add("sackOK");
  if (tcp.window_scale) add("wscale " + std::to_string(*tcp.window_scale));
  return out;
}

// How a segment's bytes [begin, end) relate to what the side sent before.
enum class Arrival { kInOrder, kAfterHole, kFillsHole, kRetransmission };

// Classifies [begin, end) against what was seen, then records it as seen. `hole` gets the
// bytes skipped between the highest byte seen so far and `begin`.
Arrival note_range(Side& side, std::uint32_t begin, std::uint32_t end, std::uint64_t& hole) {
  std::uint32_t highest = side.seen.empty() ? 1 : side.seen.rbegin()->second;
  hole = begin > highest ? begin - highest : 0;
  for (const auto& [b, e] : side.seen) {
    if (b <= begin && end <= e) return Arrival::kRetransmission;
  }
  auto [it, inserted] = side.seen.emplace(begin, end);
  if (!inserted) it->second = std::max(it->second, end);
  // Merge neighbours so the map stays small.
  for (auto cur = side.seen.begin(); cur != side.seen.end();) {
    auto next = std::next(cur);
    if (next == side.seen.end()) break;
    if (next->first <= cur->second) {
      cur->second = std::max(cur->second, next->second);
      side.seen.erase(next);
    } else {
      cur = next;
    }
  }
  if (hole > 0) return Arrival::kAfterHole;
  return begin < highest ? Arrival::kFillsHole : Arrival::kInOrder;
}

// Bytes between the side's first data byte and the highest one seen that never arrived.
std::uint64_t missing_bytes(const Side& side) {
  if (side.seen.empty()) return 0;
  std::uint64_t covered = 0;
  for (const auto& [b, e] : side.seen) covered += e - b;
  std::uint64_t span =
      side.seen.rbegin()->second - std::min<std::uint32_t>(1, side.seen.begin()->first);
  return span > covered ? span - covered : 0;
}

class Reader {
 public:
  explicit Reader(const ProbePackets& packets) : packets_(packets) {}
  PacketReading read();

 private:
  Connection* connection_of(const TcpSegment& tcp, bool& outgoing);
  void read_tcp(const CapturedPacket& packet, const TcpSegment& tcp, PacketLine& line);
  std::string describe_payload(Side& side, const CapturedPacket& packet, const TcpSegment& tcp,
                               bool outgoing, PacketLine& line);

  const ProbePackets& packets_;
  std::vector<Connection> connections_;
  PacketReading reading_;
  capture::PacketFacts facts_;
};

Connection* Reader::connection_of(const TcpSegment& tcp, bool& outgoing) {
  for (auto& c : connections_) {
    if (c.ours == tcp.source && c.theirs == tcp.destination) {
      outgoing = true;
      return &c;
    }
    if (c.ours == tcp.destination && c.theirs == tcp.source) {
      outgoing = false;
      return &c;
    }
  }
  // A new connection: ours is the side of the SYN, or else of the first packet seen.
  bool syn_ack = (tcp.flags & capture::kSyn) && (tcp.flags & capture::kAck);
  Connection c;
  c.ours = syn_ack ? tcp.destination : tcp.source;
  c.theirs = syn_ack ? tcp.source : tcp.destination;
  outgoing = !syn_ack;
  connections_.push_back(std::move(c));
  return &connections_.back();
}

std::string Reader::describe_payload(Side& side, const CapturedPacket& packet,
                                     const TcpSegment& tcp, bool outgoing, PacketLine& line) {
  std::uint32_t begin = tcp.seq - side.isn;
  std::uint32_t end = begin + tcp.payload_length;
  std::uint64_t hole = 0;
  Arrival arrival = note_range(side, begin, end, hole);
  if (arrival == Arrival::kRetransmission) {
    auto it = side.what_at.upper_bound(begin);
    std::string original = it == side.what_at.begin() ? "" : std::prev(it)->second;
    (outgoing ? reading_.retransmissions_out : reading_.retransmissions_in)++;
    facts_.retransmitted(outgoing, original);
    return "retransmission" + (original.empty() ? std::string() : " of " + original);
  }
  std::string what;
  if (arrival == Arrival::kAfterHole) {
    what = "after " + std::to_string(hole) + " bytes that did not arrive";
  } else if (arrival == Arrival::kFillsHole) {
    what = "fills a hole (arrived late)";
  } else {
    std::string_view payload(packet.bytes);
    payload = payload.substr(std::min(tcp.payload_offset, payload.size()), tcp.payload_captured);
    what = side.payload.describe(payload, tcp.payload_length);
  }
  side.what_at[begin] = what;
  auto ip_length =
      static_cast<std::uint32_t>(tcp.payload_offset - tcp.ip_offset) + tcp.payload_length;
  facts_.data(outgoing, line.seconds, what, ip_length);
  return what;
}

void Reader::read_tcp(const CapturedPacket& packet, const TcpSegment& tcp, PacketLine& line) {
  bool outgoing = false;
  Connection* c = connection_of(tcp, outgoing);
  line.connection = static_cast<unsigned>(c - connections_.data()) + 1;
  Side& side = outgoing ? c->out : c->in;
  line.direction = outgoing ? PacketDirection::kOut : PacketDirection::kIn;
  line.flags = flag_text(tcp.flags);
  if (tcp.flags & capture::kSyn) {
    side.started = true;
    side.isn = tcp.seq;
    line.options = syn_options(tcp);
    facts_.syn(outgoing, line.seconds);
  } else if (!side.started) {
    side.started = true;
    side.isn = tcp.seq - 1;
  }
  line.seq = tcp.seq - side.isn;
  line.length = tcp.payload_length;
  if (outgoing && (tcp.flags & capture::kAck) && c->in.started) {
    c->acknowledged_in = std::max(c->acknowledged_in, tcp.ack - c->in.isn);
  }
  if (tcp.payload_length > 0) {
    line.what = describe_payload(side, packet, tcp, outgoing, line);
  } else if (!(tcp.flags & (capture::kSyn | capture::kFin | capture::kRst))) {
    if (side.last_pure_ack == tcp.ack) {
      ++reading_.duplicate_acks;
      facts_.duplicate_ack(outgoing);
      line.what = std::string("duplicate ACK") + (tcp.has_sack_blocks ? " with SACK" : "");
    }
    side.last_pure_ack = tcp.ack;
  }
  if (tcp.payload_length > 0) side.last_pure_ack.reset();
  if (tcp.flags & capture::kRst) {
    (outgoing ? reading_.reset_by_us : reading_.reset_by_peer) = true;
    facts_.reset(outgoing, line.seconds);
  }
  if (tcp.flags & capture::kFin) {
    if (!outgoing) reading_.fin_by_peer = true;
    facts_.fin(outgoing, line.seconds);
  }
}

PacketReading Reader::read() {
  std::optional<std::chrono::system_clock::time_point> zero;
  for (const CapturedPacket& packet : packets_.packets) {
    auto parsed = capture::parse_packet(packets_.link_type, packet.bytes);
    if (!zero && parsed.tcp && (parsed.tcp->flags & capture::kSyn)) zero = packet.time;
  }
  if (!zero && !packets_.packets.empty()) zero = packets_.packets.front().time;
  double silence_from = 0;
  double silence = 0;
  for (const CapturedPacket& packet : packets_.packets) {
    PacketLine line;
    line.seconds = std::chrono::duration<double>(packet.time - *zero).count();
    if (!reading_.lines.empty() && line.seconds - reading_.lines.back().seconds > silence) {
      silence_from = reading_.lines.back().seconds;
      silence = line.seconds - silence_from;
    }
    line.wire_length = packet.wire_length;
    auto parsed = capture::parse_packet(packets_.link_type, packet.bytes);
    if (parsed.tcp) {
      read_tcp(packet, *parsed.tcp, line);
    } else if (parsed.too_big) {
      line.flags = "ICMP";
      line.direction = PacketDirection::kIn;
      line.what = "fragmentation needed, next-hop MTU " + std::to_string(parsed.too_big->mtu);
      reading_.icmp_frag_needed = true;
      facts_.too_big(parsed.too_big->mtu);
    } else {
      line.flags = "?";
      line.what = "not a TCP or ICMP packet the reading knows";
    }
    reading_.lines.push_back(std::move(line));
  }
  facts_.set_silence(silence_from, silence);
  if (connections_.size() > 1) facts_.connections(static_cast<unsigned>(connections_.size()));
  double end = reading_.lines.empty() ? 0 : reading_.lines.back().seconds;
  std::uint64_t unacknowledged = 0;
  for (const Connection& c : connections_) {
    reading_.missing_in_bytes += missing_bytes(c.in);
    std::uint32_t highest = c.in.seen.empty() ? 1 : c.in.seen.rbegin()->second;
    if (highest > c.acknowledged_in) unacknowledged += highest - c.acknowledged_in;
  }
  facts_.set_missing_in(reading_.missing_in_bytes);
  facts_.set_unacknowledged_in(unacknowledged);
  reading_.reading = facts_.sentence(end, packets_.dropped);
  return std::move(reading_);
}

}  // namespace

PacketReading read_packets(const ProbePackets& packets) {
  return Reader(packets).read();
}

std::string format_packet_reading(const PacketReading& reading, const std::string& indent) {
  std::string out;
  char buffer[96];
  bool several = std::any_of(reading.lines.begin(), reading.lines.end(),
                             [](const PacketLine& l) { return l.connection > 1; });
  for (const PacketLine& line : reading.lines) {
    if (several) out += indent + "#" + std::to_string(line.connection);
    std::snprintf(buffer, sizeof buffer, "%9.6f %s %-4s seq %-7u len %-5u", line.seconds,
                  line.direction == PacketDirection::kOut ? ">" : "<", line.flags.c_str(), line.seq,
                  line.length);
    std::string text = buffer;
    if (!line.options.empty()) text += " " + line.options;
    if (!line.what.empty()) text += " " + line.what;
    text.erase(text.find_last_not_of(' ') + 1);
    out += (several ? " " : indent) + text + "\n";
  }
  out += indent + "reading: " + reading.reading + "\n";
  return out;
}

}  // namespace proxywatch
