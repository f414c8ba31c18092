#include "queries/query_case.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.h"

namespace cdp::query::cases {
namespace {

Result<QueryCase> Parse(std::string_view text) {
  return ParseQueryCase(QueryKind::kFunnel, "funnel/example", text);
}

const Property* Find(const std::vector<Property>& properties, std::string_view name) {
  for (const Property& property : properties) {
    if (property.name == name) return &property;
  }
  return nullptr;
}

TEST(QueryCaseFileTest, ReadsEventsAsIngestionStoresThem) {
  const Result<QueryCase> parsed = Parse(R"({
    "description": "two events",
    "events": [
      {"type": "track", "event": "Signed Up", "anonymous_id": "a1", "user_id": "u1",
       "timestamp": "2026-03-01T10:00:00Z",
       "properties": {"plan": "pro", "price": 9.5, "address": {"zipCode": "75001"},
                      "tags": ["a", "b"], "trial": true},
       "context": {"country": "FR"}, "traits": {"email": "a@b.c"}},
      {"event": "Logged In", "user_id": "u2", "message_id": "m2", "timestamp": "2026-03-01",
       "received_at": "2026-03-02T00:00:00+01:00", "traits_set_once": {"first": "x"}}
    ],
    "request": {"steps": [{"event": "Signed Up"}]},
    "expected": {"steps": []}
  })");
  ASSERT_TRUE(parsed.ok()) << parsed.status().cause();
  const QueryCase& c = *parsed;
  EXPECT_EQ(c.kind, QueryKind::kFunnel);
  EXPECT_EQ(c.name, "funnel/example");
  EXPECT_EQ(c.description, "two events");
  EXPECT_EQ(c.request, R"({"steps":[{"event":"Signed Up"}]})");
  EXPECT_EQ(c.expected, R"({"steps":[]})");
  ASSERT_EQ(c.events.size(), 2u);

  const Event& first = c.events[0];
  EXPECT_EQ(first.workspace_id, kCaseWorkspace);
  EXPECT_EQ(first.type, EventType::kTrack);
  EXPECT_EQ(first.event, "Signed Up");
  EXPECT_EQ(first.anonymous_id, "a1");
  EXPECT_EQ(first.user_id, "u1");
  EXPECT_EQ(first.message_id, "funnel/example-0");  // generated
  EXPECT_EQ(FormatIso8601(first.timestamp), "2026-03-01T10:00:00.000Z");
  EXPECT_EQ(first.received_at, first.timestamp);
  ASSERT_NE(Find(first.properties, "plan"), nullptr);
  EXPECT_EQ(std::get<std::string>(Find(first.properties, "plan")->value), "pro");
  EXPECT_EQ(std::get<double>(Find(first.properties, "price")->value), 9.5);
  EXPECT_EQ(std::get<bool>(Find(first.properties, "trial")->value), true);
  // Flattened and snake_cased as ingestion does; arrays kept as JSON text.
  ASSERT_NE(Find(first.properties, "address_zip_code"), nullptr);
  EXPECT_EQ(std::get<std::string>(Find(first.properties, "tags")->value), R"(["a","b"])");
  ASSERT_NE(Find(first.context, "country"), nullptr);
  ASSERT_NE(Find(first.traits, "email"), nullptr);

  const Event& second = c.events[1];
  EXPECT_EQ(second.type, EventType::kTrack);  // the default
  EXPECT_EQ(second.message_id, "m2");         // as given
  EXPECT_EQ(FormatIso8601(second.timestamp), "2026-03-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(second.received_at), "2026-03-01T23:00:00.000Z");
  ASSERT_NE(Find(second.traits_set_once, "first"), nullptr);
}

TEST(QueryCaseFileTest, MistakesAreNamed) {
  struct Mistake {
    std::string text;
    std::string says;
  };
  const std::string request = R"("request": {}, "expected": {})";
  const std::vector<Mistake> mistakes = {
      {"[]", "must be a JSON object"},
      {"{", "not valid JSON"},
      {R"({"events": [], )" + request + "}", "description is required"},
      {R"({"description": "d", )" + request + "}", "events is required"},
      {R"({"description": "d", "events": [], "expected": {}})", "request is required"},
      {R"({"description": "d", "events": [], "request": {}})", "expected is required"},
      {R"({"description": "d", "events": [], "notes": 1, )" + request + "}", "unknown key notes"},
      {R"({"description": "d", "events": [{"event": "x"}], )" + request + "}",
       "events[0].timestamp is required"},
      {R"({"description": "d", "events": [{"timestamp": "yesterday"}], )" + request + "}",
       "events[0].timestamp must be an ISO-8601"},
      {R"({"description": "d", "events": [{"timestamp": "2026-03-01", "type": "click"}], )" +
           request + "}",
       "events[0].type must be"},
      {R"({"description": "d", "events": [{"timestamp": "2026-03-01", "distinct_id": "x"}], )" +
           request + "}",
       "unknown key events[0].distinct_id"},
      {R"({"description": "d", "events": [{"timestamp": "2026-03-01", "user_id": 5}], )" + request +
           "}",
       "events[0].user_id must be a string"},
      {R"({"description": "d", "events": [{"timestamp": "2026-03-01", "properties": 1}], )" +
           request + "}",
       "events[0].properties must be an object"},
      {R"({"description": "d", "events": [], "request": [], "expected": {}})",
       "request must be an object"},
      {R"({"description": "d", "events": [], "persons": [], )" + request + "}",
       "persons must be an object"},
      {R"({"description": "d", "events": [], "persons": {"a1": "u1"}, )" + request + "}",
       "persons.a1 must be an array of strings"},
      {R"({"description": "d", "events": [], "persons": {"a1": ["u1"], "a2": ["u1"]}, )" + request +
           "}",
       "persons.a2: the id u1 belongs to two persons"},
      {R"({"description": "d", "events": [], "profiles": {}, )" + request + "}",
       "profiles must be an array"},
      {R"({"description": "d", "events": [], "profiles": [{"user_ids": []}], )" + request + "}",
       "profiles[0].person is required"},
      {R"({"description": "d", "events": [], "profiles": [{"person": "a", "age": 3}], )" + request +
           "}",
       "unknown key profiles[0].age"},
      {R"({"description": "d", "events": [], "profiles": [{"person": "a", "event_count": -1}], )" +
           request + "}",
       "profiles[0].event_count must be a whole number"},
  };
  for (const Mistake& mistake : mistakes) {
    const Result<QueryCase> parsed = Parse(mistake.text);
    ASSERT_FALSE(parsed.ok()) << mistake.text;
    EXPECT_NE(parsed.status().cause().find("funnel/example.json: "), std::string::npos)
        << parsed.status().cause();
    EXPECT_NE(parsed.status().cause().find(mistake.says), std::string::npos)
        << parsed.status().cause() << " should say " << mistake.says;
  }
}

TEST(QueryCaseFileTest, ReadsPersonsAndProfiles) {
  const Result<QueryCase> parsed = Parse(R"({
    "description": "merged",
    "persons": {"a1": ["u1", "a2", "a1"]},
    "profiles": [{"person": "a1", "user_ids": ["u1"], "anonymous_ids": ["a1", "a2"],
                  "traits": {"plan": "pro", "n": 2}, "first_seen_at": "2026-03-01T08:00:00Z",
                  "last_seen_at": "2026-03-01", "event_count": 3},
                 {"person": "w1"}],
    "events": [{"anonymous_id": "w1", "user_id": "u9", "timestamp": "2026-03-01"}],
    "request": {}, "expected": {}
  })");
  ASSERT_TRUE(parsed.ok()) << parsed.status().cause();
  EXPECT_TRUE(parsed->has_persons);
  EXPECT_EQ(parsed->persons.at("a1"), (std::vector<std::string>{"u1", "a2", "a1"}));
  ASSERT_EQ(parsed->profiles.size(), 2u);
  const Profile& first = parsed->profiles[0];
  EXPECT_EQ(first.workspace_id, kCaseWorkspace);
  EXPECT_EQ(first.person, "a1");
  EXPECT_EQ(first.user_ids, std::vector<std::string>{"u1"});
  EXPECT_EQ(first.anonymous_ids, (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(first.traits_json, R"({"plan":"pro","n":2})");
  EXPECT_EQ(FormatIso8601(first.first_seen), "2026-03-01T08:00:00.000Z");
  EXPECT_EQ(FormatIso8601(first.last_seen), "2026-03-01T00:00:00.000Z");
  EXPECT_EQ(first.event_count, 3);
  EXPECT_EQ(parsed->profiles[1].traits_json, "{}");

  // The directory: the merges, the profiles, and the events' ids known.
  const query::testing::StaticPersonDirectory directory = PersonDirectoryOf(*parsed);
  EXPECT_EQ(directory.Snapshot(kCaseWorkspace)->ResolveId("u1"), PersonKeyOf("a1"));
  EXPECT_EQ(*directory.MemberIds(kCaseWorkspace, "a2"),
            (std::vector<std::string>{"a1", "u1", "a2"}));
  EXPECT_EQ(*directory.MemberIds(kCaseWorkspace, ProfileIdOf(PersonKeyOf("u9"))),
            std::vector<std::string>{"u9"});
  int profiles = 0;
  ASSERT_TRUE(directory
                  .ScanProfiles(kCaseWorkspace,
                                [&](const Profile&) {
                                  ++profiles;
                                  return true;
                                })
                  .ok());
  EXPECT_EQ(profiles, 2);

  const Result<QueryCase> plain = Parse(R"({"description": "d", "events": [], "request": {},
                                             "expected": {}})");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->has_persons);
}

TEST(QueryCaseFileTest, ListsEveryKindsJsonFilesInOrder) {
  cdp::testing::TempDir root;
  std::filesystem::create_directories(root.path() + "/funnel");
  std::filesystem::create_directories(root.path() + "/sql");
  std::filesystem::create_directories(root.path() + "/unknown");
  for (const std::string file :
       {"funnel/b.json", "funnel/a.json", "funnel/notes.md", "sql/select.json", "unknown/x.json"}) {
    std::ofstream(root.path() + "/" + file) << "{}";
  }
  const std::vector<QueryCaseFile> files = ListQueryCaseFiles(root.path());
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].name, "funnel/a");
  EXPECT_EQ(files[0].kind, QueryKind::kFunnel);
  EXPECT_EQ(files[1].name, "funnel/b");
  EXPECT_EQ(files[2].name, "sql/select");
  EXPECT_EQ(files[2].kind, QueryKind::kSql);
  EXPECT_EQ(files[2].path.filename(), "select.json");
}

}  // namespace
}  // namespace cdp::query::cases
