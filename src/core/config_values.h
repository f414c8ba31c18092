#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

// Parsers for the textual values of configuration variables. Each returns a
// BadRequest whose message says what was expected; the caller adds the name
// of the variable.
namespace cdp::config_values {

// "250ms", "10s", "5m", "1h". A unit is required: a bare "30" is ambiguous.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
// "1048576", "512KiB", "500KB", "1MiB", "2GiB". K/KB/KiB all mean 1024 bytes,
// as in nginx and most server configuration.
Result<uint64_t> ParseByteSize(std::string_view text);
// true/false, 1/0, yes/no, on/off (any case).
Result<bool> ParseBool(std::string_view text);
// A decimal integer within [min, max].
Result<int64_t> ParseInt(std::string_view text, int64_t min, int64_t max);
// A comma-separated list with blanks trimmed and empty items dropped.
std::vector<std::string> SplitList(std::string_view text);

}  // namespace cdp::config_values
