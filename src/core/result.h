#pragma once

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>

#include "core/status.h"

namespace cdp {

// Either a value of T or an error Status (like absl::StatusOr).
// REQUIRES: a Result is never built from an ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok());
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  Status TakeStatus() && { return std::move(status_); }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace cdp

#define CDP_CONCAT_INNER_(a, b) a##b
#define CDP_CONCAT_(a, b) CDP_CONCAT_INNER_(a, b)

// Returns the Status from the enclosing function when `expr` is not ok.
#define CDP_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::cdp::Status cdp_status_ = (expr);        \
    if (!cdp_status_.ok()) return cdp_status_; \
  } while (false)

// `CDP_ASSIGN_OR_RETURN(auto x, MakeX());` declares x from a Result, or returns
// its Status from the enclosing function.
#define CDP_ASSIGN_OR_RETURN(lhs, expr) \
  CDP_ASSIGN_OR_RETURN_IMPL_(CDP_CONCAT_(cdp_result_, __LINE__), lhs, expr)
#define CDP_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr)      \
  auto result = (expr);                                    \
  if (!result.ok()) return std::move(result).TakeStatus(); \
  lhs = std::move(result).value()
