#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/route_access.h"

namespace cdp::http {

using HeaderList = std::vector<std::pair<std::string_view, std::string_view>>;
using PathParams = std::vector<std::pair<std::string_view, std::string>>;

// One HTTP request as handlers see it. The transport fills it; the views
// (method, target, headers) point into the transport's buffers.
// Lifetime: valid until the request's Reply is sent. A handler that finishes
// its work on another thread copies what it needs first or keeps the Reply
// (which keeps the request alive) until it replies.
class Request {
 public:
  std::string_view method() const { return method_; }
  std::string_view target() const { return target_; }
  // The target without its query string.
  std::string_view path() const { return path_; }
  // The part after '?', without it; empty when none.
  std::string_view query() const { return query_; }
  // The first header of that name (case-insensitive), or "" when absent.
  std::string_view Header(std::string_view name) const;
  const HeaderList& headers() const { return headers_; }
  // The body, already decoded from its Content-Encoding when it reaches a handler.
  // A body read with a Content-Length and not decoded has kBodyPaddingBytes
  // of spare capacity, for parsers that read past the end (simdjson does).
  static constexpr size_t kBodyPaddingBytes = 64;
  std::string& body() { return body_; }
  const std::string& body() const { return body_; }
  // The first query parameter of that name, percent-decoded ('+' is a
  // space); nullopt when absent. "?a" and "?a=" both give "".
  std::optional<std::string> QueryParam(std::string_view name) const;
  // A {name} segment of the matched route pattern, percent-decoded; "" if none.
  std::string_view PathParam(std::string_view name) const;
  // The route pattern that matched ("/queries/{id}"), for logs and metrics.
  std::string_view route() const { return route_; }
  // Who may call the matched route; kPublic when no route matched (or before
  // routing).
  RouteAccess access() const { return access_; }
  const std::string& request_id() const { return request_id_; }
  std::string_view remote_address() const { return remote_address_; }
  std::chrono::steady_clock::time_point started_at() const { return started_at_; }
  // The workspace the request acts on, once authentication established it
  // (empty before): it goes into the access log line.
  const std::string& workspace_id() const { return workspace_id_; }
  void set_workspace_id(std::string id) { workspace_id_ = std::move(id); }
  // Who the request's credentials speak for, once authentication established
  // it ("user:<id>", "key:<id>"; empty before): for the access log, so never
  // a secret.
  const std::string& actor() const { return actor_; }
  void set_actor(std::string actor) { actor_ = std::move(actor); }

  // Filled by the transport (and by tests that call handlers directly).
  void SetStartLine(std::string_view method, std::string_view target);
  void SetHeaders(HeaderList headers) { headers_ = std::move(headers); }
  void SetBody(std::string body) { body_ = std::move(body); }
  void SetRequestId(std::string id) { request_id_ = std::move(id); }
  void SetRemoteAddress(std::string address) { remote_address_ = std::move(address); }
  void SetStartedAt(std::chrono::steady_clock::time_point t) { started_at_ = t; }
  // Filled by the pipeline from the router's match.
  void SetRoute(std::string_view route, PathParams params,
                RouteAccess access = RouteAccess::kPublic);

 private:
  std::string_view method_;
  std::string_view target_;
  std::string_view path_;
  std::string_view query_;
  HeaderList headers_;
  std::string body_;
  std::string_view route_;
  PathParams params_;
  std::string request_id_;
  std::string remote_address_;
  RouteAccess access_ = RouteAccess::kPublic;
  std::string workspace_id_;
  std::string actor_;
  std::chrono::steady_clock::time_point started_at_{};
};

}  // namespace cdp::http
