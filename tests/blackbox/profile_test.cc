// Identity stitching as a client sees it, end to end through `cdp serve`: a
// visitor browses anonymously, signs up, logs in on a second device and buys
// there; the profile API shows one person over both devices, and the
// analyses count that person once. A second user on the shared device stays
// apart, a dangerous merge joins two users and an unmerge splits them back,
// with the analyses following at once. Placeholder ids are refused at
// ingestion, and another workspace sees none of it.

#include <cctype>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "blackbox/server_api_test.h"
#include "core/clock.h"
#include "support/json_pointer.h"

namespace cdp::testing {
namespace {

using std::chrono::minutes;

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

class ProfileTest : public ServerApiTest {
 protected:
  // What a call at `offset` minutes after the start of the story says.
  std::string At(int offset) const { return FormatIso8601(start_ + minutes(offset)); }

  // Sends acme's first story: alice browses on device 1 (anonymous id
  // "d1-anon"), signs up, logs in on device 2 ("d2-anon") and buys there;
  // then bob logs in on device 1. Nine events, message ids m1 to m9.
  void SendStory() {
    const std::string batch = R"({"batch": [
      {"type": "page", "messageId": "m1", "anonymousId": "d1-anon", "name": "Home",
       "timestamp": ")" + At(0) +
                              R"("},
      {"type": "track", "messageId": "m2", "anonymousId": "d1-anon", "event": "Viewed Product",
       "timestamp": ")" + At(1) +
                              R"("},
      {"type": "identify", "messageId": "m3", "anonymousId": "d1-anon", "userId": "alice",
       "traits": {"plan": "free", "email": "alice@example.com"}, "timestamp": ")" +
                              At(2) + R"("},
      {"type": "track", "messageId": "m4", "anonymousId": "d1-anon", "userId": "alice",
       "event": "Signed Up", "timestamp": ")" +
                              At(3) + R"("},
      {"type": "page", "messageId": "m5", "anonymousId": "d2-anon", "name": "Home",
       "timestamp": ")" + At(10) +
                              R"("},
      {"type": "identify", "messageId": "m6", "anonymousId": "d2-anon", "userId": "alice",
       "traits": {"plan": "pro"}, "timestamp": ")" +
                              At(11) + R"("},
      {"type": "track", "messageId": "m7", "anonymousId": "d2-anon", "userId": "alice",
       "event": "Order Completed", "properties": {"revenue": 30}, "timestamp": ")" +
                              At(12) + R"("},
      {"type": "identify", "messageId": "m8", "anonymousId": "d1-anon", "userId": "bob",
       "traits": {"plan": "team"}, "timestamp": ")" +
                              At(20) + R"("},
      {"type": "track", "messageId": "m9", "anonymousId": "d1-anon", "userId": "bob",
       "event": "Viewed Product", "timestamp": ")" +
                              At(21) + R"("}]})";
    const HttpResponse sent = PostAs(acme_, "/v1/batch", batch);
    ASSERT_EQ(sent.status, 200) << sent.body;
    ASSERT_EQ(JsonAt(sent.body, "/accepted"), "9") << sent.body;
    // The same anonymous id in another workspace is another person.
    ASSERT_EQ(PostAs(other_, "/v1/track",
                     R"({"anonymousId": "d1-anon", "event": "Viewed Product", "timestamp": ")" +
                         At(5) + R"("})")
                  .status,
              200);
  }

  // The first row of a SQL answer, e.g. "[9]".
  std::string SqlRow(const std::string& sql) {
    const HttpResponse answer = Api("POST", "/query/sql", R"({"query": ")" + sql + R"("})");
    EXPECT_EQ(answer.status, 200) << answer.body;
    return JsonAt(answer.body, "/result/rows/0");
  }

  // Waits until `sql` answers `row` (the loaders make events and merges
  // visible within about a second). Through SQL, which is never cached, so
  // that no profile lookup is cached before the profiles are complete.
  void WaitForSql(const std::string& sql, const std::string& row) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::string seen;
    while (std::chrono::steady_clock::now() < deadline) {
      seen = SqlRow(sql);
      if (seen == row) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << sql << " never answered " << row << "; last: " << seen;
  }

  // Waits until the store holds `events` events and the profiles count them
  // all in `profiles` persons.
  void WaitForLoaded(int events, int profiles) {
    WaitForSql("SELECT count(*) FROM events", "[" + std::to_string(events) + "]");
    WaitForSql("SELECT count(*), sum(event_count) FROM profiles",
               "[" + std::to_string(profiles) + "," + std::to_string(events) + "]");
  }

  // GET /profiles/{id} until its event_count is `count` (a deadline bounds
  // it: lookups are cached for 30 s, so the loaders must be done first).
  HttpResponse WaitForProfile(const std::string& id, int count) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(40);
    HttpResponse profile;
    while (std::chrono::steady_clock::now() < deadline) {
      profile = Api("GET", "/profiles/" + UrlEncode(id));
      if (profile.status == 200 && JsonAt(profile.body, "/event_count") == std::to_string(count)) {
        return profile;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ADD_FAILURE() << id << " never showed " << count << " events: " << profile.body;
    return profile;
  }

  std::string Range() const {
    return R"("from": ")" + FormatIso8601(start_ - std::chrono::hours(1)) + R"(", "to": ")" +
           FormatIso8601(start_ + std::chrono::hours(3)) + R"(")";
  }

  // Persons who did the 3-step journey's steps, in order: "[2,1,1]".
  std::string FunnelPersons() {
    const HttpResponse funnel = Api("POST", "/query/funnel", "{" + Range() + R"(,
        "window": {"value": 1, "unit": "day"},
        "steps": [{"event": "Viewed Product"}, {"event": "Signed Up"},
                  {"event": "Order Completed"}]})");
    EXPECT_EQ(funnel.status, 200) << funnel.body;
    return "[" + JsonAt(funnel.body, "/result/steps/0/persons") + "," +
           JsonAt(funnel.body, "/result/steps/1/persons") + "," +
           JsonAt(funnel.body, "/result/steps/2/persons") + "]";
  }

  // Distinct persons who viewed a page.
  std::string PageViewers() {
    const HttpResponse trends = Api("POST", "/query/trends", "{" + Range() + R"(,
        "interval": "day", "series": [{"type": "page", "math": "unique_persons"}]})");
    EXPECT_EQ(trends.status, 200) << trends.body;
    return JsonAt(trends.body, "/result/series/0/total");
  }

  HttpResponse AsOther(const std::string& method, const std::string& path,
                       const std::string& body = {}) {
    auto response =
        Fetch(port_, method, path, body, {{"Authorization", "Bearer " + other_.secret_key}});
    EXPECT_TRUE(response) << path;
    return response.value_or(HttpResponse{});
  }

  const TimePoint start_ = SystemClock::Instance().Now() - std::chrono::hours(2);
};

TEST_F(ProfileTest, OnePersonAcrossDevicesInProfilesAndAnalyses) {
  SendStory();
  WaitForLoaded(9, 2);

  const HttpResponse alice = WaitForProfile("alice", 7);
  ASSERT_EQ(alice.status, 200) << alice.body;
  const std::string profile_id = StringAt(alice.body, "/id");
  EXPECT_EQ(profile_id.rfind("prs_", 0), 0u) << alice.body;
  // Found through either device's anonymous id, and through its own id.
  for (const std::string& id : std::vector<std::string>{"d1-anon", "d2-anon", profile_id}) {
    SCOPED_TRACE(id);
    const HttpResponse same = Api("GET", "/profiles/" + id);
    ASSERT_EQ(same.status, 200) << same.body;
    EXPECT_EQ(StringAt(same.body, "/id"), profile_id);
  }
  EXPECT_EQ(JsonAt(alice.body, "/user_id"), R"("alice")");
  EXPECT_EQ(JsonAt(alice.body, "/user_ids"), R"(["alice"])");
  EXPECT_EQ(JsonAt(alice.body, "/anonymous_ids"), R"(["d1-anon","d2-anon"])");
  EXPECT_EQ(JsonAt(alice.body, "/traits/plan"), R"("pro")");
  EXPECT_EQ(JsonAt(alice.body, "/traits/email"), R"("alice@example.com")");
  EXPECT_EQ(StringAt(alice.body, "/first_seen_at"), At(0));
  EXPECT_EQ(StringAt(alice.body, "/last_seen_at"), At(12));
  // Both identifies merged: the visitor's person absorbed alice, then
  // device 2's visitor.
  EXPECT_EQ(JsonAt(alice.body, "/merges/0/kind"), R"("identify")");
  EXPECT_EQ(JsonAt(alice.body, "/merges/1/kind"), R"("identify")");
  EXPECT_EQ(JsonAt(alice.body, "/merges/1/winner/profile_id"), JsonAt(alice.body, "/id"));
  EXPECT_EQ(JsonAt(alice.body, "/merges/2"), "");

  // Bob logged in on alice's first device: the safeguard keeps him apart.
  const HttpResponse bob = Api("GET", "/profiles/bob");
  ASSERT_EQ(bob.status, 200) << bob.body;
  EXPECT_NE(StringAt(bob.body, "/id"), profile_id);
  EXPECT_EQ(JsonAt(bob.body, "/event_count"), "2");
  EXPECT_EQ(JsonAt(bob.body, "/anonymous_ids"), "[]");
  EXPECT_EQ(JsonAt(bob.body, "/traits/plan"), R"("team")");

  // The merged timeline, newest first, three at a time.
  std::vector<std::string> timeline;
  std::string cursor;
  for (int page = 0; page < 5; ++page) {
    const HttpResponse events =
        Api("GET", "/profiles/alice/events?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(events.status, 200) << events.body;
    for (int row = 0; row < 3; ++row) {
      const std::string id =
          StringAt(events.body, "/events/" + std::to_string(row) + "/message_id");
      if (id.empty()) break;
      EXPECT_EQ(StringAt(events.body, "/events/" + std::to_string(row) + "/person_id"), profile_id);
      timeline.push_back(id);
    }
    if (JsonAt(events.body, "/next_cursor") == "null") break;
    cursor = UrlEncode(StringAt(events.body, "/next_cursor"));
  }
  EXPECT_EQ(timeline, (std::vector<std::string>{"m7", "m6", "m5", "m4", "m3", "m2", "m1"}));

  // Viewed on device 1 anonymously, signed up, bought on device 2: one
  // converted person (bob viewed too, and stopped there).
  EXPECT_EQ(FunnelPersons(), "[2,1,1]");
  // Alice viewed a page on both devices: one person.
  EXPECT_EQ(PageViewers(), "1");

  // The list: most recently seen first, filtered by trait, searched by id.
  const HttpResponse all = Api("GET", "/profiles");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(StringAt(all.body, "/results/0/id"), StringAt(bob.body, "/id"));
  EXPECT_EQ(StringAt(all.body, "/results/1/id"), profile_id);
  EXPECT_EQ(JsonAt(all.body, "/results/2"), "");
  EXPECT_EQ(JsonAt(all.body, "/next_cursor"), "null");
  const HttpResponse pro =
      Api("GET", "/profiles?filters=" +
                     UrlEncode(R"([{"trait": "plan", "operator": "equals", "value": "pro"}])"));
  ASSERT_EQ(pro.status, 200) << pro.body;
  EXPECT_EQ(StringAt(pro.body, "/results/0/id"), profile_id);
  EXPECT_EQ(JsonAt(pro.body, "/results/1"), "");
  const HttpResponse searched = Api("GET", "/profiles?search=D2-ANON");
  EXPECT_EQ(StringAt(searched.body, "/results/0/id"), profile_id) << searched.body;
  EXPECT_EQ(JsonAt(searched.body, "/results/1"), "");
  const HttpResponse bad =
      Api("GET", "/profiles?filters=" + UrlEncode(R"([{"trait": "plan", "operator": "equals"}])"));
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(StringAt(bad.body, "/field"), "filters[0].value");

  EXPECT_EQ(SqlRow("SELECT count(*) FROM profiles"), "[2]");

  // Another workspace's key sees none of this.
  EXPECT_EQ(AsOther("GET", "/profiles/alice").status, 404);
  // A profile id names a person within its workspace only: there it names
  // their own d1-anon, or nobody.
  const HttpResponse by_profile_id = AsOther("GET", "/profiles/" + profile_id);
  EXPECT_NE(JsonAt(by_profile_id.body, "/user_id"), R"("alice")") << by_profile_id.body;
  EXPECT_NE(JsonAt(by_profile_id.body, "/event_count"), "7") << by_profile_id.body;
  EXPECT_EQ(AsOther("GET", "/profiles/alice/events").status, 404);
  EXPECT_EQ(AsOther("POST", "/profiles/alice/unmerge", R"({"merge_id": "x"})").status, 404);
  const HttpResponse theirs = AsOther("GET", "/profiles/d1-anon");
  ASSERT_EQ(theirs.status, 200) << theirs.body;
  EXPECT_EQ(JsonAt(theirs.body, "/event_count"), "1");
  EXPECT_EQ(JsonAt(theirs.body, "/user_id"), "null");
}

TEST_F(ProfileTest, ADangerousMergeAndItsUnmergeReachAnalysesAtOnce) {
  SendStory();
  // Each step waits for the one before: the log keeps order per anonymous
  // id only, and which person a merge keeps (the older one) depends on the
  // order the links were applied.
  WaitForLoaded(9, 2);
  // Carol browses on device 3 and signs up: a person of her own.
  const std::string carol = R"({"batch": [
      {"type": "page", "messageId": "c1", "anonymousId": "d3-anon", "name": "Home",
       "timestamp": ")" + At(30) +
                            R"("},
      {"type": "identify", "messageId": "c2", "anonymousId": "d3-anon", "userId": "carol",
       "timestamp": ")" + At(31) +
                            R"("}]})";
  ASSERT_EQ(PostAs(acme_, "/v1/batch", carol).status, 200);
  WaitForLoaded(11, 3);
  EXPECT_EQ(PageViewers(), "2");

  // Carol is alice, who signed up twice: both are identified, so only the
  // explicit flag merges them.
  const HttpResponse alias = PostAs(acme_, "/v1/alias", R"({"messageId": "c3",
      "previousId": "carol", "userId": "alice", "context": {"merge_dangerously": true},
      "timestamp": ")" + At(32) + R"("})");
  ASSERT_EQ(alias.status, 200) << alias.body;
  WaitForLoaded(12, 2);
  EXPECT_EQ(PageViewers(), "1");

  const HttpResponse merged = Api("GET", "/profiles/carol");
  ASSERT_EQ(merged.status, 200) << merged.body;
  const std::string profile_id = StringAt(merged.body, "/id");
  EXPECT_EQ(JsonAt(merged.body, "/event_count"), "10");
  EXPECT_EQ(JsonAt(merged.body, "/user_ids"), R"(["alice","carol"])");
  // Alice's two identifies, carol's, and the dangerous one, in that order.
  const std::string dangerous = "/merges/3";
  EXPECT_EQ(JsonAt(merged.body, "/merges/2/to_id"), R"("carol")");
  EXPECT_EQ(JsonAt(merged.body, dangerous + "/kind"), R"("merge_dangerously")");
  EXPECT_EQ(JsonAt(merged.body, dangerous + "/from_id"), R"("carol")");
  EXPECT_EQ(JsonAt(merged.body, dangerous + "/to_id"), R"("alice")");
  EXPECT_EQ(JsonAt(merged.body, dangerous + "/message_id"), R"("c3")");
  EXPECT_EQ(JsonAt(merged.body, dangerous + "/winner/profile_id"), JsonAt(merged.body, "/id"));
  EXPECT_EQ(JsonAt(merged.body, dangerous + "/loser/id"), R"("d3-anon")");
  EXPECT_EQ(JsonAt(merged.body, dangerous + "/moved_ids"), R"(["d3-anon","carol"])");
  EXPECT_EQ(JsonAt(merged.body, dangerous + "/unmerged_at"), "null");
  const std::string merge_id = StringAt(merged.body, dangerous + "/merge_id");
  ASSERT_FALSE(merge_id.empty()) << merged.body;

  const HttpResponse split =
      Api("POST", "/profiles/" + profile_id + "/unmerge", R"({"merge_id": ")" + merge_id + R"("})");
  ASSERT_EQ(split.status, 200) << split.body;
  EXPECT_EQ(StringAt(split.body, "/kept/id"), profile_id);
  EXPECT_EQ(JsonAt(split.body, "/kept/user_ids"), R"(["alice"])");
  EXPECT_EQ(JsonAt(split.body, "/split_off/user_ids"), R"(["carol"])");
  EXPECT_EQ(JsonAt(split.body, "/split_off/anonymous_ids"), R"(["d3-anon"])");
  // The merge stays recorded, undone.
  const HttpResponse kept = Api("GET", "/profiles/alice");
  std::string unmerged_at;
  for (int i = 0; i < 10 && unmerged_at.empty(); ++i) {
    const std::string merge = "/merges/" + std::to_string(i);
    if (StringAt(kept.body, merge + "/merge_id") == merge_id) {
      unmerged_at = StringAt(kept.body, merge + "/unmerged_at");
    }
  }
  EXPECT_FALSE(unmerged_at.empty()) << kept.body;
  // At once: no cached answer of the merged persons is served.
  EXPECT_EQ(PageViewers(), "2");
  EXPECT_EQ(FunnelPersons(), "[2,1,1]");
  const HttpResponse carol_again = Api("GET", "/profiles/carol");
  EXPECT_EQ(StringAt(carol_again.body, "/id"), StringAt(split.body, "/split_off/id"));
  EXPECT_EQ(SqlRow("SELECT count(*) FROM profiles"), "[3]");

  const HttpResponse again =
      Api("POST", "/profiles/" + profile_id + "/unmerge", R"({"merge_id": ")" + merge_id + R"("})");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(StringAt(again.body, "/field"), "merge_id");
}

TEST_F(ProfileTest, PlaceholderIdsAreRefusedAtIngestion) {
  const HttpResponse batch = PostAs(acme_, "/v1/batch", R"({"batch": [
      {"type": "track", "anonymousId": "d1-anon", "event": "Viewed Product"},
      {"type": "identify", "anonymousId": "d1-anon", "userId": "null"}]})");
  ASSERT_EQ(batch.status, 200) << batch.body;
  EXPECT_EQ(JsonAt(batch.body, "/accepted"), "1");
  EXPECT_EQ(JsonAt(batch.body, "/rejected/0/index"), "1");
  EXPECT_EQ(JsonAt(batch.body, "/rejected/0/status"), "400");
  EXPECT_EQ(StringAt(batch.body, "/rejected/0/field"), "batch[1].userId");

  const HttpResponse single =
      PostAs(acme_, "/v1/identify", R"({"anonymousId": "d1-anon", "userId": "undefined"})");
  EXPECT_EQ(single.status, 400) << single.body;
  EXPECT_EQ(StringAt(single.body, "/field"), "userId");

  WaitForLoaded(1, 1);
  EXPECT_EQ(Api("GET", "/profiles/null").status, 404);
  EXPECT_EQ(Api("GET", "/profiles/does-not-exist").status, 404);
}

TEST_F(ProfileTest, EveryProfileRouteNeedsTheSecretKey) {
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/profiles"},
                                                        {"GET", "/profiles/alice"},
                                                        {"GET", "/profiles/alice/events"},
                                                        {"POST", "/profiles/alice/unmerge"}}) {
    SCOPED_TRACE(method + " " + path);
    const auto none = Fetch(port_, method, path, "{}");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401);
    const auto write_key =
        Fetch(port_, method, path, "{}", {{"Authorization", "Bearer " + acme_.write_key}});
    EXPECT_EQ(write_key->status, 401);
  }
}

}  // namespace
}  // namespace cdp::testing
