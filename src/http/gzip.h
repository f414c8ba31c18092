#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cdp::http {

// Decodes a request body sent with `Content-Encoding: encoding`.
//  - "gzip" / "x-gzip" and "deflate" (zlib) are inflated; "identity" or ""
//    returns the body unchanged;
//  - PayloadTooLarge as soon as the decoded size would pass `max_bytes`:
//    decoding stops there, so a small compressed bomb costs at most
//    `max_bytes` of memory;
//  - BadRequest for a corrupt or truncated stream;
//  - UnsupportedMediaType for any other encoding.
Result<std::string> DecodeContentEncoding(std::string_view encoding, std::string body,
                                          size_t max_bytes);

}  // namespace cdp::http
