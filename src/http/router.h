#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "http/handler.h"
#include "http/route_access.h"

namespace cdp::http {

struct Route {
  std::string method;   // "GET", "POST", ...
  std::string pattern;  // "/queries/{id}"
  RouteAccess access = RouteAccess::kPublic;
  Handler handler;
};

// Maps (method, path) to a handler. Patterns are '/'-separated segments; a
// segment "{name}" matches any one non-empty segment and is available as a
// path parameter. A literal segment wins over a parameter at the same place
// ("/query/async" before "/query/{kind}"). One trailing slash is ignored.
// GET routes also answer HEAD.
// Thread safety: Add before serving; Find is then safe from any thread.
class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // REQUIRES: the pattern starts with '/', (method, pattern) is new, and
  // every route of one pattern is kIngestion or none is (they share CORS).
  // `access` is recorded, not enforced: the handler enforces it.
  void Add(std::string_view method, std::string_view pattern, RouteAccess access, Handler handler);

  struct Match {
    const Route* route;
    PathParams params;
  };
  // NotFound when no pattern matches the path; MethodNotAllowed (carrying the
  // Allow list) when some pattern matches but not with this method.
  Result<Match> Find(std::string_view method, std::string_view path) const;
  struct PathRoutes {
    std::string_view pattern;     // "/queries/{id}"
    std::string allowed_methods;  // "DELETE, GET, HEAD, OPTIONS, PUT"
    bool ingestion = false;       // the pattern's routes are kIngestion
  };
  // The pattern a path matches and the methods it accepts; nullopt when no
  // pattern matches.
  std::optional<PathRoutes> RoutesFor(std::string_view path) const;
  // Every route, in the order added (for documentation and access tests).
  std::vector<const Route*> routes() const;

  struct Node;  // a segment of the route tree, defined in router.cc

 private:
  const Node* FindNode(std::string_view path, PathParams* params) const;

  std::unique_ptr<Node> root_;
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace cdp::http
