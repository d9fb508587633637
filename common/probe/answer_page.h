// Reading a proxy's page: the error page that comes with a 403/502/503, or the page a filtering
// proxy sends with a 200 instead of a tunnel (a block page, a captive portal). The probe reads
// at most kMaxPageBytes of it (probe_connect.cc) and keeps its <title> as evidence; the bytes
// come from an untrusted peer, so what is kept is printable ASCII and bounded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace proxywatch {

// Body bytes of a proxy's page the probe reads at most.
inline constexpr std::size_t kMaxPageBytes = 4 * 1024;
// Bytes kept of a page's title.
inline constexpr std::size_t kMaxPageTitle = 120;

// The text of the first <title> element of `html` (tag names in any case): entities decoded
// minimally (&amp; &lt; &gt; &quot; &apos; &nbsp; and numeric references to printable ASCII;
// any other reference stays as written), whitespace runs collapsed to one space and trimmed,
// then printable() to kMaxPageTitle bytes (so a UTF-8 title shows '?' for each non-ASCII byte).
// A title cut off by the end of `html` gives what arrived. Empty when there is none.
std::string page_title(std::string_view html);

// True when `html` holds a whole title element (its end tag): reading further adds nothing.
bool has_title_end(std::string_view html);

// True when a Content-Type value is text/html (any case, parameters ignored).
bool is_html_type(std::string_view content_type);

}  // namespace proxywatch
