// Bytes per second of the record CRC (what Crc32Extend picks on this CPU, the
// portable table, zlib's crc32) at record-like sizes.
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <string>

#include "log/local/crc32.h"

namespace cdp::local_log {
namespace {

template <typename Crc>
void Run(benchmark::State& state, Crc crc) {
  const std::string bytes(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    benchmark::DoNotOptimize(crc(bytes.data(), bytes.size()));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

void BM_Crc32(benchmark::State& state) {
  state.SetLabel(std::string(Crc32Implementation()));
  Run(state, [](const char* data, size_t size) { return Crc32Extend(0, data, size); });
}

void BM_Crc32WithoutClmul(benchmark::State& state) {
  Run(state, [](const char* data, size_t size) { return Crc32ExtendWithoutClmul(0, data, size); });
}

void BM_ZlibCrc32(benchmark::State& state) {
  Run(state, [](const char* data, size_t size) {
    return crc32(0, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(size));
  });
}

// 64 B, a ~600 B event record, 4 KiB, 64 KiB.
BENCHMARK(BM_Crc32)->Arg(64)->Arg(640)->Arg(4096)->Arg(65536);
BENCHMARK(BM_Crc32WithoutClmul)->Arg(64)->Arg(640)->Arg(4096)->Arg(65536);
BENCHMARK(BM_ZlibCrc32)->Arg(64)->Arg(640)->Arg(4096)->Arg(65536);

}  // namespace
}  // namespace cdp::local_log

BENCHMARK_MAIN();
