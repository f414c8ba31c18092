#pragma once

#include <string>
#include <string_view>

#include "http/response.h"

namespace cdp::http {

// The status line and headers of an HTTP/1.1 response, ending with the blank
// line; the body is written after it as it is. Adds Server, Date,
// Content-Type, Content-Length (except for 1xx, 204 and 304) and Connection.
// For a HEAD request the Content-Length is still the body's: the caller then
// writes no body. CR and LF in header names or values are replaced by spaces,
// so a value echoed from a request can never split the response.
std::string SerializeResponseHead(const Response& response, std::string_view date, bool keep_alive);

// "Not Found" for 404; "Unknown" for codes without a standard phrase.
std::string_view ReasonPhrase(int status);

}  // namespace cdp::http
