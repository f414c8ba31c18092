// Encode and decode speed, and bytes per value, of one 16384-row block of
// realistic event columns. Counters: B/value = encoded bytes per row;
// bytes_per_second of decode = the decoded in-memory values (8 B per int64 or
// double, 1 per bool, the strings' own bytes for strings). The label names
// the encoding and codec the encoder chose.
//
//   build/columnar/src/store/columnar/encoding/cdp_columnar_encoding_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "store/columnar/encoding/block_encoding.h"

namespace cdp::columnar {
namespace {

constexpr size_t kRows = 16384;

struct Column {
  Column(std::string column_name, BlockKind column_kind)
      : name(std::move(column_name)), kind(column_kind) {}

  std::string name;
  BlockKind kind = BlockKind::kInt64;
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::vector<uint8_t> bools;
  std::vector<std::string> strings;
  std::vector<std::string_view> views;
  std::vector<uint8_t> is_null;  // empty: none
  size_t decoded_bytes = 0;
};

std::string Uuid(std::mt19937_64& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text(36, '-');
  for (size_t i = 0; i < 36; ++i) {
    if (i != 8 && i != 13 && i != 18 && i != 23) text[i] = kHex[rng() % 16];
  }
  text[14] = '4';  // version 4
  return text;
}

// Index in [0, n) with probability proportional to 1 / (rank + 1).
class Zipf {
 public:
  explicit Zipf(size_t n) : weights_(n) {
    for (size_t i = 0; i < n; ++i) weights_[i] = 1.0 / static_cast<double>(i + 1);
  }
  size_t operator()(std::mt19937_64& rng) {
    std::discrete_distribution<size_t> draw(weights_.begin(), weights_.end());
    return draw(rng);
  }

 private:
  std::vector<double> weights_;
};

// Events of one day-partition sorted by person then time: each person has
// 1-12 events, a session starting anywhere in the day, a few seconds to a
// few minutes apart. `precision` is 1000 for client millisecond timestamps.
std::vector<int64_t> SortedByPersonTimes(std::mt19937_64& rng, int64_t precision,
                                         std::vector<size_t>* person_of_row) {
  constexpr int64_t kDayStart = 1'767'225'600'000'000;  // 2026-01-01, microseconds
  std::vector<int64_t> times;
  std::exponential_distribution<double> gap(1.0 / 40e6);  // mean 40 s
  size_t person = 0;
  while (times.size() < kRows) {
    int64_t time = kDayStart + static_cast<int64_t>(rng() % 86'400'000'000);
    const size_t events = 1 + rng() % 12;
    for (size_t i = 0; i < events && times.size() < kRows; ++i) {
      time += static_cast<int64_t>(gap(rng));
      times.push_back(time / precision * precision);
      if (person_of_row != nullptr) person_of_row->push_back(person);
    }
    ++person;
  }
  return times;
}

void FinishStrings(Column& column) {
  column.kind = BlockKind::kString;
  column.views.assign(column.strings.begin(), column.strings.end());
  for (size_t row = 0; row < column.strings.size(); ++row) {
    if (column.is_null.empty() || !column.is_null[row]) {
      column.decoded_bytes += column.strings[row].size();
    }
  }
}

std::vector<Column> MakeColumns() {
  std::mt19937_64 rng(2026);
  std::vector<Column> columns;

  {  // message_id: a random UUID per event.
    Column column("message_id_uuid", BlockKind::kString);
    for (size_t i = 0; i < kRows; ++i) column.strings.push_back(Uuid(rng));
    FinishStrings(column);
    columns.push_back(std::move(column));
  }
  std::vector<size_t> person_of_row;
  {
    Column column("timestamp_ms_sorted_by_person", BlockKind::kInt64);
    column.ints = SortedByPersonTimes(rng, 1000, &person_of_row);
    column.decoded_bytes = kRows * 8;
    columns.push_back(std::move(column));
  }
  {
    Column column("timestamp_us_sorted_by_person", BlockKind::kInt64);
    column.ints = SortedByPersonTimes(rng, 1, nullptr);
    column.decoded_bytes = kRows * 8;
    columns.push_back(std::move(column));
  }
  {  // anonymous_id: one random UUID per person; a part's rows are sorted
     // by it (then by time).
    Column column("anonymous_id_sorted", BlockKind::kString);
    std::vector<std::string> ids;
    for (size_t i = 0; i <= person_of_row.back(); ++i) ids.push_back(Uuid(rng));
    std::sort(ids.begin(), ids.end());
    for (const size_t person : person_of_row) column.strings.push_back(ids[person]);
    FinishStrings(column);
    columns.push_back(std::move(column));
  }
  {
    Column column("event_zipf20", BlockKind::kString);
    const std::vector<std::string> names = {
        "Page Viewed",      "Button Clicked",  "Product Viewed", "Product Added",
        "Search Performed", "Signed In",       "Cart Viewed",    "Checkout Started",
        "Signup",           "Order Completed", "Video Played",   "Form Submitted",
        "Coupon Applied",   "Product Removed", "Signed Out",     "Plan Upgraded",
        "Invite Sent",      "Payment Failed",  "Trial Started",  "Account Deleted"};
    Zipf zipf(names.size());
    for (size_t i = 0; i < kRows; ++i) column.strings.push_back(names[zipf(rng)]);
    FinishStrings(column);
    columns.push_back(std::move(column));
  }
  {
    Column column("url_200_distinct", BlockKind::kString);
    std::vector<std::string> urls;
    const char* sections[] = {"products", "blog", "docs", "pricing", "account", "search"};
    for (size_t i = 0; i < 200; ++i) {
      urls.push_back("https://shop.example.com/" + std::string(sections[i % 6]) + "/" +
                     std::to_string(rng() % 100000) + "-item-name-" + std::to_string(i) +
                     (i % 3 == 0 ? "?utm_source=newsletter&utm_medium=email" : ""));
    }
    Zipf zipf(urls.size());
    for (size_t i = 0; i < kRows; ++i) column.strings.push_back(urls[zipf(rng)]);
    FinishStrings(column);
    columns.push_back(std::move(column));
  }
  {
    Column column("price_2_decimals", BlockKind::kDouble);
    for (size_t i = 0; i < kRows; ++i) {
      column.doubles.push_back(static_cast<double>(100 + rng() % 50000) / 100.0);
    }
    column.decoded_bytes = kRows * 8;
    columns.push_back(std::move(column));
  }
  {
    Column column("double_random", BlockKind::kDouble);
    std::lognormal_distribution<double> draw(3, 1);
    for (size_t i = 0; i < kRows; ++i) column.doubles.push_back(draw(rng));
    column.decoded_bytes = kRows * 8;
    columns.push_back(std::move(column));
  }
  {
    Column column("bool_70pct_true", BlockKind::kBool);
    for (size_t i = 0; i < kRows; ++i) column.bools.push_back(rng() % 10 < 7);
    column.decoded_bytes = kRows;
    columns.push_back(std::move(column));
  }
  {
    Column column("string_90pct_null", BlockKind::kString);
    const std::vector<std::string> plans = {"free", "pro", "team", "enterprise"};
    for (size_t i = 0; i < kRows; ++i) {
      column.is_null.push_back(rng() % 10 != 0);
      column.strings.push_back(plans[rng() % plans.size()]);
    }
    FinishStrings(column);
    columns.push_back(std::move(column));
  }
  {
    Column column("int64_90pct_null", BlockKind::kInt64);
    for (size_t i = 0; i < kRows; ++i) {
      column.is_null.push_back(rng() % 10 != 0);
      column.ints.push_back(static_cast<int64_t>(rng() % 1000));
    }
    column.decoded_bytes = kRows * 8;
    columns.push_back(std::move(column));
  }
  return columns;
}

EncodedBlock Encode(const Column& column) {
  switch (column.kind) {
    case BlockKind::kInt64:
      return EncodeInt64Block(column.ints, column.is_null);
    case BlockKind::kDouble:
      return EncodeDoubleBlock(column.doubles, column.is_null);
    case BlockKind::kBool:
      return EncodeBoolBlock(column.bools, column.is_null);
    case BlockKind::kString:
      return EncodeStringBlock(column.views, column.is_null);
  }
  return {};
}

std::string Label(const EncodedBlock& block) {
  const Result<BlockHeader> header = ReadBlockHeader(block.bytes);
  if (!header.ok()) return "?";
  static const char* kNames[5][4] = {{},
                                     {"plain", "FOR", "delta-varint", "delta-FOR"},
                                     {"plain", "decimal"},
                                     {"bits"},
                                     {"plain", "plain-uuid", "dict", "dict-uuid"}};
  return std::string(kNames[static_cast<int>(header->kind)][header->encoding]) + "/" +
         std::string(BlockCodecName(header->codec));
}

void SetCounters(benchmark::State& state, const Column& column, const EncodedBlock& block) {
  state.counters["B/value"] = static_cast<double>(block.bytes.size()) / static_cast<double>(kRows);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kRows));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * column.decoded_bytes));
  state.SetLabel(Label(block));
}

void BM_Encode(benchmark::State& state, const Column& column) {
  EncodedBlock block;
  for (auto _ : state) {
    block = Encode(column);
    benchmark::DoNotOptimize(block.bytes.data());
  }
  SetCounters(state, column, block);
}

void BM_Decode(benchmark::State& state, const Column& column) {
  const EncodedBlock block = Encode(column);
  // One decoded object reused from block to block, as a scan does.
  DecodedInt64Block ints;
  DecodedDoubleBlock doubles;
  DecodedBoolBlock bools;
  DecodedStringBlock strings;
  for (auto _ : state) {
    Status status;
    switch (column.kind) {
      case BlockKind::kInt64:
        status = DecodeInt64Block(block.bytes, ints);
        benchmark::DoNotOptimize(ints.values().data());
        break;
      case BlockKind::kDouble:
        status = DecodeDoubleBlock(block.bytes, doubles);
        benchmark::DoNotOptimize(doubles.values().data());
        break;
      case BlockKind::kBool:
        status = DecodeBoolBlock(block.bytes, bools);
        benchmark::DoNotOptimize(bools.values().data());
        break;
      case BlockKind::kString:
        status = DecodeStringBlock(block.bytes, strings);
        benchmark::DoNotOptimize(strings.codes().data());
        break;
    }
    if (!status.ok()) state.SkipWithError(status.ToString().c_str());
    benchmark::ClobberMemory();
  }
  SetCounters(state, column, block);
}

}  // namespace
}  // namespace cdp::columnar

int main(int argc, char** argv) {
  static const std::vector<cdp::columnar::Column> columns = cdp::columnar::MakeColumns();
  for (const cdp::columnar::Column& column : columns) {
    benchmark::RegisterBenchmark(
        ("BM_Encode/" + column.name).c_str(),
        [&column](benchmark::State& state) { cdp::columnar::BM_Encode(state, column); });
    benchmark::RegisterBenchmark(
        ("BM_Decode/" + column.name).c_str(),
        [&column](benchmark::State& state) { cdp::columnar::BM_Decode(state, column); });
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
