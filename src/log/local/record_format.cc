#include "log/local/record_format.h"

#include <cstring>

#include "log/local/crc32.h"

namespace cdp::local_log {

namespace {

void PutU32(std::string& out, uint32_t value) {
  char bytes[4];
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>(value >> (8 * i));
  out.append(bytes, 4);
}

void PutU64(std::string& out, uint64_t value) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(value >> (8 * i));
  out.append(bytes, 8);
}

uint64_t GetLittleEndian(const char* data, int bytes) {
  uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(data[i]);
  return value;
}

uint32_t Crc(const char* data, size_t size) { return Crc32Extend(0, data, size); }

}  // namespace

size_t FramedRecordSize(std::string_view key, std::string_view payload) {
  return kFrameHeaderBytes + kBodyHeaderBytes + key.size() + payload.size();
}

void AppendFramedRecord(std::string& out, uint64_t offset, std::string_view key,
                        std::string_view payload) {
  const size_t body_length = kBodyHeaderBytes + key.size() + payload.size();
  const size_t start = out.size();
  PutU32(out, static_cast<uint32_t>(body_length));
  PutU32(out, 0);  // the CRC, filled in below once the body is in place
  PutU64(out, offset);
  PutU32(out, static_cast<uint32_t>(key.size()));
  out.append(key);
  out.append(payload);
  const uint32_t crc = Crc(out.data() + start + kFrameHeaderBytes, body_length);
  for (int i = 0; i < 4; ++i) out[start + 4 + i] = static_cast<char>(crc >> (8 * i));
}

DecodeResult DecodeFramedRecord(std::string_view bytes, DecodedRecord& record) {
  if (bytes.size() < kFrameHeaderBytes) return DecodeResult::kIncomplete;
  const uint64_t body_length = GetLittleEndian(bytes.data(), 4);
  if (body_length < kBodyHeaderBytes || body_length > kMaxRecordBytes) {
    return DecodeResult::kCorrupt;
  }
  if (bytes.size() < kFrameHeaderBytes + body_length) return DecodeResult::kIncomplete;
  const char* body = bytes.data() + kFrameHeaderBytes;
  if (Crc(body, body_length) != GetLittleEndian(bytes.data() + 4, 4)) {
    return DecodeResult::kCorrupt;
  }
  const uint64_t key_length = GetLittleEndian(body + 8, 4);
  if (key_length > body_length - kBodyHeaderBytes) return DecodeResult::kCorrupt;
  record.offset = GetLittleEndian(body, 8);
  record.key = std::string_view(body + kBodyHeaderBytes, key_length);
  record.payload = std::string_view(body + kBodyHeaderBytes + key_length,
                                    body_length - kBodyHeaderBytes - key_length);
  record.frame_bytes = kFrameHeaderBytes + body_length;
  return DecodeResult::kRecord;
}

}  // namespace cdp::local_log
