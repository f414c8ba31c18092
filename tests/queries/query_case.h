#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "meta/identity_store.h"
#include "model/event.h"
#include "query/query_kind.h"
#include "query/testing/static_person_directory.h"

namespace cdp::query::cases {

// The workspace every case's events belong to.
inline constexpr std::string_view kCaseWorkspace = "ws_test";

// One data-driven case, tests/queries/<kind>/<name>.json (README.md beside
// this file describes the format):
//   {"description": "...", "events": [{event}, ...], "request": {...},
//    "expected": {<the analysis's result object>},
//    "persons": {"<representative>": ["<member id>", ...]},   (optional)
//    "profiles": [{profile}, ...]}                             (optional)
struct QueryCase {
  QueryKind kind = QueryKind::kEvents;
  std::string name;  // "<kind>/<file name without .json>"
  std::string description;
  std::vector<Event> events;
  std::string request;   // JSON text
  std::string expected;  // JSON text
  // Who is merged with whom, and the profiles (of workspace kCaseWorkspace).
  // A case with neither runs without a person directory (nobody merged).
  query::testing::StaticPersonDirectory::Persons persons;
  std::vector<Profile> profiles;
  bool has_persons = false;  // "persons" or "profiles" was given
};

// The directory a case's queries resolve persons with: its persons and
// profiles, every id of its events known.
query::testing::StaticPersonDirectory PersonDirectoryOf(const QueryCase& query_case);

// A case file found under the cases folder, before it is read.
struct QueryCaseFile {
  QueryKind kind = QueryKind::kEvents;
  std::filesystem::path path;
  std::string name;  // "<kind>/<file name without .json>"
};

// Every *.json file of every kind's folder (<root>/<kind>/), by kind then
// file name. Folders that are no kind's are ignored.
std::vector<QueryCaseFile> ListQueryCaseFiles(const std::filesystem::path& root);

// Reads a case; errors (Internal, for test output) name the file and what
// in it is wrong.
Result<QueryCase> LoadQueryCase(const QueryCaseFile& file);
// The same from text (`file` names it in errors).
Result<QueryCase> ParseQueryCase(QueryKind kind, std::string_view name, std::string_view text);

}  // namespace cdp::query::cases
