#include "http/gzip.h"

#include <strings.h>
#include <zlib.h>

#include <memory>

namespace cdp::http {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

struct InflateStream {
  z_stream stream{};
  bool initialized = false;
  ~InflateStream() {
    if (initialized) inflateEnd(&stream);
  }
};

Result<std::string> Inflate(std::string_view input, int window_bits, size_t max_bytes,
                            std::string_view encoding) {
  InflateStream z;
  if (inflateInit2(&z.stream, window_bits) != Z_OK) {
    return Status::Internal("inflateInit2 failed");
  }
  z.initialized = true;
  z.stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  z.stream.avail_in = static_cast<uInt>(input.size());

  std::string out;
  // Compressed JSON typically expands 5-10x; start there, grow geometrically.
  out.resize(std::min(max_bytes + 1, std::max<size_t>(input.size() * 6, 4096)));
  size_t produced = 0;
  while (true) {
    if (produced == out.size()) {
      if (out.size() > max_bytes) break;
      out.resize(std::min(max_bytes + 1, out.size() * 2));
    }
    z.stream.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    z.stream.avail_out = static_cast<uInt>(out.size() - produced);
    const int rc = inflate(&z.stream, Z_NO_FLUSH);
    produced = out.size() - z.stream.avail_out;
    if (produced > max_bytes) break;
    if (rc == Z_STREAM_END) {
      if (z.stream.avail_in != 0) {
        return Status::BadRequest("request body has trailing bytes after the " +
                                  std::string(encoding) + " stream");
      }
      out.resize(produced);
      return out;
    }
    if (rc == Z_BUF_ERROR && z.stream.avail_in == 0) {
      return Status::BadRequest("request body is a truncated " + std::string(encoding) + " stream");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Status::BadRequest("request body is not valid " + std::string(encoding) + " data")
          .WithCause(z.stream.msg ? z.stream.msg : "inflate error");
    }
  }
  return Status::PayloadTooLarge("request body exceeds " + std::to_string(max_bytes) +
                                 " bytes once decoded");
}

}  // namespace

Result<std::string> DecodeContentEncoding(std::string_view encoding, std::string body,
                                          size_t max_bytes) {
  encoding = Trim(encoding);
  if (encoding.empty() || EqualsIgnoreCase(encoding, "identity")) {
    if (body.size() > max_bytes) {
      return Status::PayloadTooLarge("request body exceeds " + std::to_string(max_bytes) +
                                     " bytes");
    }
    return body;
  }
  if (EqualsIgnoreCase(encoding, "gzip") || EqualsIgnoreCase(encoding, "x-gzip")) {
    return Inflate(body, 16 + MAX_WBITS, max_bytes, "gzip");
  }
  if (EqualsIgnoreCase(encoding, "deflate")) {
    return Inflate(body, MAX_WBITS, max_bytes, "deflate");
  }
  return Status::UnsupportedMediaType("Content-Encoding '" + std::string(encoding) +
                                      "' is not supported (use gzip, deflate or identity)");
}

}  // namespace cdp::http
