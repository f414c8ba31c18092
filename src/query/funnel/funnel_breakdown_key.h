#pragma once

#include <cstdint>
#include <string_view>

#include "store/scan.h"

namespace cdp::query {

// The key of a breakdown value: the funnel groups persons by it, and orders
// same-time step-1 events by it (funnel_engine.h), so engines and the
// reference must compute it alike. 0 for null; equal values have equal keys
// (0 and -0 too); two different values share one with probability 2^-64.
uint64_t FunnelBreakdownKey(const ScalarValue& value);

// The same, for values as a scan's columns hold them.
uint64_t FunnelStringKey(std::string_view text);
uint64_t FunnelTimeKey(int64_t micros);
uint64_t FunnelNumberKey(double number);
uint64_t FunnelBooleanKey(bool value);

}  // namespace cdp::query
