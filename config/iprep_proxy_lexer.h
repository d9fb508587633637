// Tokens of FMC's /etc/sf/iprep_proxy.conf: words, double-quoted strings, '{', '}' and ';',
// each with the line and column where it starts. Comments and white space are dropped here.
// Internal to config/: iprep_proxy_conf.h is the interface.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/system/result.hpp>

#include "config/config_error.h"

namespace proxywatch::config {

struct IprepToken {
  enum class Type { kWord, kQuoted, kOpenBrace, kCloseBrace, kSemicolon, kEnd };

  Type type = Type::kEnd;
  std::string text;  // a word as written, or a quoted string with its escapes resolved
  int line = 1;
  int column = 1;
  int end_column = 1;   // the column just after the token (tokens never span lines)
  bool secret = false;  // the value of a secret key: never put into a message
};

// True for key names whose value is a secret: any key containing "PASS" in any case
// (PROXY_PASSWORD, PROXY_PASS and misspellings such as PROXY_PASWD or proxy_password).
bool is_secret_key(std::string_view key);

// Splits `text` into tokens ending with one kEnd. The rules:
//  - white space is space, tab, CR and LF (so CRLF files read the same); a UTF-8 BOM is skipped;
//  - '#' where a token could start begins a comment to the end of the line ("a#b" is a word);
//  - a word runs until white space, ';', '{' or '}';
//  - "..." is one token; inside it \" and \\ are escapes, any other backslash is kept as it is
//    (so DOMAIN\user survives), and a line end before the closing quote is an error;
//  - the value of a secret key (is_secret_key(), in key position: after '{' or ';') that does
//    not start with '"' runs to the LAST ';' of its line, blanks before that ';' dropped, so a
//    password may hold ';', '#', '{', '}', quotes and spaces: `PROXY_PASSWORD Fmc;Secret 99;`
//    is the password "Fmc;Secret 99". The FMC writes one statement per line (the guide's
//    `cat /etc/sf/iprep_proxy.conf`); a secret value ends its line's statements.
// Errors: an unterminated quoted string, located at its opening quote, and a secret value with
// no ';' on its line, located at the key. Neither echoes the value: it may be a password.
Result<std::vector<IprepToken>> tokenize_iprep_proxy(std::string_view text,
                                                     const std::string& file);

}  // namespace proxywatch::config
