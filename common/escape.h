// The one escaping module for text proxywatch did not write: what a proxy, an origin or a file
// sent, shown in logs, journal fields, error messages, metric labels, JSON and pages. Every
// stage escapes through these functions, so there is one rule per kind of output and a change
// to it reaches every output at once.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace proxywatch {

// `text` with every byte outside printable ASCII replaced by '?', cut to `max` bytes: the form
// kept of a peer's header values and certificate names (ProbeResult evidence, metric labels).
std::string printable(std::string_view text, std::size_t max = 200);

// `text` safe for one log line or journal field: control bytes become \n, \r, \t or \xNN;
// text over `max_bytes` is cut at a UTF-8 boundary with "..." appended.
std::string escape_control(std::string_view text, std::size_t max_bytes = 1024);

// `text` in double quotes for a message, with '"' and '\\' backslash-escaped and control bytes
// and every byte outside ASCII as \xNN; past `max` bytes of `text` it is cut, with "..." after
// the closing quote.
std::string in_quotes(std::string_view text, std::size_t max = 256);

// A word from a file that may not be ours (a proxy file that is a symlink to /etc/shadow): at
// most its first 24 bytes of [A-Za-z0-9_.-], quoted. `"PROXY_HOST"` when the word is only
// those; `a word starting "root"` when more follows; `a word of 31 bytes` when it starts with
// none of them. Never a whole foreign line.
std::string quoted_token(std::string_view text);

// in_quotes(text) when `text` is empty or holds a space, '"', '\\', '(', ')' or '='; `text`
// otherwise: a value in a `KEY=value` list that a reader can split again.
std::string quoted_if_needed(std::string_view text);

// A quoted-string of HTTP (RFC 9110 §5.6.4) holding `text`: '"' and '\\' as quoted-pairs, every
// other byte as it is. Protocol syntax for a header we send, not an escape for display.
std::string http_quoted_string(std::string_view text);

// `text` safe as HTML text and inside a quoted attribute value (the status page): '&', '<', '>',
// '"' and '\'' become character references, control bytes other than \n and \t become U+FFFD;
// everything else, UTF-8 included, stays as it is.
std::string html_escape(std::string_view text);

// Cuts `text` to at most `limit` bytes without splitting a UTF-8 sequence.
std::string_view cut_utf8(std::string_view text, std::size_t limit);

}  // namespace proxywatch
