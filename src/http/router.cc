#include "http/router.h"

#include <algorithm>
#include <cassert>

#include "core/string_map.h"
#include "http/url_encoding.h"

namespace cdp::http {

struct Router::Node {
  StringMap<std::unique_ptr<Node>> literal_children;
  std::unique_ptr<Node> param_child;
  std::string param_name;
  std::map<std::string, const Route*, std::less<>> by_method;
};

namespace {

// Splits "/a/b/" into {"a", "b"}, "/" into {} and "/a//" into {"a", ""}:
// only one trailing slash is ignored.
std::vector<std::string_view> SplitSegments(std::string_view path) {
  std::vector<std::string_view> segments;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return segments;
  while (true) {
    const size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

// Finds the node for segments[depth...] below `node`, trying a literal child
// before the parameter child, and appends the parameters it binds.
const Router::Node* MatchSegments(const Router::Node& node,
                                  const std::vector<std::string_view>& segments, size_t depth,
                                  PathParams& params) {
  if (depth == segments.size()) return node.by_method.empty() ? nullptr : &node;
  const std::string_view segment = segments[depth];
  if (const auto it = node.literal_children.find(segment); it != node.literal_children.end()) {
    if (const auto* found = MatchSegments(*it->second, segments, depth + 1, params)) return found;
  }
  if (node.param_child && !segment.empty()) {
    params.emplace_back(node.param_child->param_name, PercentDecode(segment));
    if (const auto* found = MatchSegments(*node.param_child, segments, depth + 1, params)) {
      return found;
    }
    params.pop_back();
  }
  return nullptr;
}

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;

void Router::Add(std::string_view method, std::string_view pattern, RouteAccess access,
                 Handler handler) {
  assert(!pattern.empty() && pattern.front() == '/');
  Node* node = root_.get();
  for (std::string_view segment : SplitSegments(pattern)) {
    if (IsParam(segment)) {
      if (!node->param_child) node->param_child = std::make_unique<Node>();
      node = node->param_child.get();
      node->param_name = std::string(segment.substr(1, segment.size() - 2));
    } else {
      auto& child = node->literal_children[std::string(segment)];
      if (!child) child = std::make_unique<Node>();
      node = child.get();
    }
  }
  // The pipeline picks a pattern's CORS policy before it knows the method
  // (preflights), so one pattern's routes must agree on being ingestion.
  assert((node->by_method.empty() ||
          (node->by_method.begin()->second->access == RouteAccess::kIngestion) ==
              (access == RouteAccess::kIngestion)) &&
         "a pattern mixes ingestion and other routes");
  auto route = std::make_unique<Route>(
      Route{std::string(method), std::string(pattern), access, std::move(handler)});
  const bool added = node->by_method.emplace(route->method, route.get()).second;
  assert(added && "route registered twice");
  (void)added;
  routes_.push_back(std::move(route));
}

const Router::Node* Router::FindNode(std::string_view path, PathParams* params) const {
  const std::vector<std::string_view> segments = SplitSegments(path);
  PathParams found;
  const Node* node = MatchSegments(*root_, segments, 0, found);
  if (node != nullptr && params != nullptr) *params = std::move(found);
  return node;
}

Result<Router::Match> Router::Find(std::string_view method, std::string_view path) const {
  PathParams params;
  const Node* node = FindNode(path, &params);
  if (node == nullptr) return Status::NotFound("no route for " + std::string(path));
  auto it = node->by_method.find(method);
  if (it == node->by_method.end() && method == "HEAD") it = node->by_method.find("GET");
  if (it == node->by_method.end()) {
    return Status::MethodNotAllowed(std::string(method) + " is not allowed on " + std::string(path),
                                    RoutesFor(path)->allowed_methods);
  }
  return Match{it->second, std::move(params)};
}

std::optional<Router::PathRoutes> Router::RoutesFor(std::string_view path) const {
  const Node* node = FindNode(path, nullptr);
  if (node == nullptr) return std::nullopt;
  std::vector<std::string> methods;
  for (const auto& [method, route] : node->by_method) methods.push_back(method);
  if (node->by_method.contains("GET") && !node->by_method.contains("HEAD")) {
    methods.push_back("HEAD");
  }
  methods.push_back("OPTIONS");
  std::sort(methods.begin(), methods.end());
  std::string out;
  for (const auto& method : methods) {
    if (!out.empty()) out += ", ";
    out += method;
  }
  const Route& first = *node->by_method.begin()->second;
  return PathRoutes{first.pattern, std::move(out), first.access == RouteAccess::kIngestion};
}

std::vector<const Route*> Router::routes() const {
  std::vector<const Route*> out;
  for (const auto& route : routes_) out.push_back(route.get());
  return out;
}

}  // namespace cdp::http
