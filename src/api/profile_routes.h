#pragma once

#include <functional>

#include "api/api_routes.h"
#include "api/audit_recorder.h"
#include "identity/identity_service.h"
#include "query/query_runner.h"

namespace cdp::api {

struct ProfileRoutesOptions {
  // Where the routes that scan (the profile list and the timeline) do their
  // work, so that they never hold an event loop: called with the work, it
  // runs it once on any thread and returns true, or returns false (dropping
  // it) when it is too busy, which answers 503. Empty: the work runs at once
  // on the calling thread (tests; a server passes its query pool's
  // TrySubmit). The executor must finish its work before the HTTP server is
  // destroyed.
  std::function<bool(std::function<void()> work)> run_queries;
};

// The workspace's profiles: persons stitched from their ids (read; admin to
// unmerge; docs/profiles.md explains the stitching, docs/openapi.yaml the
// fields).
//
//   GET  /profiles/{id}           the profile (api/profile_json.h) with its
//                                 merges; `id` is a profile id (also a former
//                                 one), a user id or an anonymous id,
//                                 percent-encoded in the path. Answers come
//                                 from a 30 s cache (IdentityService).
//   GET  /profiles?search=&filters=&limit=&cursor=
//                                 {"results": [profile...], "next_cursor"},
//                                 most recently seen first
//                                 (api/profile_list_request.h)
//   GET  /profiles/{id}/events?limit=&cursor=
//                                 the person's events over all their ids,
//                                 newest first: the explorer's result
//                                 (POST /query/events with "person_id", over
//                                 all time); limit 1 to 10,000 (100)
//   POST /profiles/{id}/unmerge   {"merge_id": "..."}: undoes one of the
//                                 person's merges; {"kept": <profile>,
//                                 "split_off": <profile>}; 409 (field
//                                 "merge_id") when it was already undone
//
// An id no event of the key's workspace ever had is 404 (field "id"), as is
// any id of another workspace. Every invalid parameter is a 400 naming it.
// An unmerge is audited (profile.unmerge, target the kept profile, details
// {"merge_id", "kept", "split_off"} profile ids).
// Every argument must outlive the router.
void AddProfileRoutes(ApiRoutes& routes, const AuditRecorder& audit,
                      identity::IdentityService& identities, query::QueryRunner& runner,
                      ProfileRoutesOptions options = {});

}  // namespace cdp::api
