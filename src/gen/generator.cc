#include "gen/generator.h"

#include <fmt/format.h>

namespace cdp::gen {

namespace {

constexpr int64_t kDayMs = 86'400'000;
// 1970-01-01 and 2201-01-01: timestamps the server takes as times (see core/iso8601.h).
constexpr int64_t kMinStartMs = 0;
constexpr int64_t kEndLimitMs = 7'289'654'400'000;

SimulationOptions ToSimulation(const GeneratorOptions& options) {
  SimulationOptions simulation;
  simulation.seed = options.seed;
  simulation.persons = static_cast<uint32_t>(options.persons);
  simulation.start_ms = UnixMillis(options.start);
  simulation.days = static_cast<int>(options.days);
  return simulation;
}

}  // namespace

Status ValidateGeneratorOptions(const GeneratorOptions& options) {
  if (options.persons < 1 || options.persons > kMaxPersons) {
    return Status::BadRequest(fmt::format("--persons must be between 1 and {}", kMaxPersons),
                              "persons");
  }
  if (options.days < 1 || options.days > kMaxDays) {
    return Status::BadRequest(fmt::format("--days must be between 1 and {}", kMaxDays), "days");
  }
  const int64_t start = UnixMillis(options.start);
  if (start < kMinStartMs || start + options.days * kDayMs > kEndLimitMs) {
    return Status::BadRequest("--start and --days must keep the data within the years 1970 to 2200",
                              "start");
  }
  return Status::Ok();
}

Generator::Generator(const GeneratorOptions& options)
    : simulation_(ToSimulation(options)), writer_(options.seed) {}

bool Generator::Next(std::string& out) {
  if (!simulation_.Next(event_)) return false;
  writer_.Write(event_, simulation_.person(event_.person), out);
  ++events_;
  return true;
}

}  // namespace cdp::gen
