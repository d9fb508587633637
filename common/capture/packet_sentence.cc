// The sentence reads in the order an engineer reads the capture: did the connection open, did
// a router complain, what never arrived, what was sent again, and who ended it how.
#include "common/capture/packet_sentence.h"

#include <cctype>
#include <cstdio>
#include <vector>

namespace proxywatch::capture {
namespace {

// A pause in the packets worth a word: TCP's own timers (delayed ACKs, the first RTO) stay under.
constexpr double kLongSilence = 1.0;

std::string seconds_text(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, s < 10 ? "%.2f s" : "%.1f s", s);
  return buffer;
}

std::string times(unsigned n) {
  if (n == 1) return "once";
  if (n == 2) return "twice";
  return std::to_string(n) + " times";
}

// "TLS ClientHello (578 bytes, SNI x)" → "ClientHello"; "CONNECT a:443 with …" → "CONNECT".
std::string short_name(const std::string& what) {
  if (what.empty()) return "segment";
  std::string s = what.starts_with("TLS ") ? what.substr(4) : what;
  std::size_t cut = s.find_first_of(" (,");
  return s.substr(0, cut);
}

}  // namespace

void PacketFacts::syn(bool outgoing, double seconds) {
  if (!outgoing) {
    syn_in_ = true;
    last_in_ = seconds;
    return;
  }
  if (syns_out_++ == 0) first_syn_ = seconds;
  last_syn_ = seconds;
}

void PacketFacts::data(bool outgoing, double seconds, const std::string& what,
                       std::uint32_t ip_length) {
  if (outgoing) {
    last_out_data_ = seconds;
    // A segment in the middle of a record says nothing of its own: the record is named.
    if (!what.empty()) last_out_what_ = what;
    return;
  }
  last_in_ = seconds;
  largest_in_ = std::max(largest_in_, ip_length);
  if (what.starts_with("HTTP/1.")) last_status_line_ = what;
}

void PacketFacts::retransmitted(bool outgoing, const std::string& original) {
  if (outgoing) {
    ++retransmitted_out_[short_name(original)];
  } else {
    ++retransmitted_in_;
  }
}

void PacketFacts::duplicate_ack(bool outgoing) {
  if (outgoing) ++duplicate_acks_out_;
}

void PacketFacts::reset(bool outgoing, double seconds) {
  auto& when = outgoing ? reset_by_us_ : reset_by_peer_;
  if (!when) when = seconds;
  if (!outgoing) last_in_ = seconds;
}

void PacketFacts::fin(bool outgoing, double seconds) {
  auto& when = outgoing ? fin_by_us_ : fin_by_peer_;
  if (!when) when = seconds;
  if (!outgoing) last_in_ = seconds;
}

void PacketFacts::too_big(std::uint32_t mtu) {
  too_big_mtu_ = mtu;
}

bool PacketFacts::answered_2xx() const {
  return last_status_line_.starts_with("HTTP/1.1 2") || last_status_line_.starts_with("HTTP/1.0 2");
}

std::string PacketFacts::beginning() const {
  if (syns_out_ == 0 || syn_in_) return {};
  if (reset_by_peer_) return "the proxy refused the connection (RST to the SYN)";
  return "the proxy never answered the SYN (sent " + times(syns_out_) + " over " +
         seconds_text(last_syn_ - first_syn_) + ")";
}

std::string PacketFacts::ending() const {
  if (reset_by_peer_) {
    std::string out =
        "the proxy reset the connection " + seconds_text(*reset_by_peer_) + " after the SYN";
    if (last_out_data_) out += ", after the " + short_name(last_out_what_);
    return out;
  }
  if (reset_by_us_ && !fin_by_peer_) return "the probe reset the connection";
  if (fin_by_peer_ && (!fin_by_us_ || *fin_by_peer_ <= *fin_by_us_)) {
    std::string out =
        "the proxy closed the connection (FIN) " + seconds_text(*fin_by_peer_) + " after the SYN";
    if (!last_status_line_.empty() && !answered_2xx()) out += ", right after its answer";
    return out;
  }
  if (fin_by_us_) return "the probe closed the connection";
  return {};
}

std::string PacketFacts::sentence(double end, std::uint64_t dropped) const {
  std::vector<std::string> parts;
  if (syns_out_ == 0 && !syn_in_ && !last_in_ && !last_out_data_) {
    parts.push_back("no packet of the probe's connection was captured");
  } else if (std::string begun = beginning(); !begun.empty()) {
    parts.push_back(begun);
  } else {
    if (too_big_mtu_) {
      parts.push_back("a router on the path answered \"fragmentation needed\" (next-hop MTU " +
                      std::to_string(*too_big_mtu_) + ")");
    }
    if (missing_in_ > 0) {
      std::string part = std::to_string(missing_in_) + " bytes the proxy sent never arrived";
      if (largest_in_ > 0) {
        part +=
            " (the largest of its packets that came was " + std::to_string(largest_in_) + " bytes)";
      }
      if (duplicate_acks_out_ > 0) {
        part += "; the probe asked for them again with " + std::to_string(duplicate_acks_out_) +
                " duplicate ACKs";
      }
      parts.push_back(part);
    } else if (unacknowledged_in_ > 0 && retransmitted_in_ > 0) {
      parts.push_back(std::to_string(unacknowledged_in_) +
                      " bytes the proxy sent (in packets of up to " + std::to_string(largest_in_) +
                      " bytes) reached this host but were never acknowledged, and the proxy sent "
                      "them again: they are dropped here after the capture point (a local "
                      "firewall rule or filter)");
    } else if (last_out_data_ && (!last_in_ || *last_in_ < *last_out_data_) &&
               end - *last_out_data_ >= kLongSilence) {
      parts.push_back("no data came back for " + seconds_text(end - *last_out_data_) +
                      " after the " + short_name(last_out_what_));
    }
    bool said_silence = !parts.empty() && parts.back().starts_with("no data came back");
    if (!said_silence && silence_ >= kLongSilence) {
      parts.push_back("no packet moved for " + seconds_text(silence_) + " (from " +
                      seconds_text(silence_from_) + ")");
    }
    for (const auto& [what, count] : retransmitted_out_) {
      parts.push_back("the " + what + " was retransmitted " + times(count));
    }
    if (retransmitted_in_ > 0) {
      parts.push_back("the proxy retransmitted " + std::to_string(retransmitted_in_) +
                      (retransmitted_in_ == 1 ? " segment" : " segments"));
    }
    if (!last_status_line_.empty() && !answered_2xx()) {
      parts.push_back("the proxy answered \"" + last_status_line_ + "\"");
    }
    // Nothing went wrong: say so, then how the connection ended.
    if (parts.empty() && !reset_by_peer_) {
      parts.push_back("a clean exchange: nothing lost, nothing sent twice");
    }
    if (std::string ended = ending(); !ended.empty()) parts.push_back(ended);
  }
  if (connections_ > 1)
    parts.front() = "over " + std::to_string(connections_) + " connections, " + parts.front();
  if (dropped > 0) {
    parts.push_back(std::to_string(dropped) + " packets past the capture's bound were not kept");
  }
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : "; ") + part;
  out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out + ".";
}

}  // namespace proxywatch::capture
