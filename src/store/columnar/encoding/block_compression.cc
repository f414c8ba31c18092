#include "store/columnar/encoding/block_compression.h"

#include <lz4.h>
#include <zstd.h>

#include <cassert>
#include <memory>

namespace cdp::columnar {
namespace {

struct ZstdCCtxDeleter {
  void operator()(ZSTD_CCtx* context) const { ZSTD_freeCCtx(context); }
};
struct ZstdDCtxDeleter {
  void operator()(ZSTD_DCtx* context) const { ZSTD_freeDCtx(context); }
};

// One context per thread: creating one per block would cost an allocation
// of ~100 KiB-1 MiB each time.
ZSTD_CCtx* ThreadCompressionContext() {
  thread_local std::unique_ptr<ZSTD_CCtx, ZstdCCtxDeleter> context(ZSTD_createCCtx());
  return context.get();
}
ZSTD_DCtx* ThreadDecompressionContext() {
  thread_local std::unique_ptr<ZSTD_DCtx, ZstdDCtxDeleter> context(ZSTD_createDCtx());
  return context.get();
}

}  // namespace

void CompressPayload(BlockCodec codec, std::string_view input, int zstd_level, std::string& out) {
  const size_t start = out.size();
  switch (codec) {
    case BlockCodec::kNone:
      assert(false);
      return;
    case BlockCodec::kLz4: {
      const int bound = LZ4_compressBound(static_cast<int>(input.size()));
      out.resize(start + static_cast<size_t>(bound));
      const int size = LZ4_compress_default(input.data(), out.data() + start,
                                            static_cast<int>(input.size()), bound);
      assert(size > 0 || input.empty());
      out.resize(start + static_cast<size_t>(size));
      return;
    }
    case BlockCodec::kZstd: {
      out.resize(start + ZSTD_compressBound(input.size()));
      const size_t size =
          ZSTD_compressCCtx(ThreadCompressionContext(), out.data() + start, out.size() - start,
                            input.data(), input.size(), zstd_level);
      assert(!ZSTD_isError(size));
      out.resize(start + size);
      return;
    }
  }
}

bool PlausibleDecompressedSize(BlockCodec codec, std::string_view input, size_t size) {
  switch (codec) {
    case BlockCodec::kNone:
      return input.size() == size;
    case BlockCodec::kLz4:
      return size / 255 <= input.size() + 16;
    case BlockCodec::kZstd:
      return size / 32768 <= input.size() + 16 &&
             ZSTD_getFrameContentSize(input.data(), input.size()) == size;
  }
  return false;
}

Status DecompressPayload(BlockCodec codec, std::string_view input, char* out, size_t out_size) {
  switch (codec) {
    case BlockCodec::kNone:
      break;
    case BlockCodec::kLz4: {
      if (input.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE) ||
          out_size > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) {
        return Status::Internal("columnar block: lz4 payload too large");
      }
      const int size = LZ4_decompress_safe(input.data(), out, static_cast<int>(input.size()),
                                           static_cast<int>(out_size));
      if (size < 0 || static_cast<size_t>(size) != out_size) {
        return Status::Internal("columnar block: corrupt lz4 payload");
      }
      return Status::Ok();
    }
    case BlockCodec::kZstd: {
      const size_t size = ZSTD_decompressDCtx(ThreadDecompressionContext(), out, out_size,
                                              input.data(), input.size());
      if (ZSTD_isError(size) || size != out_size) {
        return Status::Internal("columnar block: corrupt zstd payload");
      }
      return Status::Ok();
    }
  }
  return Status::Internal("columnar block: unknown codec");
}

}  // namespace cdp::columnar
