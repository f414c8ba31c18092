#include "http/error_response.h"

#include "core/json_writer.h"
#include "core/log.h"

namespace cdp::http {

Response ErrorResponse(const Status& status, std::string_view request_id) {
  const Status& error = status.ok() ? Status::Internal("ErrorResponse called with Ok") : status;
  const int code = error.http_status();
  if (code >= 500) {
    log::Error("request failed").Str("request_id", request_id).Err(error);
  }

  JsonWriter body;
  body.BeginObject().Key("error").String(error.message());
  if (!error.field().empty()) body.Key("field").String(error.field());
  if (!request_id.empty()) body.Key("request_id").String(request_id);
  body.EndObject();

  Response response = Response::Json(code, std::move(body).Take());
  if (const auto retry_after = error.retry_after()) {
    response.headers.emplace_back("Retry-After", std::to_string(retry_after->count()));
  }
  if (!error.allowed_methods().empty()) {
    response.headers.emplace_back("Allow", error.allowed_methods());
  }
  return response;
}

}  // namespace cdp::http
