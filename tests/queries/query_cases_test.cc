// The data-driven query cases: every tests/queries/<kind>/*.json, run
// through the query service with the analysis this build has for its kind,
// and compared with the case's "expected" result (README.md beside this file).
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "core/clock.h"
#include "queries/json_difference.h"
#include "queries/query_case.h"
#include "query/service/all_query_functions.h"
#include "query/service/in_process_query_cache.h"
#include "query/service/query_service.h"
#include "query/testing/test_event_store.h"

namespace cdp::query::cases {
namespace {

// tests/queries, or the folder CDP_QUERY_CASES_DIR names (to run cases kept
// elsewhere, e.g. while writing them).
const std::vector<QueryCaseFile>& AllCaseFiles() {
  static const std::vector<QueryCaseFile> files = [] {
    const char* dir = std::getenv("CDP_QUERY_CASES_DIR");
    return ListQueryCaseFiles(dir != nullptr && *dir != '\0' ? dir : CDP_QUERY_CASES_DIR);
  }();
  return files;
}

// Each case runs over two layouts of its events, since an answer must not
// depend on how the store happened to cut them: one part of large blocks,
// and three parts of two-row blocks (so scans cross parts and blocks).
struct StoreLayout {
  const char* name;
  int flushes;
  size_t block_rows;
};
constexpr StoreLayout kLayouts[] = {{"one part", 1, 1024}, {"three parts, 2-row blocks", 3, 2}};

// A gtest name of a case: "funnel/basic ordered" → "funnel_basic_ordered".
std::string TestName(const ::testing::TestParamInfo<QueryCaseFile>& info) {
  std::string name = info.param.name;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

std::string Lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += "  " + line + "\n";
  return out;
}

class QueryCaseTest : public ::testing::TestWithParam<QueryCaseFile> {};

TEST_P(QueryCaseTest, GivesTheExpectedResult) {
  const QueryCaseFile& file = GetParam();
  const Result<QueryCase> loaded = LoadQueryCase(file);
  ASSERT_TRUE(loaded.ok()) << loaded.status().cause();
  const QueryCase& query_case = *loaded;
  const QueryService::Functions functions = AvailableQueryFunctions();
  if (!functions.contains(file.kind)) {
    GTEST_SKIP() << "the " << QueryKindName(file.kind)
                 << " analysis is not in this build (no cdp_query_* library for it): case "
                 << file.name << " not run";
  }
  // The case's persons and profiles, when it has any; else nobody is merged.
  const testing::StaticPersonDirectory persons = PersonDirectoryOf(query_case);
  for (const StoreLayout& layout : kLayouts) {
    SCOPED_TRACE(layout.name);
    testing::TestEventStore store(query_case.events, layout.flushes, layout.block_rows);
    ManualClock clock;
    InProcessQueryCache cache(1 << 20, clock);
    QueryServiceOptions options;
    options.threads = 1;
    if (query_case.has_persons) options.persons = &persons;
    QueryService service(store.store(), functions, cache, clock, options);
    const Result<QueryAnswer> answer = service.Run(kCaseWorkspace, file.kind, query_case.request);
    ASSERT_TRUE(answer.ok()) << file.name << ".json (" << query_case.description
                             << ")\nthe query failed: " << answer.status().ToString();
    const std::vector<std::string> differences =
        JsonDifferences(answer->result_json, query_case.expected);
    EXPECT_TRUE(differences.empty()) << file.name << ".json: " << query_case.description << "\n"
                                     << differences.size() << " difference(s), got vs expected:\n"
                                     << Lines(differences) << "the whole result:\n"
                                     << PrettyJson(answer->result_json);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, QueryCaseTest, ::testing::ValuesIn(AllCaseFiles()), TestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(QueryCaseTest);

TEST(QueryCasesTest, EveryCaseFileReads) {
  // Also for kinds this build lacks: a malformed case is found now, not when
  // its analysis lands.
  for (const QueryCaseFile& file : AllCaseFiles()) {
    const Result<QueryCase> loaded = LoadQueryCase(file);
    EXPECT_TRUE(loaded.ok()) << loaded.status().cause();
  }
}

TEST(QueryCasesTest, CaseNamesAreDistinctTestNames) {
  std::set<std::string> names;
  for (const QueryCaseFile& file : AllCaseFiles()) {
    EXPECT_TRUE(names.insert(TestName({file, 0})).second)
        << file.path << " has the test name of another case; rename it";
  }
}

TEST(QueryCasesTest, EveryAnalysisInThisBuildHasCases) {
  if (const char* dir = std::getenv("CDP_QUERY_CASES_DIR"); dir != nullptr && *dir != '\0') {
    GTEST_SKIP() << "cases from " << dir << ", not tests/queries";
  }
  std::set<QueryKind> with_cases;
  for (const QueryCaseFile& file : AllCaseFiles()) with_cases.insert(file.kind);
  for (const auto& [kind, function] : AvailableQueryFunctions()) {
    EXPECT_TRUE(with_cases.contains(kind))
        << "the " << QueryKindName(kind) << " analysis is built but tests/queries/"
        << QueryKindName(kind) << "/ has no case";
  }
  std::string missing;
  for (const QueryKind kind : kQueryKinds) {
    if (!AvailableQueryFunctions().contains(kind)) {
      missing += missing.empty() ? "" : ", ";
      missing += QueryKindName(kind);
    }
  }
  if (!missing.empty()) {
    std::cout << "[ NOTE     ] analyses not in this build, their cases skipped: " << missing
              << "\n";
  }
}

}  // namespace
}  // namespace cdp::query::cases
