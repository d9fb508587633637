// A plain-HTTP target through the proxy (TargetScheme::kHttp, probe_session.h): the proxy
// forwards the absolute-form request itself, so its own refusal and the origin's answer arrive
// the same way. connect_proxy (probe_connect.cc) sends the request and answers 407s exactly as
// for CONNECT; this file judges the final answer (answer_source.h) and reads the origin's body
// with the tunnel's limits (read_answer, probe_origin.cc).
#include "common/escape.h"
#include "common/probe/answer_source.h"
#include "common/probe/probe_session.h"

namespace proxywatch::detail {

bool ProbeSession::accept_forwarded_answer(const http::response_header<>& header) {
  unsigned status = header.result_int();
  result_.http_status = status;
  if (auto location = header.find(http::field::location); location != header.end()) {
    result_.location = printable(location->value(), 200);
  }
  if (!made_by_proxy(status, header)) {
    if (spec_.expect_denied) return fail(Outcome::kTunnelNotDenied, Phase::kHttpFirstByte);
    return true;
  }
  ProxyAnswer answer = read_proxy_answer(status, header.reason(), header);
  note_answer(answer);
  Outcome outcome = outcome_for_proxy_answer(answer);
  // A redirect of the proxy's own making (a captive portal, squid's deny_info URL) serves a
  // page in place of the origin's answer.
  if (outcome == Outcome::kOk) outcome = Outcome::kProxyError;
  if (spec_.expect_denied && outcome == Outcome::kProxyDenied) return false;  // passes
  return fail(outcome, Phase::kHttpFirstByte);
}

asio::awaitable<bool> ProbeSession::forward_transfer() {
  auto start = Clock::now();
  // The header is parsed and no body byte fed yet: Beast moves the parser's state into one
  // that counts the body into chunk_.
  http::response_parser<http::buffer_body> parser(std::move(*parser_));
  parser_.reset();
  parser.body_limit(boost::none);
  co_return co_await read_answer(parser, start);
}

}  // namespace proxywatch::detail
