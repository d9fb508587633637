// The advice of docs/diagnoses.md, word for word (diagnosis_advice_test compares the two).
#include "common/output/status/diagnosis_advice.h"

namespace proxywatch {

DiagnosisAdvice diagnosis_advice(Diagnosis diagnosis) {
  switch (diagnosis) {
    case Diagnosis::kMtuSuspected:
      return {
          "small packets pass and large ones die on the path (the guide's \"MTU-Problem\"). Found "
          "by the MTU comparison (`mtu_probe:`, default every hour, first right after the "
          "target's first probe; never for `expect: denied` targets): the same probe three times "
          "— as configured, with the socket's MSS clamped to 536 bytes so the proxy must send "
          "small segments, and with a TLS ClientHello padded past one full segment.",
          "the MTU of every link between FMC and the proxy (VPN and GRE tunnels, PPPoE); whether "
          "ICMP \"fragmentation needed\" is blocked (path MTU discovery then fails silently); MSS "
          "clamping on the firewall or router (`ip tcp adjust-mss`); on the FMC, `ping -M do -s "
          "1472 PROXY` finds the largest packet that passes."};
    case Diagnosis::kAclBlock:
      return {
          "the proxy refuses this destination on purpose (the guide's "
          "\"Proxy-ACL-Einschränkungen\").",
          "the proxy's ACL for the destination name *and* port 443 (CONNECT is often only allowed "
          "to \"SSL ports\"); whether the ACL matches by name — proxywatch sends the name, as FMC "
          "does. A target that *should* be blocked belongs in the YAML file with `expect: "
          "denied`."};
    case Diagnosis::kProxyOverloaded:
      return {
          "the proxy works, but intermittently cannot keep up: it answers 503, or does not answer "
          "CONNECT (or accept the connection) in time, between successful probes.",
          "the proxy's CPU, memory, file descriptors and connection limits; its upstream DNS "
          "(slow lookups stall CONNECT); other load on it at the same times; squid's `cache.log` "
          "for \"Your cache is running out of filedescriptors\" and similar."};
    case Diagnosis::kInspectionInterference:
      return {
          "something between FMC and the origin inspects the TLS traffic. Either the origin's "
          "certificate is not the origin's — an SSL-inspecting proxy re-signed it — or handshakes "
          "succeed but larger transfers are stalled or cut, as inspection and DLP engines do.",
          "the proxy's SSL inspection / \"SSL bump\" policy — Cisco's update and licensing servers "
          "must be exempt (FMC pins their certificates); `CERT_ISSUER` names the inspecting CA. "
          "For cut transfers: the proxy's or a DLP device's size limits and its logs; if the cuts "
          "happen only with large segments, see `mtu_suspected`."};
    case Diagnosis::kAuthMisconfigured:
      return {
          "the proxy wants authentication that the FMC does not (or cannot) give.",
          "user and password in the FMC GUI and proxywatch's `credentials_file`; that the proxy "
          "offers Basic or Digest to the FMC (FMC does not support NTLM — the guide's "
          "\"Anmerkung\"); an account that is locked or expired."};
    case Diagnosis::kProxyUnreachable:
      return {
          "the proxy cannot be reached at all — its name does not resolve, nothing listens, or no "
          "SYN-ACK comes back.",
          "is the proxy host up and the service running; `PROXY_HOST`/`PROXY_PORT` in "
          "`/etc/sf/iprep_proxy.conf`; the appliance's DNS (`dns_failed`); firewalls between FMC "
          "and the proxy (`tcp_timeout`: dropped; `tcp_refused`: rejected or no listener). From "
          "the FMC shell: `curl -x http://PROXY:PORT -I https://tools.cisco.com`."};
    case Diagnosis::kFlapping:
      return {
          "the pair keeps changing between passing and failing, and none of the specific "
          "diagnoses above explains it.",
          "the failing outcomes in `OUTCOME_COUNTS` (docs/outcomes.md); load balancers or several "
          "proxy instances behind one name where one instance is broken; DNS answers that "
          "alternate; an unstable link (`proxywatch_tcp_retransmitted_segments_total`)."};
  }
  return {};
}

}  // namespace proxywatch
