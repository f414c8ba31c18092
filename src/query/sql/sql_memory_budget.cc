#include "query/sql/sql_memory_budget.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cassert>
#include <mutex>

namespace cdp::query {

namespace {

// The allocator SQLite had before ours: ours forwards every call to it.
sqlite3_mem_methods g_underlying{};
std::atomic<bool> g_installed{false};

// The budget SQLite's allocations on this thread are charged to, if any.
thread_local SqlMemoryBudget* t_budget = nullptr;

void* CountingMalloc(int size) {
  SqlMemoryBudget* const budget = t_budget;
  if (budget == nullptr) return g_underlying.xMalloc(size);
  // Charge first, so that concurrent charges (the scan thread's) cannot
  // together pass the cap; then correct to what the allocator really gave.
  const size_t wanted = size_t(g_underlying.xRoundup(size));
  if (!budget->TryCharge(wanted)) return nullptr;
  void* const block = g_underlying.xMalloc(size);
  if (block == nullptr) {
    budget->Release(wanted);
    return nullptr;
  }
  const size_t got = size_t(g_underlying.xSize(block));
  if (got > wanted) {
    budget->TryCharge(got - wanted);  // a few bytes over the cap at most
  } else {
    budget->Release(wanted - got);
  }
  return block;
}

void CountingFree(void* block) {
  SqlMemoryBudget* const budget = t_budget;
  if (budget != nullptr && block != nullptr) budget->Release(size_t(g_underlying.xSize(block)));
  g_underlying.xFree(block);
}

void* CountingRealloc(void* block, int size) {
  SqlMemoryBudget* const budget = t_budget;
  if (budget == nullptr) return g_underlying.xRealloc(block, size);
  const size_t old_size = size_t(g_underlying.xSize(block));
  const size_t wanted = size_t(g_underlying.xRoundup(size));
  if (wanted > old_size && !budget->TryCharge(wanted - old_size)) return nullptr;
  void* const moved = g_underlying.xRealloc(block, size);
  if (moved == nullptr) {
    if (wanted > old_size) budget->Release(wanted - old_size);
    return nullptr;
  }
  // The budget now holds max(old_size, wanted); make it the real new size.
  const size_t charged = std::max(old_size, wanted);
  const size_t got = size_t(g_underlying.xSize(moved));
  if (got > charged) {
    budget->TryCharge(got - charged);
  } else {
    budget->Release(charged - got);
  }
  return moved;
}

int UnderlyingSize(void* block) { return g_underlying.xSize(block); }
int UnderlyingRoundup(int size) { return g_underlying.xRoundup(size); }
int UnderlyingInit(void* data) { return g_underlying.xInit(data); }
void UnderlyingShutdown(void* data) { g_underlying.xShutdown(data); }

Status Install() {
  if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &g_underlying) != SQLITE_OK) {
    return Status::Internal(
        "sql: cannot install the SQL memory accounting: SQLite was initialized before "
        "InstallSqlMemoryAccounting() (call it in main before any SQLite use)");
  }
  sqlite3_mem_methods counting = g_underlying;  // keeps pAppData for xInit / xShutdown
  counting.xMalloc = CountingMalloc;
  counting.xFree = CountingFree;
  counting.xRealloc = CountingRealloc;
  counting.xSize = UnderlyingSize;
  counting.xRoundup = UnderlyingRoundup;
  counting.xInit = UnderlyingInit;
  counting.xShutdown = UnderlyingShutdown;
  if (const int rc = sqlite3_config(SQLITE_CONFIG_MALLOC, &counting); rc != SQLITE_OK) {
    return Status::Internal(
        fmt::format("sql: sqlite3_config(SQLITE_CONFIG_MALLOC): {}", sqlite3_errstr(rc)));
  }
  g_installed.store(true, std::memory_order_release);
  return Status::Ok();
}

}  // namespace

bool SqlMemoryBudget::TryCharge(size_t bytes) {
  const int64_t amount = static_cast<int64_t>(bytes);
  int64_t used = used_.load(std::memory_order_relaxed);
  do {
    if (used + amount > static_cast<int64_t>(cap_)) {
      exceeded_.store(true, std::memory_order_relaxed);
      return false;
    }
  } while (!used_.compare_exchange_weak(used, used + amount, std::memory_order_relaxed));
  return true;
}

void SqlMemoryBudget::Release(size_t bytes) {
  used_.fetch_sub(static_cast<int64_t>(bytes), std::memory_order_relaxed);
}

Status SqlMemoryBudget::ExceededStatus() const {
  return Status::UnprocessableEntity(
      fmt::format("the query used more than {} MiB of memory", (cap_ + (1 << 20) - 1) >> 20),
      "query");
}

SqlMemoryCharge& SqlMemoryCharge::operator=(SqlMemoryCharge&& other) noexcept {
  if (this != &other) {
    if (budget_ != nullptr) budget_->Release(bytes_);
    budget_ = std::exchange(other.budget_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

SqlMemoryCharge::~SqlMemoryCharge() {
  if (budget_ != nullptr) budget_->Release(bytes_);
}

Status InstallSqlMemoryAccounting() {
  static std::once_flag once;
  static Status result;
  std::call_once(once, [] { result = Install(); });
  return result;
}

bool SqlMemoryAccountingInstalled() { return g_installed.load(std::memory_order_acquire); }

namespace {

// Installed as the library loads, before main, so that a binary that can run
// SQL queries has the accounting whatever opens SQLite first (the metadata
// store, a test). Everything it touches is constant-initialized.
[[maybe_unused]] const bool g_installed_at_load = InstallSqlMemoryAccounting().ok();

}  // namespace

ScopedSqlMemoryBudget::ScopedSqlMemoryBudget(SqlMemoryBudget& budget) {
  assert(t_budget == nullptr);
  t_budget = &budget;
}

ScopedSqlMemoryBudget::~ScopedSqlMemoryBudget() { t_budget = nullptr; }

}  // namespace cdp::query
