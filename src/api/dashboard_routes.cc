#include "api/dashboard_routes.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/page.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "core/parse_integer.h"
#include "core/uuid.h"
#include "query/request_json.h"

namespace cdp::api {

namespace {

// A widget as a request gives it: `id` only on PUT, to keep an existing one.
struct WidgetFields {
  std::optional<std::string> id;
  DashboardWidget widget;  // without its id
};

// The fields of a POST or PUT body; nullopt when not given.
struct DashboardFields {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::vector<WidgetFields>> widgets;
};

// A required integer of `object` in [min, max].
Result<int> RequiredInt(const query::RequestObject& object, std::string_view key, int min,
                        int max) {
  CDP_ASSIGN_OR_RETURN(const std::optional<int64_t> value, object.OptionalInt(key, min, max));
  if (!value) {
    const std::string path = object.PathOf(key);
    return Status::BadRequest(path + " is required", path);
  }
  return static_cast<int>(*value);
}

Result<WidgetLayout> ParseLayout(const query::RequestObject& widget) {
  CDP_ASSIGN_OR_RETURN(const query::RequestObject layout, widget.Object("layout"));
  CDP_RETURN_IF_ERROR(layout.RejectUnknownKeys({"x", "y", "w", "h"}));
  WidgetLayout parsed;
  CDP_ASSIGN_OR_RETURN(parsed.x, RequiredInt(layout, "x", 0, kMaxWidgetCoordinate));
  CDP_ASSIGN_OR_RETURN(parsed.y, RequiredInt(layout, "y", 0, kMaxWidgetCoordinate));
  CDP_ASSIGN_OR_RETURN(parsed.w, RequiredInt(layout, "w", 1, kMaxWidgetExtent));
  CDP_ASSIGN_OR_RETURN(parsed.h, RequiredInt(layout, "h", 1, kMaxWidgetExtent));
  return parsed;
}

Result<WidgetFields> ParseWidget(const query::RequestObject::Element& element, bool allow_id) {
  CDP_ASSIGN_OR_RETURN(const query::RequestObject object,
                       query::RequestObject::Of(element.value, element.path));
  if (allow_id) {
    CDP_RETURN_IF_ERROR(object.RejectUnknownKeys({"id", "saved_query_id", "title", "layout"}));
  } else {
    CDP_RETURN_IF_ERROR(object.RejectUnknownKeys({"saved_query_id", "title", "layout"}));
  }
  WidgetFields fields;
  if (allow_id) {
    CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> id, object.OptionalString("id"));
    if (id) fields.id = std::string(*id);
  }
  CDP_ASSIGN_OR_RETURN(const std::string_view saved_query_id, object.String("saved_query_id"));
  fields.widget.saved_query_id = std::string(saved_query_id);
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> title, object.OptionalString("title"));
  fields.widget.title = std::string(title.value_or(""));
  CDP_ASSIGN_OR_RETURN(fields.widget.layout, ParseLayout(object));
  return fields;
}

// Reads a body of dashboard fields; `creating` (POST) requires a name and
// refuses widget ids. Bounds the store checks (lengths) are left to it.
Result<DashboardFields> ParseDashboardFields(std::string_view body, bool creating) {
  simdjson::dom::parser parser;
  CDP_ASSIGN_OR_RETURN(const query::RequestObject root, query::RequestObject::Parse(parser, body));
  CDP_RETURN_IF_ERROR(root.RejectUnknownKeys({"name", "description", "widgets"}));
  DashboardFields fields;
  if (creating) {
    CDP_ASSIGN_OR_RETURN(const std::string_view name, root.String("name"));
    fields.name = std::string(name);
  } else {
    CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> name, root.OptionalString("name"));
    if (name) fields.name = std::string(*name);
  }
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> description,
                       root.OptionalString("description"));
  if (description) fields.description = std::string(*description);
  if (root.Has("widgets")) {
    CDP_ASSIGN_OR_RETURN(const auto elements, root.Array("widgets", 0, kMaxDashboardWidgets));
    fields.widgets.emplace();
    for (const query::RequestObject::Element& element : elements) {
      CDP_ASSIGN_OR_RETURN(WidgetFields widget, ParseWidget(element, /*allow_id=*/!creating));
      fields.widgets->push_back(std::move(widget));
    }
  }
  return fields;
}

// The widgets to store: a new UUIDv7 for each widget without an id; a given
// id must be one of `current`'s widgets (null: the dashboard is new).
Result<std::vector<DashboardWidget>> WidgetsToStore(std::vector<WidgetFields> fields,
                                                    const Dashboard* current, const Clock& clock) {
  std::vector<DashboardWidget> widgets;
  for (size_t i = 0; i < fields.size(); ++i) {
    DashboardWidget& widget = fields[i].widget;
    if (fields[i].id) {
      bool found = false;
      for (const DashboardWidget& existing : current->widgets) {
        found = found || existing.id == *fields[i].id;
      }
      if (!found) {
        return Status::BadRequest(fmt::format("widget {} is not on this dashboard: leave id out "
                                              "to add a new widget",
                                              *fields[i].id),
                                  fmt::format("widgets[{}].id", i));
      }
      widget.id = std::move(*fields[i].id);
    } else {
      widget.id = Uuid::NewV7(clock).ToString();
    }
    widgets.push_back(std::move(widget));
  }
  return widgets;
}

Result<bool> WithResults(const http::Request& request) {
  const std::optional<std::string> text = request.QueryParam("results");
  if (!text || *text == "false") return false;
  if (*text == "true") return true;
  return Status::BadRequest("results must be true or false", "results");
}

// A widget's query, answered.
struct WidgetAnswer {
  query::QueryKind kind;
  query::QueryAnswer answer;
};

Result<WidgetAnswer> RunWidget(QueryLibrary& library, query::QueryRunner& runner,
                               const std::string& workspace_id, const DashboardWidget& widget) {
  CDP_ASSIGN_OR_RETURN(const SavedQuery saved,
                       library.GetSavedQuery(workspace_id, widget.saved_query_id));
  const std::optional<query::QueryKind> kind = query::ParseQueryKind(saved.kind);
  if (!kind) {
    // Written by another version of cdp that knows more kinds.
    return Status::BadRequest(
        fmt::format("saved query {} has a kind this server does not know: '{}'", saved.id,
                    saved.kind),
        "kind");
  }
  CDP_ASSIGN_OR_RETURN(query::QueryAnswer answer,
                       runner.Run(workspace_id, *kind, saved.request, nullptr));
  return WidgetAnswer{*kind, std::move(answer)};
}

// Every widget's answer, in the dashboard's order. A saved query shown twice
// runs once.
std::vector<Result<WidgetAnswer>> RunWidgets(QueryLibrary& library, query::QueryRunner& runner,
                                             const Dashboard& dashboard) {
  std::vector<Result<WidgetAnswer>> answers;
  std::map<std::string_view, size_t> first_of_query;
  for (const DashboardWidget& widget : dashboard.widgets) {
    const auto [first, inserted] = first_of_query.emplace(widget.saved_query_id, answers.size());
    if (!inserted) {
      answers.push_back(answers[first->second]);
      continue;
    }
    answers.push_back(RunWidget(library, runner, dashboard.workspace_id, widget));
    const Status& error = answers.back().status();
    if (!answers.back().ok() && error.http_status() >= 500) {
      // The answer shows "internal error" only; the cause goes to the log.
      log::Error("dashboard widget failed")
          .Str("workspace_id", dashboard.workspace_id)
          .Str("dashboard_id", dashboard.id)
          .Str("widget_id", widget.id)
          .Err(error);
    }
  }
  return answers;
}

// The keys of a widget, inside its open object.
void WriteWidgetKeys(JsonWriter& json, const DashboardWidget& widget) {
  json.Key("id").String(widget.id).Key("saved_query_id").String(widget.saved_query_id);
  json.Key("title");
  if (widget.title.empty()) {
    json.Null();
  } else {
    json.String(widget.title);
  }
  json.Key("layout")
      .BeginObject()
      .Key("x")
      .Int(widget.layout.x)
      .Key("y")
      .Int(widget.layout.y)
      .Key("w")
      .Int(widget.layout.w)
      .Key("h")
      .Int(widget.layout.h)
      .EndObject();
}

void WriteWidgetAnswer(JsonWriter& json, const Result<WidgetAnswer>& answer) {
  if (answer.ok()) {
    json.Key("answer")
        .BeginObject()
        .Key("kind")
        .String(query::QueryKindName(answer->kind))
        .Key("result")
        .Raw(answer->answer.result_json)
        .Key("cache_hit")
        .Bool(answer->answer.cache_hit)
        .Key("duration_ms")
        .Double(answer->answer.duration_ms)
        .Key("rows")
        .Uint(answer->answer.rows)
        .EndObject();
    return;
  }
  const Status& error = answer.status();
  json.Key("error")
      .BeginObject()
      .Key("code")
      .Int(error.http_status())
      .Key("message")
      .String(error.message())
      .Key("field");
  if (error.field().empty()) {
    json.Null();
  } else {
    json.String(error.field());
  }
  json.EndObject();
}

// `answers`, when given, holds one answer per widget.
void WriteDashboard(JsonWriter& json, const Dashboard& dashboard,
                    const std::vector<Result<WidgetAnswer>>* answers) {
  json.BeginObject()
      .Key("id")
      .String(dashboard.id)
      .Key("name")
      .String(dashboard.name)
      .Key("description")
      .String(dashboard.description)
      .Key("widgets")
      .BeginArray();
  for (size_t i = 0; i < dashboard.widgets.size(); ++i) {
    json.BeginObject();
    WriteWidgetKeys(json, dashboard.widgets[i]);
    if (answers != nullptr) WriteWidgetAnswer(json, (*answers)[i]);
    json.EndObject();
  }
  json.EndArray()
      .Key("created_at")
      .String(FormatIso8601(dashboard.created_at))
      .Key("updated_at")
      .String(FormatIso8601(dashboard.updated_at))
      .EndObject();
}

http::Response DashboardResponse(int status, const Dashboard& dashboard,
                                 const std::vector<Result<WidgetAnswer>>* answers = nullptr) {
  JsonWriter json;
  WriteDashboard(json, dashboard, answers);
  return http::Response::Json(status, std::move(json).Take());
}

// What GET /dashboards/{id} asks for.
struct DashboardView {
  Dashboard dashboard;
  bool with_results = false;
};

Result<DashboardView> ReadDashboardView(const http::Request& request, QueryLibrary& library,
                                        const std::string& workspace_id) {
  DashboardView view;
  CDP_ASSIGN_OR_RETURN(view.with_results, WithResults(request));
  CDP_ASSIGN_OR_RETURN(view.dashboard, library.GetDashboard(workspace_id, request.PathParam("id")));
  return view;
}

}  // namespace

void AddDashboardRoutes(ApiRoutes& routes, const AuditRecorder& audit, QueryLibrary& library,
                        query::QueryRunner& runner, const Clock& clock,
                        DashboardRoutesOptions options) {
  routes.Add(
      "POST", "/dashboards", Permission::kBuild,
      ApiImmediate([&](http::Request& request, const Caller& caller) -> Result<http::Response> {
        const std::string& workspace_id = caller.workspace_id();
        CDP_ASSIGN_OR_RETURN(DashboardFields fields,
                             ParseDashboardFields(request.body(), /*creating=*/true));
        Dashboard dashboard;
        dashboard.id = Uuid::NewV7(clock).ToString();
        dashboard.workspace_id = workspace_id;
        dashboard.name = std::move(*fields.name);
        dashboard.description = std::move(fields.description).value_or("");
        if (fields.widgets) {
          CDP_ASSIGN_OR_RETURN(dashboard.widgets, WidgetsToStore(std::move(*fields.widgets),
                                                                 /*current=*/nullptr, clock));
        }
        dashboard.created_at = clock.Now();
        dashboard.updated_at = dashboard.created_at;
        CDP_RETURN_IF_ERROR(library.CreateDashboard(dashboard));
        // As stored: times to the millisecond.
        CDP_ASSIGN_OR_RETURN(const Dashboard stored,
                             library.GetDashboard(workspace_id, dashboard.id));
        return DashboardResponse(201, stored);
      }));

  routes.Add(
      "GET", "/dashboards", Permission::kRead,
      ApiImmediate([&](http::Request& request, const Caller& caller) -> Result<http::Response> {
        const std::string& workspace_id = caller.workspace_id();
        CDP_ASSIGN_OR_RETURN(const PageRequest request_page,
                             ReadPageRequest(request, kMaxQueryLibraryPageSize));
        CDP_ASSIGN_OR_RETURN(
            const DashboardPage page,
            library.ListDashboards(workspace_id, request_page.cursor, request_page.limit));
        return PageResponse<Dashboard>(
            page.results, page.next_cursor,
            [](JsonWriter& json, const Dashboard& item) { WriteDashboard(json, item, nullptr); });
      }));

  routes.Add(
      "GET", "/dashboards/{id}", Permission::kRead,
      [&library, &runner, run_widgets = std::move(options.run_widgets)](
          http::Request& request, http::Reply reply, const Caller& caller) {
        Result<DashboardView> view = ReadDashboardView(request, library, caller.workspace_id());
        if (!view.ok()) {
          reply.Fail(view.status());
          return;
        }
        if (!view->with_results) {
          reply.Send(DashboardResponse(200, view->dashboard));
          return;
        }
        // Shared with the work, which may be dropped unrun (a busy
        // executor) and so must not be the Reply's only owner.
        auto shared_reply = std::make_shared<http::Reply>(std::move(reply));
        std::function<void()> work = [&library, &runner, shared_reply,
                                      dashboard = std::move(view->dashboard)] {
          const std::vector<Result<WidgetAnswer>> answers = RunWidgets(library, runner, dashboard);
          shared_reply->Send(DashboardResponse(200, dashboard, &answers));
        };
        if (!run_widgets) {
          work();
        } else if (!run_widgets(std::move(work))) {
          shared_reply->Fail(Status::Unavailable("the query workers are busy: retry shortly",
                                                 std::chrono::seconds(1)));
        }
      });

  routes.Add(
      "PUT", "/dashboards/{id}", Permission::kBuild,
      ApiImmediate([&](http::Request& request, const Caller& caller) -> Result<http::Response> {
        const std::string& workspace_id = caller.workspace_id();
        const std::string_view id = request.PathParam("id");
        CDP_ASSIGN_OR_RETURN(DashboardFields fields,
                             ParseDashboardFields(request.body(), /*creating=*/false));
        DashboardChanges changes;
        changes.name = std::move(fields.name);
        changes.description = std::move(fields.description);
        if (fields.widgets) {
          // Kept widget ids are checked against the dashboard as it is.
          std::optional<Dashboard> current;
          for (const WidgetFields& widget : *fields.widgets) {
            if (widget.id && !current) {
              CDP_ASSIGN_OR_RETURN(current, library.GetDashboard(workspace_id, id));
            }
          }
          CDP_ASSIGN_OR_RETURN(
              changes.widgets,
              WidgetsToStore(std::move(*fields.widgets), current ? &*current : nullptr, clock));
        }
        changes.updated_at = clock.Now();
        CDP_ASSIGN_OR_RETURN(const Dashboard dashboard,
                             library.UpdateDashboard(workspace_id, id, changes));
        return DashboardResponse(200, dashboard);
      }));

  routes.Add(
      "DELETE", "/dashboards/{id}", Permission::kBuild,
      ApiImmediate([&](http::Request& request, const Caller& caller) -> Result<http::Response> {
        const std::string& workspace_id = caller.workspace_id();
        const std::string_view id = request.PathParam("id");
        // Read first: the audit entry names what went.
        CDP_ASSIGN_OR_RETURN(const Dashboard dashboard, library.GetDashboard(workspace_id, id));
        CDP_RETURN_IF_ERROR(library.DeleteDashboard(workspace_id, id));
        JsonWriter details;
        details.BeginObject()
            .Key("name")
            .String(dashboard.name)
            .Key("widgets")
            .Uint(dashboard.widgets.size())
            .EndObject();
        audit.Record(request, caller, "dashboard.delete", "dashboard", id,
                     std::move(details).Take());
        return http::Response::NoContent();
      }));
}

}  // namespace cdp::api
