#include "store/columnar/io/part_format.h"

#include <xxhash.h>

#include <cassert>
#include <cstring>

namespace cdp::columnar {
namespace {

Status Corrupt(std::string_view path, std::string_view what) {
  return Status::Internal("corrupt part " + std::string(path) + ": " + std::string(what));
}

}  // namespace

uint64_t PartChecksum(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

void PutFixed32(std::string& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void PutFixed64(std::string& out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void PutVarint64(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void PutLengthPrefixed(std::string& out, std::string_view bytes) {
  PutVarint64(out, bytes.size());
  out.append(bytes);
}

uint32_t DecodeFixed32(const char* bytes) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

uint64_t DecodeFixed64(const char* bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

std::string EncodePartTrailer(const PartTrailer& trailer) {
  std::string out;
  out.reserve(kPartTrailerSize);
  PutFixed64(out, trailer.footer_offset);
  PutFixed64(out, trailer.footer_size);
  PutFixed64(out, trailer.footer_checksum);
  PutFixed32(out, trailer.format_version);
  PutFixed32(out, static_cast<uint32_t>(PartChecksum(out)));
  out.append(kPartMagic);
  assert(out.size() == kPartTrailerSize);
  return out;
}

Result<PartTrailer> DecodePartTrailer(std::string_view bytes, std::string_view path) {
  assert(bytes.size() == kPartTrailerSize);
  if (bytes.substr(32) != kPartMagic) return Corrupt(path, "no magic at the end");
  if (DecodeFixed32(bytes.data() + 28) !=
      static_cast<uint32_t>(PartChecksum(bytes.substr(0, 28)))) {
    return Corrupt(path, "trailer checksum mismatch");
  }
  PartTrailer trailer;
  trailer.footer_offset = DecodeFixed64(bytes.data());
  trailer.footer_size = DecodeFixed64(bytes.data() + 8);
  trailer.footer_checksum = DecodeFixed64(bytes.data() + 16);
  trailer.format_version = DecodeFixed32(bytes.data() + 24);
  if (trailer.format_version != kPartFormatVersion) {
    return Status::Internal("cannot read part " + std::string(path) + ": format version " +
                            std::to_string(trailer.format_version) + ", this build reads " +
                            std::to_string(kPartFormatVersion));
  }
  return trailer;
}

}  // namespace cdp::columnar
